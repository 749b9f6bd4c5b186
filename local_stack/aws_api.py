"""An AWS API served from botocore's own service model: what the ``/_aws/`` emulators share.

moto has neither End User Messaging API, so the stack serves them itself (``eum_sms``,
``eum_social``). Each request is read as the service reads it (the ``json`` protocol's
``X-Amz-Target``, or ``rest-json``'s method and URI), turned back into the operation's input,
and checked against the model the SDK was generated from: unknown members, missing required
ones, wrong types, lengths, ranges, patterns and enum values fail with the service's
``ValidationException`` (stricter than AWS in one way: AWS ignores a member it does not know;
here it fails, so a misspelt parameter is caught). The answer is serialised from the
operation's output shape; errors come back as the protocol writes them, so botocore raises the
same ``ClientError`` it would against AWS.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.validate import ParamValidator

from .apigw import HttpResponse

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape


class ApiError(Exception):
    """An error answer: the exception shape's name, its message, the HTTP status, more members."""

    def __init__(self, code: str, message: str, status: int = 400, **members: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.members = members


@cache
def service_model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


def _wire_to_python(shape: Shape, value: Any) -> Any:
    """A JSON request body's value as the SDK's caller gave it: blobs decoded, timestamps read."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {k: _wire_to_python(members[k], v) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_wire_to_python(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {k: _wire_to_python(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ApiError("ValidationException", f"{shape.name}: not base64") from exc
    if kind == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return value


def _python_to_wire(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {k: _python_to_wire(members[k], v) for k, v in value.items() if k in members and v is not None}
    if kind == "list":
        return [_python_to_wire(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if kind == "map":
        return {k: _python_to_wire(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "blob":
        return base64.b64encode(value).decode()
    if kind == "timestamp" and isinstance(value, datetime):
        return value.timestamp()
    return value


def _from_text(shape: Shape, value: str) -> Any:
    """A query string or header value as its member's type (left as text when it is not one)."""
    if shape.type_name in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            return value
    if shape.type_name == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _constraint_errors(shape: Shape, value: Any, path: str) -> list[str]:
    """What botocore's client-side validator leaves to the service: maximum lengths and values,
    patterns and enums (the minimums and types it checks itself)."""
    errors: list[str] = []
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if name in value and value[name] is not None:
                errors += _constraint_errors(member, value[name], f"{path}.{name}" if path else name)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: at most {meta['max']} items")
        for i, item in enumerate(value):
            errors += _constraint_errors(shape.member, item, f"{path}[{i}]")  # type: ignore[attr-defined]
    elif kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: at most {meta['max']} characters")
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")
        pattern = meta.get("pattern")
        if pattern:
            try:
                compiled = re.compile(pattern)
            except re.error:  # a Java-only construct: the service checks it, this emulator cannot
                compiled = None
            if compiled is not None and not compiled.search(value):
                errors.append(f"{path}: does not match the pattern {pattern}")
    elif kind in ("integer", "long") and isinstance(value, int) and "max" in meta and value > meta["max"]:
        errors.append(f"{path}: at most {meta['max']}")
    elif kind == "blob" and isinstance(value, (bytes, bytearray)) and "max" in meta and len(value) > meta["max"]:
        errors.append(f"{path}: at most {meta['max']} bytes")
    return errors


def validate(operation: OperationModel, params: dict[str, Any]) -> None:
    """ValidationException naming every parameter that breaks the operation's input shape."""
    shape = operation.input_shape
    if shape is None:
        if params:
            raise ApiError("ValidationException", f"{operation.name} takes no parameters")
        return
    report = ParamValidator().validate(params, shape)
    errors = [report.generate_report()] if report.has_errors() else []
    errors += _constraint_errors(shape, params, "")
    if errors:
        raise ApiError("ValidationException", "; ".join(e.strip() for e in errors), Reason="FIELD_VALIDATION_FAILED")


class JsonApi:
    """A ``json``-protocol service (``X-Amz-Target: <prefix>.<Operation>``, POST /)."""

    def __init__(self, service: str) -> None:
        self.model = service_model(service)

    def read(self, headers: dict[str, str], body: bytes) -> tuple[OperationModel, dict[str, Any]]:
        target = headers.get("x-amz-target", "")
        prefix, _, name = target.partition(".")
        if prefix != self.model.metadata.get("targetPrefix") or name not in self.model.operation_names:
            raise ApiError("UnknownOperationException", f"unknown operation {target!r}")
        operation = self.model.operation_model(name)
        try:
            raw = json.loads(body or b"{}")
        except ValueError as exc:
            raise ApiError("SerializationException", "the body is not JSON") from exc
        if not isinstance(raw, dict):
            raise ApiError("SerializationException", "the body is not a JSON object")
        params = _wire_to_python(operation.input_shape, raw) if operation.input_shape else raw
        validate(operation, params)
        return operation, params

    def answer(self, operation: OperationModel, result: dict[str, Any]) -> HttpResponse:
        body = _python_to_wire(operation.output_shape, result) if operation.output_shape else {}
        content_type = f"application/x-amz-json-{self.model.metadata.get('jsonVersion', '1.0')}"
        return HttpResponse(200, [("content-type", content_type)], json.dumps(body).encode())

    def error(self, error: ApiError) -> HttpResponse:
        content_type = f"application/x-amz-json-{self.model.metadata.get('jsonVersion', '1.0')}"
        body = {"__type": error.code, "message": error.message, **error.members}
        return HttpResponse(error.status, [("content-type", content_type)], json.dumps(body).encode())


class RestJsonApi:
    """A ``rest-json`` service: the operation from the method and the request URI, its input from
    the URI labels, the query string, the headers and the JSON body."""

    def __init__(self, service: str) -> None:
        self.model = service_model(service)
        self._routes: list[tuple[str, re.Pattern[str], OperationModel]] = []
        for name in self.model.operation_names:
            operation = self.model.operation_model(name)
            uri = operation.http["requestUri"].split("?", 1)[0]
            pattern = re.sub(r"\\\{(\w+)\\\+?\\\}", r"(?P<\1>[^/]+)", re.escape(uri))
            self._routes.append((operation.http["method"], re.compile(f"^{pattern}$"), operation))

    def read(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[OperationModel, dict[str, Any]]:
        for route_method, pattern, candidate in self._routes:
            found = pattern.match(path)
            if found and route_method == method:
                operation = candidate
                break
        else:
            raise ApiError("UnknownOperationException", f"no operation at {method} {path}", status=404)
        shape = operation.input_shape
        params: dict[str, Any] = {}
        if shape is not None:
            raw: Any = {}
            if body:
                try:
                    raw = json.loads(body)
                except ValueError as exc:
                    raise ApiError("SerializationException", "the body is not JSON") from exc
                if not isinstance(raw, dict):
                    raise ApiError("SerializationException", "the body is not a JSON object")
            queries = urllib.parse.parse_qs(query, keep_blank_values=True)
            located = set()
            for name, member in shape.members.items():  # type: ignore[attr-defined]
                where = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if where == "uri" and wire in found.groupdict():
                    params[name] = urllib.parse.unquote(found.group(wire))
                elif where == "querystring" and wire in queries:
                    values = queries[wire]
                    params[name] = values if member.type_name == "list" else _from_text(member, values[0])
                elif where == "header" and wire.lower() in headers:
                    params[name] = _from_text(member, headers[wire.lower()])
                if where:
                    located.add(name)
            for name, value in raw.items():
                if name in located:
                    raise ApiError("ValidationException", f"{name}: not a member of the request body")
                member = shape.members.get(name)  # type: ignore[attr-defined]
                params[name] = _wire_to_python(member, value) if member is not None else value
        validate(operation, params)
        return operation, params

    def answer(self, operation: OperationModel, result: dict[str, Any]) -> HttpResponse:
        body = _python_to_wire(operation.output_shape, result) if operation.output_shape else {}
        status = int(operation.http.get("responseCode", 200))
        return HttpResponse(status, [("content-type", "application/json")], json.dumps(body).encode())

    def error(self, error: ApiError) -> HttpResponse:
        body = {"message": error.message, **error.members}
        headers = [("content-type", "application/json"), ("x-amzn-errortype", error.code)]
        return HttpResponse(error.status, headers, json.dumps(body).encode())


class EndpointStore:
    """What an emulator holds, kept in the AWS endpoint itself (an S3 bucket of the stack's own),
    so that a stack restarted against the same ``AWS_ENDPOINT_URL`` carries on, as with every
    other service: JSON records under a prefix, read back at start. Without a client (a test's
    emulator) it keeps nothing."""

    def __init__(self, s3: Any | None, bucket: str, prefix: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix.rstrip("/") + "/"
        if s3 is not None:
            try:
                s3.head_bucket(Bucket=bucket)
            except Exception:
                s3.create_bucket(Bucket=bucket)

    def put(self, key: str, record: dict[str, Any]) -> None:
        if self._s3 is not None:
            body = json.dumps(record, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
            self._s3.put_object(Bucket=self._bucket, Key=self._prefix + key, Body=body.encode())

    def delete(self, key: str) -> None:
        if self._s3 is not None:
            self._s3.delete_object(Bucket=self._bucket, Key=self._prefix + key)

    def load(self, under: str) -> list[tuple[str, dict[str, Any]]]:
        """(key, record) of everything under ``under``, in key order."""
        if self._s3 is None:
            return []
        found = []
        start = self._prefix + under.rstrip("/") + "/"
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=start):
            for item in page.get("Contents", []):
                body = self._s3.get_object(Bucket=self._bucket, Key=item["Key"])["Body"].read()
                found.append((item["Key"][len(start) :], json.loads(body)))
        return sorted(found, key=lambda pair: pair[0])
