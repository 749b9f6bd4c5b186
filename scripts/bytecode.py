"""Ship bytecode that Lambda can use: hash-based .pyc files, checked here.

``sam build`` output is zipped with 1980 timestamps, so a timestamp-based .pyc never matches its
source in Lambda and every cold start compiles the whole import graph again. An unchecked-hash
.pyc is used as it is. ``make build`` runs ``python3.13 scripts/bytecode.py .aws-sam/build``:
compile every .py under the directory that way, then check that each has its matching .pyc
(this interpreter's magic number, the hash-based flag, the source's hash) and fail otherwise.
"""

from __future__ import annotations

import compileall
import importlib.util
import py_compile
import sys
from pathlib import Path

FLAG_HASH_BASED = 0b01
FLAG_CHECK_SOURCE = 0b10


def compile_tree(root: Path) -> bool:
    """Compile with unchecked-hash invalidation, overwriting any timestamp-based .pyc."""
    return bool(
        compileall.compile_dir(
            str(root),
            quiet=1,
            force=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            workers=0,
        )
    )


def problems(root: Path) -> list[str]:
    """Every .py under ``root`` whose .pyc is missing, timestamp-based or stale."""
    found = []
    for source in sorted(root.rglob("*.py")):
        pyc = Path(importlib.util.cache_from_source(str(source)))
        rel = source.relative_to(root)
        if not pyc.exists():
            found.append(f"{rel}: no {pyc.name}")
            continue
        header = pyc.read_bytes()[:16]
        if header[:4] != importlib.util.MAGIC_NUMBER:
            found.append(f"{rel}: {pyc.name} is for another Python version")
            continue
        flags = int.from_bytes(header[4:8], "little")
        if not flags & FLAG_HASH_BASED:
            found.append(f"{rel}: {pyc.name} is timestamp-based")
        elif flags & FLAG_CHECK_SOURCE:
            found.append(f"{rel}: {pyc.name} is checked-hash (reads the source on every import)")
        elif header[8:16] != importlib.util.source_hash(source.read_bytes()):
            found.append(f"{rel}: {pyc.name} does not match the source")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3.13 scripts/bytecode.py <build directory>", file=sys.stderr)
        return 2
    root = Path(argv[0])
    if not root.is_dir():
        print(f"{root} is not a directory (run sam build first)", file=sys.stderr)
        return 2
    compiled = compile_tree(root)
    bad = problems(root)
    for line in bad[:20]:
        print(f"bytecode: {line}", file=sys.stderr)
    if bad:
        print(f"bytecode: {len(bad)} of the .py files under {root} have no valid hash-based .pyc", file=sys.stderr)
        return 1
    count = sum(1 for _ in root.rglob("*.py"))
    print(f"bytecode: {count} .py files under {root} carry matching unchecked-hash .pyc files")
    return 0 if compiled else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
