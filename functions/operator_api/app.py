"""Operator API: register candidates, read their interview timeline, record outcomes.

The route signatures and options describe the API for its OpenAPI document (Powertools builds it
from them: ``openapi_document()`` below, ``make openapi``, ``/docs`` on the local stack). Request
validation stays off, on purpose: each handler parses the raw body through ``nudges.http`` and ``nudges.models.parsing`` (the
1 MiB limit first -> 413, then JSON -> 400, then the model -> 400 with ``field``), so the answers
keep their shape; Powertools' validation would answer 422 with its own error list, check the size
after parsing, and load pydantic plus its OpenAPI machinery on every route's first request. So a
body parameter here only documents the body (Powertools never fills it: ``DOC_ONLY``). The
annotations are strings naming models imported only for type checkers: a cold start imports no
pydantic; ``openapi_document()`` imports them when it builds the document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

from aws_lambda_powertools.event_handler import Response

from nudges import clock, config, wiring
from nudges.domain.channels import CHANNEL_SPECS
from nudges.domain.locales import LOCALES
from nudges.handlers import api_handler
from nudges.http import (
    BAD_BODY,
    CONFLICT_SCHEMA,
    DOC_ONLY,
    TOO_LARGE,
    error_responses,
    json_body,
    json_response,
    raw_body,
    resolver,
)
from nudges.models.parsing import parse
from nudges.timefmt import iso

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

    from nudges.domain import candidate as domain
    from nudges.domain.plan import NudgeKind
    from nudges.models import views
    from nudges.models.api import CandidateChanges, JoinCodeRequest, NewCandidate, NewInterview, OutcomeReport
    from nudges.models.calendar_events import CalendarConnect

    CandidateId = Annotated[
        str, Path(description="The id registration answered", examples=["c_b1f2f627a92de5cf82feeaf7"])
    ]
    InterviewId = Annotated[
        str, Path(description="An interview_id from the timeline", examples=["iv_18399ab77dda050a73e79ba0"])
    ]

NO_CANDIDATE = "No candidate with this id"
NO_INTERVIEW = "No interview with this id"

app = resolver()


def _view(candidate: domain.Candidate) -> views.Candidate:
    from nudges.services.journey import journey

    base = config.public_base_url(app.current_event.request_context.domain_name)
    # Reachability, consent, calendars and the candidate's own links (issue 16).
    extras = journey(
        candidate,
        wiring.preferences(),
        wiring.calendar_service(),
        base,
        wiring.unsubscribe_keys()[0],
        wiring.configured_providers(),
    )
    view = {
        "candidate_id": candidate.candidate_id,
        "email": candidate.email,
        "email_aliases": list(candidate.email_aliases),
        "phone": candidate.phone,
        "name": candidate.name,
        "timezone": candidate.timezone,
        "channels": list(candidate.channels),
        "locale": candidate.locale,  # one of GET /locales, as registration checked
        "draft_locale": candidate.drafts_in,
        "ics_inbox_url": f"{base}/webhooks/ics/{candidate.ics_inbox_token}",
        # Where the candidate forwards invites by email (only when an inbox domain is set up).
        "ics_inbox_email": f"{candidate.ics_inbox_token}@{domain}" if (domain := config.inbox_domain()) else None,
        "created_at": iso(candidate.created_at),
        **extras,
    }
    return cast("views.Candidate", view)


@app.post(
    "/candidates",
    summary="Register a candidate",
    description="Interviews and offers already received for this email address get their nudges now. "
    "Registering again with the same details answers the same candidate (a retry is safe).",
    tags=["candidates"],
    responses={
        201: {"description": "Registered"},
        **error_responses({400: BAD_BODY, 413: TOO_LARGE}),
        409: {
            "description": "This email address is registered with other details: `candidate_id` names that candidate",
            "content": {"application/json": {"schema": CONFLICT_SCHEMA}},
        },
    },
    operation_id="create_candidate",
)
def create_candidate(body: Annotated[NewCandidate, Body()] = DOC_ONLY) -> Response[views.Candidate]:
    from nudges.models.api import NewCandidate

    new = parse(NewCandidate, json_body(raw_body(app.current_event)))
    return json_response(201, _view(wiring.candidate_service().register(new, clock.now())))


@app.get(
    "/candidates",
    summary="Find a candidate by email, or list them all",
    description="With `email`: the candidate registered with that address (any case), or 404. Without: "
    "a page of at most 100 candidates, newest registration first, each once; pass `next_cursor` as "
    "`cursor` for the next page (null on the last).",
    tags=["candidates"],
    responses={
        200: {"description": "The candidate (with `email`), or a page of candidates"},
        **error_responses({400: "A cursor this API did not give out", 404: "No candidate with this email"}),
    },
    operation_id="find_candidates",
)
def find_candidates(
    email: Annotated[str | None, Query(description="An email address, any case")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    join_code: Annotated[str | None, Query(description="Only the candidates who joined with this code")] = None,
) -> Response[views.Candidate | views.CandidatePage]:
    event = app.current_event
    email, cursor = event.get_query_string_value("email"), event.get_query_string_value("cursor")
    if email is not None:
        return json_response(200, _view(wiring.candidate_service().find(email)))
    code = event.get_query_string_value("join_code") or None
    candidates, next_cursor = wiring.candidate_directory().page(cursor or None, join_code=code)
    return json_response(200, {"candidates": [_view(c) for c in candidates], "next_cursor": next_cursor})


@app.get(
    "/candidates/<candidate_id>/messages",
    summary="Every message sent to a candidate, and what became of it",
    description="Newest first: each email and text message with its provider's message id (SES or SNS "
    "MessageId) and its status from SES's delivery, bounce and complaint events.",
    tags=["candidates"],
    responses={200: {"description": "The message log"}, **error_responses({404: NO_CANDIDATE})},
    operation_id="list_messages",
)
def list_messages(candidate_id: CandidateId) -> Response[list[views.Message]]:
    wiring.candidate_service().get(candidate_id)  # 404 for an unknown candidate
    return json_response(
        200,
        [
            {
                "kind": m.kind,
                "channel": m.channel,
                **({"interview_id": m.interview_id} if m.interview_id else {}),
                "sent_at": iso(m.sent_at),
                "status": m.status,
                "provider_message_id": m.provider_message_id,
            }
            for m in wiring.message_log().for_candidate(candidate_id)
        ],
    )


@app.get(
    "/locales",
    summary="The languages a candidate may be registered in",
    description="Every supported `locale` (its code and its own name), and the stack's `DefaultLocale`: "
    "the language of a candidate registered without one (English: US English for a zone in the United States).",
    tags=["candidates"],
    responses={200: {"description": "The supported locales"}, **error_responses({})},
    operation_id="list_locales",
)
def list_locales() -> Response[views.Locales]:
    return json_response(
        200,
        {"locales": [{"code": x.code, "name": x.name} for x in LOCALES], "default": config.default_locale()},
    )


@app.get(
    "/candidates/<candidate_id>",
    summary="Read a candidate",
    tags=["candidates"],
    responses={200: {"description": "The candidate"}, **error_responses({404: NO_CANDIDATE})},
    operation_id="get_candidate",
)
def get_candidate(candidate_id: CandidateId) -> Response[views.Candidate]:
    return json_response(200, _view(wiring.candidate_service().get(candidate_id)))


@app.delete(
    "/candidates/<candidate_id>",
    summary="Erase a candidate",
    description="Removes the candidate and everything stored about them, and cancels their schedules. "
    "Erasing an unknown (or already erased) candidate answers 204 too.",
    tags=["candidates"],
    responses={204: {"description": "Erased", "content": {}}, **error_responses({})},
    operation_id="delete_candidate",
)
def delete_candidate(candidate_id: CandidateId) -> Response[None]:
    wiring.candidate_service().delete(candidate_id)
    return Response(status_code=204, body="")  # type: ignore[arg-type]  # no content, as API Gateway sends it


@app.patch(
    "/candidates/<candidate_id>",
    summary="Change a candidate",
    description="Omitted fields stay as they are; nudges still ahead are planned again.",
    tags=["candidates"],
    responses={
        200: {"description": "The candidate, changed"},
        **error_responses({400: BAD_BODY, 404: NO_CANDIDATE, 413: TOO_LARGE}),
    },
    operation_id="update_candidate",
)
def update_candidate(
    candidate_id: CandidateId, body: Annotated[CandidateChanges, Body()] = DOC_ONLY
) -> Response[views.Candidate]:
    from nudges.models.api import CandidateChanges

    changes = parse(CandidateChanges, json_body(raw_body(app.current_event)))
    return json_response(200, _view(wiring.candidate_service().update(candidate_id, changes, clock.now())))


@app.get(
    "/interviews/<interview_id>/nudges/<kind>/preview",
    summary="Preview a nudge",
    description="Exactly what would be sent for this nudge now, on one channel (nothing is sent).",
    tags=["interviews"],
    responses={
        200: {"description": "The message"},
        **error_responses(
            {400: "An unknown kind or channel", 404: "No interview with this id, or no candidate to address"}
        ),
    },
    operation_id="preview_nudge",
)
def preview_nudge(
    interview_id: InterviewId,
    kind: Annotated[NudgeKind, Path(description="Which nudge")],
    channel: Annotated[domain.Channel, Query(description="Which message")] = "email",
) -> Response[views.Preview]:
    chosen = app.current_event.get_query_string_value("channel", channel)  # not filled in: validation is off
    candidate, message = wiring.composer().preview(interview_id, kind, chosen)
    if CHANNEL_SPECS[chosen].body == "short_text":  # nudges.domain.channels
        to = CHANNEL_SPECS[chosen].address(candidate)
        return json_response(200, {"channel": chosen, "to": to, "body": message.sms, "characters": len(message.sms)})
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


@app.get(
    "/candidates/<candidate_id>/interviews",
    summary="A candidate's interviews and their nudges",
    description="Earliest first; each with its nudges (planned, sent, skipped or cancelled, with the reason), "
    "its application's own nudges (connect after an offer, rejection_reply after a rejection) included.",
    tags=["interviews"],
    responses={200: {"description": "The timeline"}, **error_responses({404: NO_CANDIDATE})},
    operation_id="list_interviews",
)
def list_interviews(candidate_id: CandidateId) -> Response[list[views.Interview]]:
    return json_response(200, wiring.candidate_service().timeline(candidate_id, clock.now()))


@app.post(
    "/candidates/<candidate_id>/calendars",
    summary="Watch a calendar",
    description="Trades the refresh token for access, opens a watch (a Google channel or a Microsoft Graph "
    "subscription) and reads the calendar in the background; its interviews then arrive as they change.",
    tags=["calendars"],
    responses={
        201: {"description": "Watching"},
        **error_responses(
            {
                400: BAD_BODY + "; or the provider refused the refresh token, or has no such calendar",
                404: NO_CANDIDATE,
                413: TOO_LARGE,
                502: "The provider's token endpoint or calendar API failed, or no OAuth client is configured for it",
            }
        ),
    },
    operation_id="connect_calendar",
)
def connect_calendar(
    candidate_id: CandidateId, body: Annotated[CalendarConnect, Body()] = DOC_ONLY
) -> Response[views.CalendarConnection]:
    from nudges.models.calendar_events import CalendarConnect

    request = parse(CalendarConnect, json_body(raw_body(app.current_event)))
    base = config.public_base_url(app.current_event.request_context.domain_name)
    connection = wiring.calendar_service().connect(candidate_id, request, base, clock.now())
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


@app.post(
    "/interviews/<interview_id>/outcome",
    summary="Record an outcome",
    description="For the interview's whole application: an offer plans the connect nudge.",
    tags=["interviews"],
    responses={
        202: {"description": "Recorded"},
        **error_responses({400: BAD_BODY, 404: NO_INTERVIEW, 413: TOO_LARGE}),
    },
    operation_id="record_outcome",
)
def record_outcome(
    interview_id: InterviewId, body: Annotated[OutcomeReport, Body()] = DOC_ONLY
) -> Response[views.OutcomeRecorded]:
    from nudges.models.api import OutcomeReport

    report = parse(OutcomeReport, json_body(raw_body(app.current_event)))
    application = wiring.outcomes().record_for_interview(interview_id, report.outcome, clock.now())
    return json_response(
        202, {"interview_id": interview_id, "application_id": application.application_id, "outcome": report.outcome}
    )


# ---------------------------------------------------------------- join codes and interviews by hand (issue 28)
def _join_code_view(code: Any, base: str) -> dict[str, Any]:
    return {
        "join_code": code.join_code,
        "label": code.label,
        "url": f"{base}/join/{code.join_code}",
        "created_at": iso(code.created_at),
        "revoked_at": iso(code.revoked_at) if code.revoked_at else None,
    }


@app.post(
    "/join-codes",
    summary="Make a join code (a sign-up link for one cohort)",
    description="Candidates who sign up at `url` (double opt-in) are registered with this code as their cohort.",
    tags=["join codes"],
    responses={
        201: {"description": "The code and its sign-up page"},
        **error_responses({400: BAD_BODY, 413: TOO_LARGE}),
    },
    operation_id="create_join_code",
)
def create_join_code(body: Annotated[JoinCodeRequest, Body()] = DOC_ONLY) -> Response[dict[str, Any]]:
    from nudges.models.api import JoinCodeRequest

    request = parse(JoinCodeRequest, json_body(raw_body(app.current_event)))
    code = wiring.signup().create_code(request.label, clock.now())
    return json_response(
        201, _join_code_view(code, config.public_base_url(app.current_event.request_context.domain_name))
    )


@app.get(
    "/join-codes",
    summary="Every join code, revoked ones included",
    tags=["join codes"],
    responses={200: {"description": "The join codes, oldest first"}, **error_responses({})},
    operation_id="list_join_codes",
)
def list_join_codes() -> Response[dict[str, Any]]:
    base = config.public_base_url(app.current_event.request_context.domain_name)
    return json_response(200, {"join_codes": [_join_code_view(c, base) for c in wiring.signup().codes()]})


@app.delete(
    "/join-codes/<join_code>",
    summary="Revoke a join code",
    description="Its sign-up page answers 404 from now on; people already registered with it stay.",
    tags=["join codes"],
    responses={204: {"description": "Revoked", "content": {}}, **error_responses({404: "No such join code"})},
    operation_id="revoke_join_code",
)
def revoke_join_code(join_code: Annotated[str, Path(description="The code")]) -> Response[None]:
    wiring.signup().revoke(join_code, clock.now())
    return Response(status_code=204, body="")  # type: ignore[arg-type]


def _interview_view(interview: Any) -> dict[str, Any]:
    return {
        "interview_id": interview.interview_id,
        "application_id": interview.application_id,
        "status": interview.status,
        "source": interview.source,
        "company": interview.company,
        "title": interview.title,
        "start": iso(interview.start),
        "end": iso(interview.end),
        "interviewers": [{"name": p.name, "email": p.email or None} for p in interview.interviewers],
        "location": interview.location,
    }


@app.post(
    "/candidates/<candidate_id>/interviews",
    summary="Add an interview by hand",
    description="Planned exactly as a calendar's booking: an application, rounds, every nudge.",
    tags=["interviews"],
    responses={
        201: {"description": "Added"},
        **error_responses({400: BAD_BODY, 404: NO_CANDIDATE, 413: TOO_LARGE}),
    },
    operation_id="add_interview",
)
def add_interview(
    candidate_id: CandidateId, body: Annotated[NewInterview, Body()] = DOC_ONLY
) -> Response[dict[str, Any]]:
    from nudges.models.api import NewInterview

    new = parse(NewInterview, json_body(raw_body(app.current_event)))
    candidate = wiring.candidate_service().get(candidate_id)
    return json_response(201, _interview_view(wiring.hand_interviews().add(candidate, new, clock.now())))


@app.patch(
    "/candidates/<candidate_id>/interviews/<interview_id>",
    summary="Move or change an interview added by hand",
    description="Its nudges move with it. A calendar's or provider's booking answers 409: it changes there.",
    tags=["interviews"],
    responses={
        200: {"description": "Changed"},
        **error_responses({400: BAD_BODY, 404: NO_INTERVIEW, 409: "Not added by hand", 413: TOO_LARGE}),
    },
    operation_id="change_interview",
)
def change_interview(
    candidate_id: CandidateId, interview_id: InterviewId, body: Annotated[NewInterview, Body()] = DOC_ONLY
) -> Response[dict[str, Any]]:
    from nudges.models.api import NewInterview

    new = parse(NewInterview, json_body(raw_body(app.current_event)))
    candidate = wiring.candidate_service().get(candidate_id)
    return json_response(200, _interview_view(wiring.hand_interviews().edit(candidate, interview_id, new, clock.now())))


@app.delete(
    "/candidates/<candidate_id>/interviews/<interview_id>",
    summary="Cancel an interview added by hand",
    description="Its nudges still ahead are cancelled. A calendar's or provider's booking answers 409.",
    tags=["interviews"],
    responses={
        204: {"description": "Cancelled", "content": {}},
        **error_responses({404: NO_INTERVIEW, 409: "Not added by hand"}),
    },
    operation_id="cancel_interview",
)
def cancel_interview(candidate_id: CandidateId, interview_id: InterviewId) -> Response[None]:
    candidate = wiring.candidate_service().get(candidate_id)
    wiring.hand_interviews().cancel(candidate, interview_id, clock.now())
    return Response(status_code=204, body="")  # type: ignore[arg-type]


def openapi_document() -> dict[str, Any]:
    """This API's OpenAPI document (``make openapi``, ``/docs``); never called on a request."""
    from nudges.openapi import document

    return document(app)


lambda_handler = api_handler(app)
