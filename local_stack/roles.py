"""Each function's role, read from ``template.yaml`` as SAM builds it: the statements of its
``Policies`` (inline statements, the ``AWS::IAM::ManagedPolicy`` resources it lists, and SAM
policy templates expanded with SAM's own ``policy_templates.json``), intrinsics resolved to the
stack's ARNs, each statement labelled with where it was written (for ``make permissions``).

An AWS managed policy (a name or an ``arn:aws:iam::aws:policy/...``) is not evaluated: its text is
not in the template. The functions' own calls never need one (``AWSLambdaBasicExecutionRole``,
which SAM adds to every role, grants only CloudWatch Logs, which Lambda writes for them); a
template that lists one is told so at start, and the grant counts as granting nothing.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .iam_policy import Statement
from .template import TemplateError, merged_properties

if TYPE_CHECKING:
    from .template import Template

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Role:
    """A function's execution role: its ARN, session name and statements."""

    function: str  # logical id
    function_name: str
    arn: str  # arn:aws:iam::<account>:role/<stack>-<LogicalId>Role
    statements: list[Statement]
    not_evaluated: list[str]  # AWS managed policies named but not in the template

    @property
    def session_arn(self) -> str:
        """What AWS names the caller in an AccessDenied: the role's assumed-role session."""
        account = self.arn.split(":")[4]
        role_name = self.arn.rsplit("/", 1)[-1]
        return f"arn:aws:sts::{account}:assumed-role/{role_name}/{self.function_name}"


def raw_statements(template: Template, logical_id: str) -> tuple[list[tuple[str, dict[str, Any]]], list[Any]]:
    """A function's statements as written (intrinsics unresolved), each with where it was
    written: ``<ManagedPolicy>#<i>``, ``inline#<i>``, ``SAM <Template>#<i>``; and the policies
    that cannot be evaluated (AWS managed ones)."""
    out: list[tuple[str, dict[str, Any]]] = []
    not_evaluated: list[Any] = []
    inline = 0
    for policy in merged_properties(template, logical_id).get("Policies") or []:
        if isinstance(policy, dict) and set(policy) == {"Ref"} and policy["Ref"] in template.resources:
            name = policy["Ref"]
            managed = template.resources[name]
            if managed.get("Type") != "AWS::IAM::ManagedPolicy":
                raise TemplateError(f"{logical_id} lists {name}, which is no managed policy")
            document = (managed.get("Properties") or {}).get("PolicyDocument") or {}
            out += [(f"{name}#{i}", raw) for i, raw in enumerate(_as_list(document.get("Statement") or []))]
        elif isinstance(policy, dict) and "Statement" in policy:
            for raw in _as_list(policy["Statement"]):
                out.append((f"inline#{inline}", raw))
                inline += 1
        elif isinstance(policy, dict) and len(policy) == 1:
            ((name, values),) = policy.items()
            out += [(f"SAM {name}#{i}", raw) for i, raw in enumerate(sam_policy_template(name, values or {}))]
        else:
            not_evaluated.append(policy)
    return out, not_evaluated


def role_of(template: Template, logical_id: str, function_name: str) -> Role:
    raw, not_evaluated = raw_statements(template, logical_id)
    statements = [Statement.parse(template.resolve(statement), source) for source, statement in raw]
    # SAM names the role <LogicalId>Role; CloudFormation prefixes the stack's name.
    arn = f"arn:aws:iam::{template.account_id}:role/{template.stack_name}-{logical_id}Role"
    return Role(logical_id, function_name, arn, statements, [json.dumps(template.resolve(p)) for p in not_evaluated])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@functools.cache
def _sam_templates() -> dict[str, Any]:
    """SAM's policy templates: from ``samtranslator`` when importable, else from the repository's
    ``.venv-sam`` (the SAM CLI's environment, which ``make`` builds for ``sam build``)."""
    try:
        from importlib import resources

        text = (resources.files("samtranslator") / "policy_templates_data" / "policy_templates.json").read_text()
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        found = sorted(
            (REPO / ".venv-sam").glob(
                "lib/python*/site-packages/samtranslator/policy_templates_data/policy_templates.json"
            )
        )
        if not found:
            raise TemplateError(
                "the template uses a SAM policy template, and SAM's policy_templates.json is not here: "
                "`make .venv-sam/.installed` (or pip install aws-sam-translator)"
            ) from None
        text = found[-1].read_text()
    return dict(json.loads(text)["Templates"])


def sam_policy_template(name: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """A SAM policy template's statements with its parameters put in, as SAM expands it: each
    ``{"Ref": Parameter}`` becomes the value given (other Refs, intrinsics, stay for resolving)."""
    templates = _sam_templates()
    if name not in templates:
        raise TemplateError(f"{name} is no SAM policy template")
    spec = templates[name]
    missing = set(spec.get("Parameters") or {}) - set(values)
    if missing:
        raise TemplateError(f"SAM policy template {name} needs {', '.join(sorted(missing))}")

    def put(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Ref"} and node["Ref"] in values:
                return copy.deepcopy(values[node["Ref"]])
            return {k: put(v) for k, v in node.items()}
        if isinstance(node, list):
            return [put(v) for v in node]
        return node

    return list(put(spec["Definition"])["Statement"])


def roles(template: Template, functions: dict[str, str]) -> dict[str, Role]:
    """``functions``: logical id -> function name. The roles by logical id; a warning on stderr
    for each policy that cannot be evaluated."""
    out = {}
    for logical_id, function_name in functions.items():
        role = role_of(template, logical_id, function_name)
        for policy in role.not_evaluated:
            print(
                f"[local-stack] {logical_id}: policy {policy} is not in the template; counted as granting nothing",
                file=sys.stderr,
            )
        out[logical_id] = role
    return out
