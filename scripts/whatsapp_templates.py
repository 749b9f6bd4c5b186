"""The operator's WhatsApp templates: one per nudge kind and locale, in the form Meta takes.

``layers/nudges/nudges/whatsapp_templates/<locale>/<kind>.json`` is each template exactly as it
is submitted (End User Messaging Social's ``CreateWhatsAppMessageTemplate`` ``templateDefinition``,
which is Meta's message-template object): its name, language, category (UTILITY), named
variables (``parameter_format: NAMED``) and a body whose fixed words frame them, with an example
for each variable (Meta reviews them). The sender fills them in (``nudges.domain.whatsapp``).

    .venv/bin/python scripts/whatsapp_templates.py            # list them: name, language, variables
    .venv/bin/python scripts/whatsapp_templates.py submit --waba-id waba-...   # submit each (AWS CLI)

``submit`` prints the AWS CLI command for each (run them with the operator's credentials), since
approval is the operator's business with Meta: docs/operations.md says how.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "layers" / "nudges" / "nudges" / "whatsapp_templates"


def definitions() -> list[tuple[Path, dict]]:
    return [(path, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(TEMPLATES.glob("*/*.json"))]


def main(argv: list[str]) -> int:
    if argv[:1] == ["submit"]:
        if len(argv) != 3 or argv[1] != "--waba-id":
            print("usage: scripts/whatsapp_templates.py submit --waba-id waba-...", file=sys.stderr)
            return 2
        for path, _definition in definitions():
            command = [
                "aws", "socialmessaging", "create-whatsapp-message-template",
                "--id", argv[2], "--template-definition", f"fileb://{path}",
            ]  # fmt: skip
            print(shlex.join(command))
        return 0
    for path, definition in definitions():
        body = next(c for c in definition["components"] if c["type"] == "BODY")
        names = [p["param_name"] for p in body["example"]["body_text_named_params"]]
        print(f"{definition['name']:<40} {definition['language']:<6} {definition['category']:<8} {', '.join(names)}")
        print(f"    {path.relative_to(TEMPLATES.parents[3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
