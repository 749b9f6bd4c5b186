"""Operator API: register candidates, read their interview timeline, record outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from nudges import clock, config, wiring
from nudges.domain.plan import NUDGE_KINDS
from nudges.errors import InvalidInput, NotFound
from nudges.http import json_body, json_response, parse, raw_body, register_error_handlers
from nudges.metrics import log_metrics
from nudges.observability import logger
from nudges.timefmt import iso

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from nudges.domain.candidate import Candidate

app = APIGatewayHttpResolver()
register_error_handlers(app)


def _candidates():
    from nudges.services.candidates import CandidateService

    return CandidateService(wiring.store(), wiring.planner(), wiring.scheduler(), wiring.calendars)


def _view(candidate: Candidate) -> dict[str, Any]:
    base = config.public_base_url(app.current_event.request_context.domain_name)
    return {
        "candidate_id": candidate.candidate_id,
        "email": candidate.email,
        "phone": candidate.phone,
        "name": candidate.name,
        "timezone": candidate.timezone,
        "channels": list(candidate.channels),
        "locale": candidate.locale,
        "ics_inbox_url": f"{base}/webhooks/ics/{candidate.ics_inbox_token}",
        # Where the candidate forwards invites by email (only when an inbox domain is set up).
        "ics_inbox_email": f"{candidate.ics_inbox_token}@{domain}" if (domain := config.inbox_domain()) else None,
        "created_at": iso(candidate.created_at),
    }


@app.post("/candidates")
def create_candidate() -> Response:
    from nudges.models.api import NewCandidate

    new = parse(NewCandidate, json_body(raw_body(app.current_event)))
    return json_response(201, _view(_candidates().register(new, clock.now())))


@app.get("/candidates/<candidate_id>")
def get_candidate(candidate_id: str) -> Response:
    return json_response(200, _view(_candidates().get(candidate_id)))


@app.delete("/candidates/<candidate_id>")
def delete_candidate(candidate_id: str) -> Response:
    _candidates().delete(candidate_id)
    return Response(status_code=204, body="")


@app.patch("/candidates/<candidate_id>")
def update_candidate(candidate_id: str) -> Response:
    from nudges.models.api import CandidateChanges

    changes = parse(CandidateChanges, json_body(raw_body(app.current_event)))
    return json_response(200, _view(_candidates().update(candidate_id, changes, clock.now())))


@app.get("/interviews/<interview_id>/nudges/<kind>/preview")
def preview_nudge(interview_id: str, kind: str) -> Response:
    """Exactly what would be sent for this nudge now, on one channel."""
    channel = app.current_event.get_query_string_value("channel", "email")
    if kind not in NUDGE_KINDS:
        raise InvalidInput(f"kind: must be one of {', '.join(NUDGE_KINDS)}", field="kind")
    if channel not in ("email", "sms"):
        raise InvalidInput("channel: must be email or sms", field="channel")
    found = wiring.store().get_interview(interview_id)
    if found is None:
        raise NotFound(f"no interview {interview_id}", field="interview_id")
    owner_id = found[0].application_id if kind == "connect" else interview_id
    composed = wiring.composer().compose(owner_id, kind, preview=True)
    if isinstance(composed, str):
        raise NotFound(composed, field="interview_id")
    candidate, message = composed
    if channel == "sms":
        return json_response(
            200, {"channel": "sms", "to": candidate.phone, "body": message.sms, "characters": len(message.sms)}
        )
    return json_response(
        200,
        {
            "channel": "email",
            "to": candidate.email,
            "subject": message.subject,
            "body": message.text,
            "html": message.html,
        },
    )


@app.get("/candidates/<candidate_id>/interviews")
def list_interviews(candidate_id: str) -> Response:
    return json_response(200, _candidates().timeline(candidate_id, clock.now()))


@app.post("/candidates/<candidate_id>/calendars")
def connect_calendar(candidate_id: str) -> Response:
    from nudges.models.calendars import CalendarConnect

    request = parse(CalendarConnect, json_body(raw_body(app.current_event)))
    base = config.public_base_url(app.current_event.request_context.domain_name)
    connection = wiring.calendars().connect(candidate_id, request, base, clock.now())
    return json_response(
        201,
        {
            "candidate_id": candidate_id,
            "provider": connection.provider,
            "calendar_id": connection.calendar_id,
            "notification_url": connection.callback_url,
            "watch_expires_at": iso(connection.watch_expires) if connection.watch_expires else None,
        },
    )


@app.post("/interviews/<interview_id>/outcome")
def record_outcome(interview_id: str) -> Response:
    from nudges.models.api import OutcomeReport
    from nudges.services.outcomes import OutcomeService

    report = parse(OutcomeReport, json_body(raw_body(app.current_event)))
    application = OutcomeService(wiring.store(), wiring.planner()).record_for_interview(
        interview_id, report.outcome, clock.now()
    )
    return json_response(
        202, {"interview_id": interview_id, "application_id": application.application_id, "outcome": report.outcome}
    )


@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
