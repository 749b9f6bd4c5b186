"""Copies the AWS service models the functions need but Lambda's boto3 lacks into the layer.

The Lambda python3.13 runtime's boto3 (``requirements-lambda-runtime.txt``) predates End User
Messaging Social (``socialmessaging``). Rather than ship a second boto3 and botocore (about 25 MB
unpacked) in the layer, the layer ships those services' models (``nudges/aws_models``), which
``nudges.adapters.aws.session`` adds to botocore's data path, as ``AWS_DATA_PATH`` would. This
script takes them from the botocore installed in the running interpreter (the dev venv's, newer
than the runtime's): ``.venv/bin/python scripts/aws_models.py`` after changing that pin.
``--check`` exits 1 when the shipped models differ from that botocore's (the unit tests run it).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import botocore

SERVICES = {"socialmessaging": "2024-01-01"}
FILES = ("service-2", "endpoint-rule-set-1", "paginators-1")
TARGET = Path(__file__).resolve().parents[1] / "layers" / "nudges" / "nudges" / "aws_models"


def source(service: str, version: str, name: str) -> dict:
    folder = Path(botocore.__file__).parent / "data" / service / version
    plain, packed = folder / f"{name}.json", folder / f"{name}.json.gz"
    if packed.exists():
        return json.loads(gzip.decompress(packed.read_bytes()))
    return json.loads(plain.read_text(encoding="utf-8"))


def rendered(model: dict) -> str:
    return json.dumps(model, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for service, version in SERVICES.items():
        for name in FILES:
            path = TARGET / service / version / f"{name}.json"
            text = rendered(source(service, version, name))
            if check:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    stale.append(str(path.relative_to(TARGET.parents[3])))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"differ from botocore {botocore.__version__}: {', '.join(stale)}; run scripts/aws_models.py")
        return 1
    print(f"models from botocore {botocore.__version__}: {', '.join(SERVICES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
