"""Writes openapi.json, the operator API's OpenAPI document, from the code (``make openapi``).

The document is what Powertools generates from the routes of functions/operator_api/app.py
(nudges.openapi.document). ``--check`` writes nothing and exits 1 when the committed file differs.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HANDLER = ROOT / "functions" / "operator_api" / "app.py"
OUTPUT = ROOT / "openapi.json"


def generate() -> str:
    """The document as committed: the handler module loaded as Lambda would, the layer on the path."""
    layer = str(ROOT / "layers" / "nudges")
    if layer not in sys.path:
        sys.path.insert(0, layer)
    from nudges.openapi import dumps

    spec = importlib.util.spec_from_file_location("_openapi_operator_api", HANDLER)
    assert spec is not None and spec.loader is not None
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dumps(module.openapi_document())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if openapi.json is not what the code generates")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT.name} differs from the code: run make openapi", file=sys.stderr)
            return 1
        print(f"{OUTPUT.name} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
