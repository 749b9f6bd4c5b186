"""The HTTP edge shared by every API function: body limits, JSON parsing, one error mapping."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.event_handler import Response, content_types

from nudges import metrics
from nudges.errors import InvalidInput, NotConfigured, NudgesError, PayloadTooLarge, Unauthorized
from nudges.observability import logger

if TYPE_CHECKING:
    from datetime import datetime

    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
    from pydantic import BaseModel, ValidationError

    from nudges.services.bookings import BookingChange

    Model = TypeVar("Model", bound=BaseModel)

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


def error_responses(descriptions: dict[int, str]) -> dict[int, dict[str, Any]]:
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


def parse[Model: BaseModel](model: type[Model], data: Any) -> Model:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: ValidationError) -> InvalidInput:
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    return InvalidInput(f"{field}: {message}" if field else message, field=field)


def json_response(status: int, body: Any) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


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


def booking_reply(change: BookingChange | None, now: datetime, *, ignored: dict[str, str]) -> Response:
    """Apply a calendar webhook's booking change and answer it; ``ignored`` describes a delivery
    that carries no booking (another trigger), answered 200 so the provider does not retry it."""
    if change is None:
        logger.info("webhook event ignored", extra=ignored)
        return json_response(200, {"status": "ignored", **ignored})
    from nudges import wiring
    from nudges.services.bookings import BookingService

    interview = BookingService(wiring.store(), wiring.planner()).apply(change, now)
    return json_response(
        200, {"status": "accepted", "interview_id": interview.interview_id, "interview_status": interview.status}
    )
