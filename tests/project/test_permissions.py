"""What each function may do, read from template.yaml: its inline statements and the managed
policies it lists, resolved and cut into single grants (effect, action, resource, condition).

``permissions_baseline.json`` holds the reviewed grants of every function. Any change, wider
or narrower, fails here until the baseline is rewritten on purpose, so a review sees it:

    .venv/bin/python tests/project/test_permissions.py --update
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":  # run as a script (--update): the project root on the path
    sys.path.insert(0, str(ROOT))

from local_stack.stack import DEFAULT_PARAMETER_OVERRIDES, local_parameter_values  # noqa: E402
from local_stack.template import Template, load_template, policy_statements  # noqa: E402

TEMPLATE_PATH = ROOT / "template.yaml"
BASELINE = Path(__file__).with_name("permissions_baseline.json")


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def grants(statement: dict) -> set[str]:
    """One line per (effect, action, resource) of a statement, with its condition if any."""
    if "Policy" in statement:
        return {f"Policy {json.dumps(statement['Policy'], sort_keys=True)}"}
    condition = statement.get("Condition")
    suffix = f" if {json.dumps(condition, sort_keys=True)}" if condition else ""
    return {
        f"{statement['Effect']} {action.lower()} {resource}{suffix}"
        for action in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
    }


def effective_permissions(path: Path = TEMPLATE_PATH) -> dict[str, list[str]]:
    # Every function, whatever its Condition: an InboxDomain makes them all exist.
    overrides = {**DEFAULT_PARAMETER_OVERRIDES, "InboxDomain": "inbox.example.com"}
    template = Template(path, parameter_overrides=local_parameter_values(path, overrides))
    out = {}
    for logical_id in template.of_type("AWS::Serverless::Function"):
        lines: set[str] = set()
        for statement in policy_statements(template, logical_id):
            lines |= grants(statement)
        out[logical_id] = sorted(lines)
    return out


def test_each_function_has_exactly_the_reviewed_permissions():
    baseline = json.loads(BASELINE.read_text())
    now = effective_permissions()
    assert sorted(now) == sorted(baseline), "functions added or removed: rewrite the baseline (see the docstring)"
    changed = {
        name: {
            "added": sorted(set(now[name]) - set(baseline[name])),
            "removed": sorted(set(baseline[name]) - set(now[name])),
        }
        for name in now
        if set(now[name]) != set(baseline[name])
    }
    assert changed == {}, "permissions changed: review, then rewrite the baseline (see the docstring)"


def test_no_function_may_publish_to_a_topic_or_scan_the_table():
    for name, lines in effective_permissions().items():
        assert not any(line.startswith("Allow dynamodb:scan") for line in lines), name
        assert not any(line.startswith("Allow") and line.split()[1].endswith(":*") for line in lines), name
        if any(line.startswith("Allow sns:publish *") for line in lines):
            assert "Deny sns:publish arn:aws:sns:*:*:*" in lines, name


def _inline_statements(resource: dict) -> list[str]:
    return [
        json.dumps(statement, sort_keys=True)
        for policy in resource["Properties"].get("Policies") or []
        if isinstance(policy, dict) and "Statement" in policy
        for statement in policy["Statement"]
    ]


def test_no_statement_is_written_inline_in_more_than_two_functions():
    resources = load_template(TEMPLATE_PATH)["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    counts = Counter(s for f in functions.values() for s in set(_inline_statements(f)))
    assert {s: n for s, n in counts.items() if n > 2} == {}, "share it as an AWS::IAM::ManagedPolicy"


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    BASELINE.write_text(json.dumps(effective_permissions(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {BASELINE.relative_to(ROOT)}")
