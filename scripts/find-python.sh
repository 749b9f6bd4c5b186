#!/usr/bin/env bash
# Prints the path of a Python 3.13 interpreter, or explains what to install and fails.
set -u
want="3.13"
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.13 python3)
for dir in "$HOME"/.pyenv/versions/3.13*/bin /usr/local/bin /usr/bin /opt/homebrew/bin; do
  [ -x "$dir/python3.13" ] && candidates+=("$dir/python3.13")
done
for py in "${candidates[@]}"; do
  if "$py" -c "import sys; sys.exit(sys.version_info[:2] != (3, 13))" >/dev/null 2>&1; then
    command -v "$py" 2>/dev/null || echo "$py"
    exit 0
  fi
done
cat >&2 <<MSG
No Python $want interpreter found (the Lambda runtime is python3.13).
Install one, for example:
  - Debian/Ubuntu: apt-get install python3.13 python3.13-venv   (or use pyenv: pyenv install 3.13)
  - macOS: brew install python@3.13
then run make again, or point at it: make PYTHON=/path/to/python3.13 ...
MSG
exit 1
