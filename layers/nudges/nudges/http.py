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
BAD_BODY = "The body is not JSON, or a field is missing, unknown or invalid: `field` names it"
TOO_LARGE = f"The body is over {MAX_BODY_BYTES} bytes"


def error_responses(descriptions: dict[int, str]) -> dict[int, Any]:
    """OpenAPI responses for the errors a route answers, each with its description."""
    return {
        status: {"description": text, "content": {content_types.APPLICATION_JSON: {"schema": ERROR_SCHEMA}}}
        for status, text in descriptions.items()
    }


def raw_body(event: APIGatewayProxyEventV2) -> bytes:
    """The exact bytes the caller sent (what signatures are computed over), at most 1 MiB."""
    body = event.body or ""
    raw = base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    return raw


def json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from exc


def json_response(status: int, body: Any) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def resolver() -> APIGatewayHttpResolver:
    """An HTTP API resolver answering errors the one way (``register_error_handlers``)."""
    app = APIGatewayHttpResolver()
    register_error_handlers(app)
    return app


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(NudgesError)
    def _nudges_error(exc: NudgesError) -> Response:
        if exc.status_code >= 500 and not isinstance(exc, NotConfigured):
            raise exc  # ours to fix: a 500, logged with its trace; a setting to fill in says which
        body = {"message": exc.message}
        if exc.field:
            body["field"] = exc.field
        logger.info("request refused", extra={"status": exc.status_code, "reason": exc.message})
        if isinstance(exc, Unauthorized):
            # Every webhook's verification failure ends here, whichever provider and check.
            metrics.webhook_verification_failed(app.current_event.path)
        return json_response(exc.status_code, body)


def booking_answer(interview: Interview | None, ignored: dict[str, str]) -> Response:
    """A calendar webhook's answer: the interview its booking change made, or ``ignored`` (a
    delivery that carries no booking), both 200 so the provider does not retry."""
    if interview is None:
        return json_response(200, {"status": "ignored", **ignored})
    return json_response(
        200, {"status": "accepted", "interview_id": interview.interview_id, "interview_status": interview.status}
    )


# How an outcome source's result answers its webhook: kept (no interview known yet) is 202.
SOURCE_STATUS = {"kept": 202}


def source_answer(handled: Handled) -> Response:
    """An outcome webhook's answer, from what its outcome source made of it."""
    return json_response(SOURCE_STATUS.get(handled.status, 200), handled.body())
