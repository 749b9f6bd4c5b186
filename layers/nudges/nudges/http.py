"""The HTTP edge shared by every API function: body limits, JSON parsing, one error mapping."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from nudges import metrics
from nudges.errors import InvalidInput, NotConfigured, NudgesError, PayloadTooLarge, Unauthorized
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    from nudges.domain.interview import Interview
    from nudges.services.outcome_sources import Handled

MAX_BODY_BYTES = 1024 * 1024

# The default of a handler parameter that only describes the request for the OpenAPI document:
# request validation is off, so Powertools never fills it; the handler reads the event itself.
DOC_ONLY: Any = None

# The one error body the API answers with (what register_error_handlers writes, and API Gateway's
# own answers share its shape); the OpenAPI document names it for every 4xx a route can give.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "properties": {
        "message": {"type": "string", "description": "What is wrong, naming the field first, as in 'email: ...'"},
        "field": {"type": "string", "description": "The body field or path parameter at fault, when there is one"},
    },
    "required": ["message"],
}
# A registration refused because the address is registered with other details names that candidate.
CONFLICT_SCHEMA: dict[str, Any] = {
    **ERROR_SCHEMA,
    "title": "Conflict",
    "properties": {
        **ERROR_SCHEMA["properties"],
        "candidate_id": {"type": "string", "description": "The candidate already registered with this address"},
    },
    "required": ["message", "candidate_id"],
}
# AWS answers that mean "not now" (throttled, overloaded, unreachable): the caller retries.
_AWS_BUSY_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalServerError",
        "InternalFailure",
        "TransactionInProgressException",
        "SlowDown",
    }
)
DEPENDENCY_DOWN = "A provider or AWS service this request needs is unavailable: retry later"
RETRY_AFTER_SECONDS = "30"


BAD_BODY = "The body is not JSON, or a field is missing, unknown or invalid: `field` names it"
TOO_LARGE = f"The body is over {MAX_BODY_BYTES} bytes"


def error_responses(descriptions: dict[int, str]) -> dict[int, Any]:
    """OpenAPI responses for the errors a route answers, each with its description; every route
    may also answer 503 (AWS throttling or unreachable: ``register_error_handlers``)."""
    answers: dict[int, Any] = {
        status: {"description": text, "content": {content_types.APPLICATION_JSON: {"schema": ERROR_SCHEMA}}}
        for status, text in {**descriptions, 503: descriptions.get(503, DEPENDENCY_DOWN)}.items()
    }
    for status in (502, 503):
        if status in answers:
            answers[status]["headers"] = {
                "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
            }
    return answers


def raw_body(event: APIGatewayProxyEventV2) -> bytes:
    """The exact bytes the caller sent (what signatures are computed over), at most 1 MiB."""
    body = event.body or ""
    raw = base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    return raw


# A JSON body is held to these (docs/reliability.md "Hostile bodies"): no provider payload nests
# deeper than a dozen levels, and none writes a number of 40 characters.
MAX_JSON_DEPTH = 64
MAX_NUMBER_CHARS = 40
BODY_FIELD = "body"


class _Refused(ValueError):
    """A number or constant the bounded reader does not take (raised from json's hooks)."""


def _number(text: str) -> str:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number of {len(text)} characters; at most {MAX_NUMBER_CHARS}")
    return text


def _float(text: str) -> float:
    value = float(_number(text))
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"the number {text} is out of range")
    return value


def _constant(text: str) -> Any:
    raise _Refused(f"{text} is not a JSON number")


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep ``value``'s arrays and objects nest, counted a level at a time (no recursion)
    and given up past ``limit`` (then ``limit + 1``)."""
    level, depth = [value], 0
    while level := [node for node in level if node.__class__ is dict or node.__class__ is list]:
        depth += 1
        if depth > limit:
            break
        children: list[Any] = []
        for node in level:
            children.extend(node.values() if node.__class__ is dict else node)
        level = children
    return depth


def json_body(raw: bytes) -> Any:
    """The body's JSON, read within bounds: UTF-8, at most ``MAX_JSON_DEPTH`` levels deep,
    numbers of at most ``MAX_NUMBER_CHARS`` characters (refused by json's own number hooks
    before Python converts them), no NaN or Infinity. Anything else is a 400 naming ``body``,
    never a 5xx; the size is ``raw_body``'s (1 MiB). A body with at most ``MAX_JSON_DEPTH``
    brackets (a C count) cannot nest too deep and is not walked; deeper than the interpreter's
    recursion limit, json itself stops (``RecursionError``) before building anything."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"body: not UTF-8 text (byte {exc.start} is not UTF-8)", field=BODY_FIELD) from None
    try:
        value = json.loads(text, parse_int=lambda t: int(_number(t)), parse_float=_float, parse_constant=_constant)
    except _Refused as exc:
        raise InvalidInput(f"body: {exc}", field=BODY_FIELD) from None
    except RecursionError:
        raise InvalidInput(f"body: nested deeper than {MAX_JSON_DEPTH} levels", field=BODY_FIELD) from None
    except ValueError as exc:  # json.JSONDecodeError is one
        raise InvalidInput(f"body: not valid JSON: {exc}", field=BODY_FIELD) from None
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and json_depth(value) > MAX_JSON_DEPTH:
        raise InvalidInput(f"body: nested deeper than {MAX_JSON_DEPTH} levels", field=BODY_FIELD)
    return value


def json_response(status: int, body: Any) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _aws_unavailable(exc: Exception) -> bool:
    """Whether ``exc`` is botocore saying AWS is unreachable, throttling or failing (5xx); told
    by its class's module, so this module does not import botocore (36 ms) on the cold path."""
    if not any(cls.__module__ == "botocore.exceptions" for cls in type(exc).__mro__):
        return False
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return True  # EndpointConnectionError, ReadTimeoutError...: no answer at all
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return code in _AWS_BUSY_CODES or int(status) >= 500


def _unavailable(status: int, message: str, dependency: str) -> Response:
    """A dependency outage, answered once as JSON: logged once (no traceback: it is not a bug),
    counted, and marked retryable."""
    logger.warning("dependency unavailable", extra={"status": status, "dependency": dependency, "reason": message})
    metrics.dependency_failed(dependency)
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"message": message}),
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def resolver() -> APIGatewayHttpResolver:
    """An HTTP API resolver answering errors the one way (``register_error_handlers``)."""
    app = APIGatewayHttpResolver()
    register_error_handlers(app)
    return app


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(Exception)
    def _other_error(exc: Exception) -> Response:
        if _aws_unavailable(exc):
            return _unavailable(503, DEPENDENCY_DOWN, "aws")
        raise exc  # a bug: Lambda logs it and counts an error, the alarm says so

    @app.exception_handler(NudgesError)
    def _nudges_error(exc: NudgesError) -> Response:
        if isinstance(exc, NotConfigured):
            # A setting the operator has still to fill in: not an outage (no dependency metric),
            # answered 503 with what to fill in.
            logger.warning("not configured", extra={"reason": exc.message})
            return json_response(503, {"message": exc.message, "field": exc.field or "configuration"})
        if exc.status_code >= 500:
            return _unavailable(exc.status_code, exc.message, getattr(exc, "dependency", None) or "other")
        body = {"message": exc.message}
        if exc.field:
            body["field"] = exc.field
        body.update(exc.details)
        logger.info("request refused", extra={"status": exc.status_code, "reason": exc.message})
        if isinstance(exc, Unauthorized):
            # Every webhook's verification failure ends here, whichever provider and check.
            metrics.webhook_verification_failed(app.current_event.path)
        return json_response(exc.status_code, body)


def booking_answer(
    interview: Interview | None, ignored: dict[str, str], now: datetime, also: list[Interview] | None = None
) -> Response:
    """A calendar webhook's answer: the interview its booking change made, or ``ignored`` (a
    delivery that carries no booking), both 200 so the provider does not retry. ``also``: the
    other seats' interviews a seated booking's change made (listed under ``interviews``)."""
    if interview is None:
        return json_response(200, {"status": "ignored", **ignored})
    # As GET .../interviews shows it: a booking that ended already is "completed".
    status = interview.status_at(now)
    body: dict[str, Any] = {"status": "accepted", "interview_id": interview.interview_id, "interview_status": status}
    if also:
        body["interviews"] = [
            {"interview_id": i.interview_id, "interview_status": i.status_at(now)} for i in (interview, *also)
        ]
    return json_response(200, body)


# How an outcome source's result answers its webhook: kept (no interview known yet) is 202.
SOURCE_STATUS = {"kept": 202}


def source_answer(handled: Handled) -> Response:
    """An outcome webhook's answer, from what its outcome source made of it."""
    return json_response(SOURCE_STATUS.get(handled.status, 200), handled.body())
