"""``make permissions``' report (scripts/permissions_report.py): each grant of template.yaml, used by
the suite (by the function, or by a service in its name) or never used; a mutated copy's stacks
do not count."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("permissions_report", ROOT / "scripts" / "permissions_report.py")
assert spec is not None and spec.loader is not None
permissions_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(permissions_report)


def line_of(text: str, function: str, needle: str) -> str:
    section = text.split(f"### {function}\n", 1)[1].split("\n### ", 1)[0]
    [line] = [row for row in section.splitlines() if needle in row]
    return line


def test_used_unused_and_service_side(tmp_path):
    template = str(ROOT / "template.yaml")
    log = tmp_path / "used.jsonl"
    entries = [
        {
            "template": template,
            "function": "UnsubscribeFunction",
            "source": "inline#0",
            "action": "dynamodb:GetItem",
            "resource_index": 0,
            "via": "",
        },
        {
            "template": template,
            "function": "UnsubscribeFunction",
            "source": "TableKeyPolicy#0",
            "action": "kms:Decrypt",
            "resource_index": 0,
            "via": "dynamodb",
        },
        # A mutated copy's stack: not this template.
        {
            "template": str(tmp_path / "template.yaml"),
            "function": "UnsubscribeFunction",
            "source": "inline#0",
            "action": "dynamodb:PutItem",
            "resource_index": 0,
            "via": "",
        },
        {
            "template": template,
            "function": "UnsubscribeFunction",
            "refused": "dynamodb:DeleteItem",
            "on": "arn:x",
            "via": "",
        },
    ]
    log.write_text("".join(json.dumps(e) + "\n" for e in entries))
    text = permissions_report.report(ROOT / "template.yaml", log)
    assert line_of(text, "UnsubscribeFunction", "`dynamodb:GetItem` on `NudgesTable.Arn`").endswith("| inline | used |")
    assert line_of(text, "UnsubscribeFunction", "`dynamodb:PutItem` on `NudgesTable.Arn`").endswith("| never used |")
    decrypt = line_of(text, "UnsubscribeFunction", "`kms:Decrypt` on `TableKey.Arn`")
    assert "TableKeyPolicy" in decrypt and "**service side** (dynamodb asks" in decrypt
    assert "kms:ViaService StringEquals dynamodb.${AWS::Region}.amazonaws.com" in decrypt
    unused_key = line_of(text, "UnsubscribeFunction", "`kms:Decrypt` on `SecretsKey.Arn`")
    assert "never used, **service side** kind" in unused_key
    assert "- UnsubscribeFunction: dynamodb:DeleteItem on arn:x" in text


def test_written_between_the_markers(tmp_path, monkeypatch):
    doc = tmp_path / "permissions.md"
    doc.write_text(f"# Permissions\n\nintro\n\n{permissions_report.BEGIN}\nold\n{permissions_report.END}\n\nafter\n")
    log = tmp_path / "none.jsonl"
    monkeypatch.setattr("sys.argv", ["permissions_report.py", str(log), "--write", str(doc)])
    assert permissions_report.main() == 0
    text = doc.read_text()
    assert "intro" in text and "after" in text and "old" not in text
    assert "0 grants used by the suite" in text and "### SenderFunction" in text
