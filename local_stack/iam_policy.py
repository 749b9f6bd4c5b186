"""IAM's evaluation of identity-based policies, for one request: small, and tested on its own.

None of the Python packages that read IAM policies evaluates a request against them
(``policyuniverse`` parses statements and expands wildcards, ``policy_sentry`` writes policies,
``parliament`` lints them, ``cedarpy`` evaluates Cedar, not IAM), so this module does what the IAM
User Guide's *policy evaluation logic* says for a role's identity-based policies:

- an explicit ``Deny`` that applies wins; otherwise an ``Allow`` that applies allows; otherwise
  the request is implicitly denied;
- a statement applies when its ``Action`` (or ``NotAction``) matches the action, its ``Resource``
  (or ``NotResource``) matches the resource, and every condition holds;
- actions match case-insensitively with ``*`` and ``?`` wildcards; resources case-sensitively,
  ``*`` and ``?`` matching within and across the ARN's colons;
- conditions: every operator of the *condition operators* page (``String*``, ``Numeric*``,
  ``Date*``, ``Bool``, ``BinaryEquals``, ``IpAddress``/``NotIpAddress``, ``Arn*``, ``Null``), each with
  ``...IfExists``, and the ``ForAllValues:``/``ForAnyValue:`` set qualifiers. Within an operator the
  values of one key are ORed, keys and operators are ANDed. A key missing from the request makes a
  condition false, except for negated operators (``StringNotEquals``, ``ArnNotLike``...), which are
  then true, ``...IfExists`` (true), ``Null`` and ``ForAllValues:`` (true).

A request touching several resources (a SES send names its identity and its configuration set;
a ``BatchWriteItem`` names each table) is allowed only when every (action, resource) pair is.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Context = dict[str, list[str]]  # condition keys (lower case) -> the request's values


@dataclass(frozen=True)
class Statement:
    """One statement of a role's policies, and where it was written (for the usage report)."""

    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] | None = None
    condition: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)
    source: str = ""  # "TableReadWritePolicy#0", "inline#2", "SAM DynamoDBCrudPolicy#0"

    @classmethod
    def parse(cls, statement: dict[str, Any], source: str = "") -> Statement:
        def strings(value: Any) -> tuple[str, ...]:
            return tuple(str(v) for v in (value if isinstance(value, list) else [value]))

        effect = str(statement.get("Effect"))
        if effect not in ("Allow", "Deny"):
            raise ValueError(f"{source}: Effect must be Allow or Deny, not {effect!r}")
        if ("Action" in statement) == ("NotAction" in statement):
            raise ValueError(f"{source}: a statement has exactly one of Action and NotAction")
        if ("Resource" in statement) == ("NotResource" in statement):
            raise ValueError(f"{source}: a statement has exactly one of Resource and NotResource")
        return cls(
            effect=effect,
            actions=strings(statement["Action"]) if "Action" in statement else (),
            not_actions=strings(statement["NotAction"]) if "NotAction" in statement else None,
            resources=strings(statement["Resource"]) if "Resource" in statement else (),
            not_resources=strings(statement["NotResource"]) if "NotResource" in statement else None,
            condition=dict(statement.get("Condition") or {}),
            source=source,
        )

    def action_match(self, action: str) -> str | None:
        """The pattern that makes this statement cover ``action`` (``NotAction``: ``"NotAction"``)."""
        if self.not_actions is not None:
            return None if any(_action_matches(p, action) for p in self.not_actions) else "NotAction"
        return next((p for p in self.actions if _action_matches(p, action)), None)

    def resource_match(self, resource: str) -> str | None:
        if self.not_resources is not None:
            return None if any(_resource_matches(p, resource) for p in self.not_resources) else "NotResource"
        return next((p for p in self.resources if _resource_matches(p, resource)), None)


@dataclass(frozen=True)
class Match:
    """Which statement decided, through which of its action and resource patterns."""

    statement: Statement
    action_pattern: str
    resource_pattern: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    action: str
    resource: str
    match: Match | None  # the Allow that allowed, or the Deny that denied; None: implicit deny

    @property
    def explicit_deny(self) -> bool:
        return self.match is not None and self.match.statement.effect == "Deny"


def evaluate(statements: list[Statement], action: str, resource: str, context: Context | None = None) -> Decision:
    """IAM's decision on one action on one resource for a principal with these statements."""
    context = {k.lower(): v for k, v in (context or {}).items()}
    allow: Match | None = None
    for statement in statements:
        action_pattern = statement.action_match(action)
        if action_pattern is None:
            continue
        resource_pattern = statement.resource_match(resource)
        if resource_pattern is None or not conditions_hold(statement.condition, context):
            continue
        match = Match(statement, action_pattern, resource_pattern)
        if statement.effect == "Deny":
            return Decision(False, action, resource, match)
        allow = allow or match
    return Decision(allow is not None, action, resource, allow)


# ---------------------------------------------------------------------- matching


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    # IAM wildcards are * and ? only (no [...] classes, unlike fnmatch): escape everything else.
    text = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{text}$", re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def _action_matches(pattern: str, action: str) -> bool:
    return pattern == "*" or bool(_glob(pattern, False).match(action))


def _resource_matches(pattern: str, resource: str) -> bool:
    return pattern == "*" or bool(_glob(pattern, True).match(resource))


def _like(pattern: str, value: str) -> bool:
    return bool(_glob(pattern, True).match(value))


# ---------------------------------------------------------------------- conditions


def conditions_hold(condition: dict[str, dict[str, Any]], context: Context) -> bool:
    return all(
        _operator_holds(operator, key, value, context)
        for operator, pairs in condition.items()
        for key, value in (pairs or {}).items()
    )


def _operator_holds(operator: str, key: str, expected: Any, context: Context) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    if if_exists:
        name = name[: -len("IfExists")]
    wanted = [
        str(v).lower() if isinstance(v, bool) else str(v)
        for v in (expected if isinstance(expected, list) else [expected])
    ]
    values = context.get(key.lower())
    if name == "Null":
        absent = values is None or values == []
        return any((w.lower() == "true") == absent for w in wanted)
    if name not in _OPERATORS:
        raise ValueError(f"condition operator {operator!r} is not one IAM has")
    test, negated = _OPERATORS[name]
    if qualifier.lower() == "forallvalues":
        # Every value of the request's set matches one of the policy's (true for an empty set).
        return all(_one(test, negated, v, wanted) for v in values or [])
    if qualifier.lower() == "foranyvalue":
        return if_exists if values is None else any(_one(test, negated, v, wanted) for v in values)
    if values is None:
        return if_exists or negated
    # A single-valued key: its value against the policy's values.
    return all(_one(test, negated, v, wanted) for v in values) if values else negated


def _one(test: Any, negated: bool, value: str, wanted: list[str]) -> bool:
    hit = any(test(w, value) for w in wanted)
    return not hit if negated else hit


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> float:
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)  # epoch seconds
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _ip(policy: str, value: str) -> bool:
    return ipaddress.ip_address(value) in ipaddress.ip_network(policy, strict=False)


def _arn_like(policy: str, value: str) -> bool:
    # ARNs compare part by part (six colon-separated parts), each with * and ? wildcards.
    p_parts, v_parts = policy.split(":", 5), value.split(":", 5)
    return len(p_parts) == len(v_parts) == 6 and all(_like(p, v) for p, v in zip(p_parts, v_parts, strict=True))


_OPERATORS: dict[str, tuple[Any, bool]] = {
    "StringEquals": (lambda w, v: w == v, False),
    "StringNotEquals": (lambda w, v: w == v, True),
    "StringEqualsIgnoreCase": (lambda w, v: w.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda w, v: w.lower() == v.lower(), True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "NumericEquals": (lambda w, v: _number(v) == _number(w), False),
    "NumericNotEquals": (lambda w, v: _number(v) == _number(w), True),
    "NumericLessThan": (lambda w, v: _number(v) < _number(w), False),
    "NumericLessThanEquals": (lambda w, v: _number(v) <= _number(w), False),
    "NumericGreaterThan": (lambda w, v: _number(v) > _number(w), False),
    "NumericGreaterThanEquals": (lambda w, v: _number(v) >= _number(w), False),
    "DateEquals": (lambda w, v: _date(v) == _date(w), False),
    "DateNotEquals": (lambda w, v: _date(v) == _date(w), True),
    "DateLessThan": (lambda w, v: _date(v) < _date(w), False),
    "DateLessThanEquals": (lambda w, v: _date(v) <= _date(w), False),
    "DateGreaterThan": (lambda w, v: _date(v) > _date(w), False),
    "DateGreaterThanEquals": (lambda w, v: _date(v) >= _date(w), False),
    "Bool": (lambda w, v: w.lower() == v.lower(), False),
    "BinaryEquals": (lambda w, v: w == v, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
}

__all__ = ["Context", "Decision", "Match", "Statement", "conditions_hold", "evaluate"]
