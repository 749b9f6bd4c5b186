"""Reads a SAM/CloudFormation template and resolves its intrinsic functions.

Only what the local stack needs: short-form tags (``!Ref``, ``!GetAtt``, ``!Sub`` ...),
parameters with defaults and overrides, pseudo parameters, ``Globals.Function`` and the
handful of SAM function properties (``CodeUri``, ``Handler``, ``Environment``, ``Events``).
Physical names are deterministic (``<stack>-<LogicalId>``) so that a restart against the
same AWS endpoint finds what the previous run created.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_STACK_NAME = "interview-nudges-local"
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

_SHORT_TAGS = (
    "Ref",
    "GetAtt",
    "Sub",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Base64",
    "Cidr",
    "Condition",
    "Transform",
    "ToJsonString",
    "Length",
)


class TemplateError(Exception):
    """The template uses something the local stack cannot resolve."""


class _CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml's parser when PyYAML has it: the same documents, ten times faster) that
    turns ``!Tag value`` into ``{"Fn::Tag": value}`` (``!Ref`` → ``Ref``)."""


def _make_constructor(tag: str) -> Callable[[yaml.Loader, yaml.Node], dict[str, Any]]:
    key = tag if tag in ("Ref", "Condition") else f"Fn::{tag}"

    def construct(loader: yaml.Loader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                # !GetAtt A.B is the scalar form of [A, B]; the attribute may contain dots.
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    return construct


for _tag in _SHORT_TAGS:
    _CfnLoader.add_constructor(f"!{_tag}", _make_constructor(_tag))


_PARSED: dict[tuple[str, int, int], dict[str, Any]] = {}  # (path, mtime, size) -> the document


def load_template(path: str | Path) -> dict[str, Any]:
    """Parse a template file (YAML or JSON) with CloudFormation short tags, its ``Fn::ForEach``
    loops expanded as the ``AWS::LanguageExtensions`` transform expands them. A file parsed
    before in this process and unchanged since is not parsed again (each caller gets a copy of
    its own: every stack start reads the template more than once)."""
    stat = os.stat(path)
    key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=_CfnLoader)
        for section in ("Conditions", "Resources", "Outputs"):
            if isinstance(doc.get(section), dict):
                doc[section] = expand_for_each(doc[section], doc)
        _PARSED[key] = doc
    return copy.deepcopy(_PARSED[key])


_FOR_EACH = "Fn::ForEach::"


def expand_for_each(section: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """Replace each ``Fn::ForEach::<Loop>: [Identifier, Collection, {OutputKey: Value}]`` of a
    section with one entry per item: ``${Identifier}`` and ``&{Identifier}`` replaced in the keys
    and in every string below them, ``{"Ref": Identifier}`` by the item itself. Loops nest; the
    collection is a list or a ``Ref`` to a list parameter's default."""
    out: dict[str, Any] = {}
    for key, value in section.items():
        if not key.startswith(_FOR_EACH):
            out[key] = value
            continue
        if "AWS::LanguageExtensions" not in _as_list(doc.get("Transform")):
            raise TemplateError(f"{key} needs the AWS::LanguageExtensions transform")
        identifier, collection, fragment = value
        items = _collection(collection, doc)
        for item in items:
            expanded = _replace_identifier(fragment, identifier, item)
            for new_key, new_value in expand_for_each(expanded, doc).items():
                if new_key in out or new_key in section:
                    raise TemplateError(f"{key} makes {new_key!r} twice")
                out[new_key] = new_value
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _collection(collection: Any, doc: dict[str, Any]) -> list[str]:
    if isinstance(collection, dict) and set(collection) == {"Ref"}:
        spec = (doc.get("Parameters") or {}).get(collection["Ref"]) or {}
        default = spec.get("Default")
        collection = default.split(",") if isinstance(default, str) else default
    if not isinstance(collection, list) or not all(isinstance(item, str) for item in collection):
        raise TemplateError(f"Fn::ForEach collection {collection!r} is not a list of strings")
    return collection


def _replace_identifier(node: Any, identifier: str, item: str) -> Any:
    if isinstance(node, str):
        alnum = re.sub(r"[^A-Za-z0-9]", "", item)
        return node.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", alnum)
    if isinstance(node, list):
        return [_replace_identifier(child, identifier, item) for child in node]
    if isinstance(node, dict):
        if node == {"Ref": identifier}:
            return item
        out = {
            _replace_identifier(key, identifier, item): _replace_identifier(child, identifier, item)
            for key, child in node.items()
        }
        return _static_names(out)
    return node


def _static_names(node: dict[str, Any]) -> dict[str, Any]:
    """``Ref`` and ``Fn::GetAtt`` name their resource with a ``Fn::Sub`` inside a loop; once the
    identifier is replaced, a Sub with nothing left to substitute is that plain name."""

    def plain(value: Any) -> Any:
        text = value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else None
        return text if isinstance(text, str) and "${" not in text else value

    if set(node) == {"Ref"}:
        return {"Ref": plain(node["Ref"])}
    if set(node) == {"Fn::GetAtt"} and isinstance(node["Fn::GetAtt"], list):
        return {"Fn::GetAtt": [plain(part) for part in node["Fn::GetAtt"]]}
    return node


def _deep_merge(base: Any, override: Any) -> Any:
    """SAM's Globals merge: maps merge key by key, lists add up (the Globals' items first),
    anything else is replaced by the function's own value."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = copy.deepcopy(base)
        for key, value in override.items():
            merged[key] = _deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return copy.deepcopy(base) + copy.deepcopy(override)
    return copy.deepcopy(override)


class Template:
    """A loaded template plus the resolver for its intrinsics.

    Resource references are answered by ``resolve_resource`` (set by the provisioner), which
    returns ``(ref, attributes)`` for a logical id, provisioning it first when needed.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        stack_name: str = DEFAULT_STACK_NAME,
        parameter_overrides: dict[str, Any] | None = None,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        self.path = Path(path)
        self.root = self.path.parent
        self.doc = load_template(self.path)
        self.stack_name = stack_name
        self.region = region
        self.account_id = account_id
        self.resources: dict[str, dict[str, Any]] = self.doc.get("Resources") or {}
        self.parameters = self._parameter_values(parameter_overrides or {})
        self.conditions: dict[str, bool] = {}
        self.resolve_resource: Callable[[str], tuple[Any, dict[str, Any]]] = self.static_resource
        self._evaluate_conditions()

    # ------------------------------------------------------------------ names

    def physical_name(self, logical_id: str) -> str:
        return f"{self.stack_name}-{logical_id}"

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {lid: res for lid, res in self.resources.items() if res.get("Type") in types}

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties") or {}

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account_id}:{resource}"

    def static_resource(self, logical_id: str) -> tuple[Any, dict[str, Any]]:
        """Ref and attributes of resources whose identity needs no AWS call."""
        if logical_id not in self.resources:
            raise TemplateError(f"unknown resource {logical_id!r}")
        rtype = self.resources[logical_id].get("Type")
        props = self.properties(logical_id)
        name = self.physical_name(logical_id)
        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            name = str(self.resolve(props["FunctionName"])) if props.get("FunctionName") else name
            arn = self.arn("lambda", f"function:{name}")
            return name, {"Arn": arn}
        if rtype == "AWS::IAM::Role":
            name = props.get("RoleName") or name
            return name, {
                "Arn": f"arn:aws:iam::{self.account_id}:role/{name}",
                "RoleId": f"AROA{zlib.crc32(name.encode()):016d}",
            }
        if rtype in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            return self.arn("lambda", f"layer:{name}:1"), {}
        if rtype in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api", "AWS::Serverless::Api"):
            return "localapi", {"ApiEndpoint": "http://127.0.0.1"}
        return name, {"Arn": self.arn(rtype.split("::")[1].lower() if rtype else "unknown", name)}

    # ------------------------------------------------------------------ parameters

    def _parameter_values(self, overrides: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in (self.doc.get("Parameters") or {}).items():
            if name in overrides:
                value = overrides[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no Default and no override")
            # CloudFormation hands every parameter to Ref as a string (lists stay lists).
            values[name] = value if isinstance(value, list) else str(value)
        return values

    def _pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.arn("cloudformation", f"stack/{self.stack_name}/local"),
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": _NO_VALUE,
            "AWS::NotificationARNs": [],
        }[name]

    def _evaluate_conditions(self) -> None:
        pending = dict(self.doc.get("Conditions") or {})
        # Conditions may reference each other; evaluate lazily through resolve().
        self._pending_conditions = pending
        for name in list(pending):
            self.condition(name)

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            if name not in self._pending_conditions:
                raise TemplateError(f"unknown condition {name!r}")
            self.conditions[name] = bool(self.resolve(self._pending_conditions[name]))
        return self.conditions[name]

    # ------------------------------------------------------------------ intrinsics

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name.startswith("AWS::"):
            return self._pseudo(name)
        return self.resolve_resource(name)[0]

    def get_att(self, logical_id: str, attr: str) -> Any:
        _ref, attrs = self.resolve_resource(logical_id)
        if attr not in attrs:
            raise TemplateError(f"{logical_id} has no attribute {attr!r} locally")
        return attrs[attr]

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic in ``value`` (a fresh structure is returned)."""
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, arg)
        out = {}
        for key, item in value.items():
            resolved = self.resolve(item)
            if resolved is not _NO_VALUE:
                out[key] = resolved
        return out

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.resolve(v) for k, v in (arg[1] or {}).items()}
        else:
            text, variables = arg, {}

        def replace(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"  # ${!Literal} escapes a placeholder
            if expr in variables:
                return str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                logical_id, attr = expr.split(".", 1)
                return str(self.get_att(logical_id, attr))
            return str(self.ref(expr))

        return re.sub(r"\$\{([^}]+)\}", replace, text)


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()


def _fn_if(t: Template, arg: list[Any]) -> Any:
    name, when_true, when_false = arg
    return t.resolve(when_true if t.condition(name) else when_false)


def _fn_select(t: Template, arg: list[Any]) -> Any:
    index, items = t.resolve(arg[0]), t.resolve(arg[1])
    return items[int(index)]


def _fn_find_in_map(t: Template, arg: list[Any]) -> Any:
    name, top, second = (t.resolve(a) for a in arg[:3])
    return t.doc["Mappings"][name][top][second]


_INTRINSICS: dict[str, Callable[[Template, Any], Any]] = {
    "Ref": lambda t, a: t.ref(t.resolve(a)),
    "Fn::GetAtt": lambda t, a: t.get_att(*(a.split(".", 1) if isinstance(a, str) else t.resolve(a))),
    "Fn::Sub": lambda t, a: t._sub(a),
    "Fn::If": _fn_if,
    "Fn::Equals": lambda t, a: t.resolve(a[0]) == t.resolve(a[1]),
    "Fn::Not": lambda t, a: not t.resolve(a[0]),
    "Fn::And": lambda t, a: all(t.resolve(x) for x in a),
    "Fn::Or": lambda t, a: any(t.resolve(x) for x in a),
    "Condition": lambda t, a: t.condition(a),
    "Fn::Join": lambda t, a: str(t.resolve(a[0])).join(str(x) for x in t.resolve(a[1])),
    "Fn::Select": _fn_select,
    "Fn::Split": lambda t, a: str(t.resolve(a[1])).split(t.resolve(a[0])),
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::GetAZs": lambda t, a: [f"{t.region}a", f"{t.region}b", f"{t.region}c"],
    "Fn::Base64": lambda t, a: base64.b64encode(str(t.resolve(a)).encode()).decode(),
    "Fn::ToJsonString": lambda t, a: json.dumps(t.resolve(a), separators=(",", ":")),
    "Fn::Length": lambda t, a: len(t.resolve(a)),
}


# ---------------------------------------------------------------------- SAM functions


class FunctionSpec:
    """What the runtime needs to know about one ``AWS::Serverless::Function``."""

    def __init__(self, logical_id: str, props: dict[str, Any], template: Template) -> None:
        self.logical_id = logical_id
        self.props = props
        self.name: str = template.ref(logical_id)
        self.arn: str = template.get_att(logical_id, "Arn")
        code_uri = props.get("CodeUri") or "."
        self.code_dir = (template.root / str(code_uri)).resolve()
        handler = str(props.get("Handler") or "app.lambda_handler")
        module, _, func = handler.rpartition(".")
        self.module = module or "app"
        self.handler = func
        self.memory_mb = int(props.get("MemorySize") or 128)
        self.timeout_s = float(props.get("Timeout") or 3)
        self.environment: dict[str, str] = {
            k: _env_str(v) for k, v in ((props.get("Environment") or {}).get("Variables") or {}).items()
        }
        self.events: dict[str, dict[str, Any]] = props.get("Events") or {}

    def events_of_type(self, event_type: str) -> list[tuple[str, dict[str, Any]]]:
        return [(name, ev.get("Properties") or {}) for name, ev in self.events.items() if ev.get("Type") == event_type]


def _env_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)


def merged_properties(template: Template, logical_id: str) -> dict[str, Any]:
    """A serverless function's properties with ``Globals.Function`` merged in as SAM merges
    them (maps key by key, lists added up, anything else the function's own), unresolved."""
    globals_fn = ((template.doc.get("Globals") or {}).get("Function")) or {}
    return _deep_merge(globals_fn, template.properties(logical_id))


def function_environment(template: Template, logical_id: str) -> dict[str, str]:
    """The environment variables ``template.yaml`` gives one function, as SAM deploys them:
    ``Globals.Function.Environment`` merged with the function's own, intrinsics resolved, every
    value a string. (What Lambda itself adds, and the local stack's overrides, are not in it.)"""
    variables = (merged_properties(template, logical_id).get("Environment") or {}).get("Variables") or {}
    return {name: _env_str(value) for name, value in template.resolve(variables).items()}


def function_specs(template: Template) -> list[FunctionSpec]:
    """Every serverless function with ``Globals.Function`` merged in and intrinsics resolved."""
    specs = []
    for logical_id, res in template.of_type("AWS::Serverless::Function").items():
        if "Condition" in res and not template.condition(res["Condition"]):
            continue
        merged = merged_properties(template, logical_id)
        # Policies only matter to IAM; leaving them unresolved avoids needless lookups.
        merged.pop("Policies", None)
        specs.append(FunctionSpec(logical_id, template.resolve(merged), template))
    return specs


# ---------------------------------------------------------------------- IAM


def policy_statements(template: Template, logical_id: str, *, resolve: bool = True) -> list[dict[str, Any]]:
    """Every IAM statement a function's ``Policies`` grant: its inline statements and those of
    the ``AWS::IAM::ManagedPolicy`` resources it lists (``!Ref``), intrinsics resolved unless
    ``resolve`` is false. A policy named some other way (an AWS managed policy's ARN, a SAM
    policy template) comes back as ``{"Policy": <it>}``, so nothing granted goes unseen."""
    out = template.resolve if resolve else copy.deepcopy
    statements: list[dict[str, Any]] = []
    for policy in merged_properties(template, logical_id).get("Policies") or []:
        if isinstance(policy, dict) and set(policy) == {"Ref"} and policy["Ref"] in template.resources:
            managed = template.resources[policy["Ref"]]
            if managed.get("Type") != "AWS::IAM::ManagedPolicy":
                raise TemplateError(f"{logical_id} lists {policy['Ref']}, which is no managed policy")
            document = (managed.get("Properties") or {}).get("PolicyDocument") or {}
            statements.extend(out(document.get("Statement") or []))
        elif isinstance(policy, dict) and "Statement" in policy:
            statements.extend(out(policy["Statement"]))
        else:
            statements.append({"Policy": out(policy)})
    return statements
