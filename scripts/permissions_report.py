"""Per function: the grants the test suite used, and those it never used (``make permissions``).

The authorising proxy appends each grant a call was allowed by to ``NUDGES_PERMISSIONS_LOG``
(one JSON line per grant and stack, and one per refusal). This reads that log against
template.yaml: every grant of every function, one line per action and resource as written,
marked used (by the function's own call, or by a service in its name: ``service side``) or never
used. A grant AWS uses on the service's side (a KMS key through DynamoDB or Secrets Manager,
``iam:PassRole`` to Scheduler) is marked so even when unused, so nobody removes it by mistake.
Only stacks of this template count: the tests' mutated copies are left out.

    .venv/bin/python scripts/permissions_report.py LOG [--write docs/permissions.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from local_stack.roles import raw_statements  # noqa: E402
from local_stack.stack import DEFAULT_PARAMETER_OVERRIDES, local_parameter_values  # noqa: E402
from local_stack.template import Template  # noqa: E402

BEGIN, END = "<!-- permissions:begin -->", "<!-- permissions:end -->"
# Actions a service performs in the function's name rather than the function itself.
SERVICE_SIDE_ACTIONS = {"kms:decrypt", "kms:encrypt", "kms:generatedatakey", "kms:describekey", "iam:passrole"}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def render(node) -> str:
    """An intrinsic as one reads it in the template: ``NudgesTable.Arn``, ``!Ref X``, the Sub text."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and len(node) == 1:
        ((key, value),) = node.items()
        if key == "Ref":
            return f"!Ref {value}"
        if key == "Fn::GetAtt":
            return ".".join(value) if isinstance(value, list) else str(value)
        if key == "Fn::Sub":
            return value if isinstance(value, str) else str(value[0])
    return json.dumps(node, sort_keys=True)


def grants(template: Template) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for logical_id in sorted(template.of_type("AWS::Serverless::Function")):
        rows = []
        statements, _ = raw_statements(template, logical_id)
        for source, raw in statements:
            condition = raw.get("Condition")
            condition_text = ""
            if condition:
                parts = [f"{k} {op} {render(v)}" for op, pairs in condition.items() for k, v in pairs.items()]
                condition_text = " if " + ", ".join(parts)
            actions = (
                [f"all but {', '.join(_as_list(raw['NotAction']))}"] if "NotAction" in raw else _as_list(raw["Action"])
            )
            resources = (
                [f"all but {', '.join(render(r) for r in _as_list(raw['NotResource']))}"]
                if "NotResource" in raw
                else [render(r) for r in _as_list(raw["Resource"])]
            )
            for action in actions:
                for index, resource in enumerate(resources):
                    rows.append(
                        {
                            "source": source,
                            "effect": raw["Effect"],
                            "action": "NotAction" if "NotAction" in raw else action,
                            "shown_action": action,
                            "index": -1 if "NotResource" in raw else index,
                            "resource": resource,
                            "condition": condition_text,
                            "service_side": action.lower() in SERVICE_SIDE_ACTIONS,
                        }
                    )
        out[logical_id] = rows
    return out


def read_log(path: Path, template_path: Path) -> tuple[dict, list[dict]]:
    used: dict[tuple[str, str, str, int], set[str]] = defaultdict(set)
    refused = []
    if not path.exists():
        return used, refused
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if Path(entry.get("template") or "").resolve() != template_path.resolve():
            continue
        if "refused" in entry:
            refused.append(entry)
            continue
        key = (entry["function"], entry["source"], entry["action"].lower(), int(entry.get("resource_index", 0)))
        used[key].add(entry.get("via") or "")
    return used, refused


def report(template_path: Path, log: Path) -> str:
    overrides = {**DEFAULT_PARAMETER_OVERRIDES}
    template = Template(template_path, parameter_overrides=local_parameter_values(template_path, overrides))
    used, refused = read_log(log, template_path)
    lines = []
    totals = {"used": 0, "unused": 0}
    for function, rows in grants(template).items():
        lines += [f"### {function}", "", "| grant | written in | the suite |", "|---|---|---|"]
        for row in rows:
            key = (function, row["source"], row["action"].lower(), row["index"])
            vias = used.get(key)
            if row["effect"] == "Deny":
                status = "deny (a guard, never an allow)"
            elif vias is not None:
                totals["used"] += 1
                sides = sorted(v for v in vias if v)
                status = "used" + (
                    f", **service side** ({', '.join(sides)} asks in the function's name)" if sides else ""
                )
            else:
                totals["unused"] += 1
                status = "never used" + (
                    ", **service side** kind (a service may ask for it in the function's name): check docs/permissions.md before removing"
                    if row["service_side"]
                    else ""
                )
            grant = f"{row['effect']} `{row['shown_action']}` on `{row['resource']}`{row['condition']}"
            lines.append(f"| {grant} | {row['source'].rsplit('#', 1)[0]} | {status} |")
        lines.append("")
    head = [
        f"{totals['used']} grants used by the suite, {totals['unused']} never used"
        + (f"; {len(refused)} calls refused:" if refused else "; no call refused."),
        "",
    ]
    for entry in refused:
        via = f" (asked by {entry['via']})" if entry.get("via") else ""
        head.append(f"- {entry['function']}: {entry['refused']} on {entry['on']}{via}")
    if refused:
        head.append("")
    return "\n".join(head + lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--write", type=Path, help="replace the report between the markers of this Markdown file")
    args = parser.parse_args()
    text = report(args.template, args.log)
    print(text)
    if args.write:
        doc = args.write.read_text()
        if BEGIN not in doc or END not in doc:
            print(f"{args.write} has no {BEGIN} ... {END} markers", file=sys.stderr)
            return 1
        before, _, rest = doc.partition(BEGIN)
        _, _, after = rest.partition(END)
        args.write.write_text(f"{before}{BEGIN}\n{text}\n{END}{after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
