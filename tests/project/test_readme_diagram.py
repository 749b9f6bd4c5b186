"""The architecture diagram (docs/how-it-works.md, linked from the README) names what template.yaml
declares, so it cannot drift silently when a function, queue, topic, secret or key is added."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Resources an operator sees in the architecture; policies, aliases, roles, rules and
# subscriptions are their wiring, and the alarms are one node (their count is the template's).
SHOWN = {
    "AWS::Serverless::Function",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::LayerVersion",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
    "AWS::Scheduler::ScheduleGroup",
    "AWS::CloudWatch::Dashboard",
    "AWS::Logs::LogGroup",
    "AWS::SES::EmailIdentity",
    "AWS::SES::ConfigurationSet",
}


def diagram() -> str:
    document = (ROOT / "docs" / "how-it-works.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", document, flags=re.S)
    assert len(blocks) == 1, "one architecture diagram in docs/how-it-works.md"
    assert "docs/how-it-works.md" in (ROOT / "README.md").read_text(encoding="utf-8"), "the README links it"
    return blocks[0]


def test_the_diagram_names_every_resource_an_operator_sees(template):
    resources = template["Resources"]
    shown = diagram()
    missing = sorted(name for name, r in resources.items() if r["Type"] in SHOWN and name not in shown)
    assert missing == [], f"add these to the diagram in docs/how-it-works.md: {missing}"


def test_the_diagram_names_nothing_the_template_lacks(template):
    resources = template["Resources"]
    # CamelCase words ending like the template's resource names (Function, Queue, Topic, ...)
    named = set(re.findall(r"\b([A-Z][A-Za-z]+(?:Function|Queue|Topic|Table|Bucket|Group|Key|Dashboard))\b", diagram()))
    assert named - set(resources) == set()
    assert any(r["Type"] == "AWS::CloudWatch::Alarm" for r in resources.values())
    assert "AlarmTopic" in named
