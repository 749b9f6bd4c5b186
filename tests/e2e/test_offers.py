"""Offers from where they happen: the operator, Greenhouse, Lever and the generic signed webhook.

Driven only through the local stack's HTTP routes, with the providers' published payload shapes;
Lever's and Greenhouse's APIs (which the webhooks read back from) are a fake on a loopback port,
passed to the functions as LEVER_API_BASE_URL / GREENHOUSE_API_BASE_URL.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e import steps
from tests.e2e.steps import book

ROOT = Path(__file__).resolve().parents[2]
JANE = ("Jane Doe", "jane.doe@acme-robotics.com")
RAJ = ("Raj Patel", "raj.patel@acme-robotics.com")
SOURCES = ["operator", "greenhouse_offer", "greenhouse_hire", "lever_stage", "lever_hired", "generic"]
# Each test covers the four sources; the provider variants take turns (offer events, hires).
OFFERED = ["operator", "greenhouse_offer", "lever_stage", "generic"]
DELIVERED_TWICE = ["operator", "greenhouse_hire", "lever_hired", "generic"]
ENDED = ["operator", "greenhouse_hire", "lever_hired", "generic"]
_numbers = itertools.count(1000)


@pytest.fixture(scope="module")
def stack(stack_with_ats):
    return stack_with_ats


PHONES: dict[str, str] = {}


def register(client, email):
    """A candidate in London with a phone of their own (the outbox is shared by the module)."""
    PHONES[email] = f"+4477009{next(_numbers):05d}"
    return steps.register(client, email, PHONES[email])["candidate_id"]


def report(client, ats, source, email, now, *, outcome="offer", interview_id=None, tag=None):
    """Deliver an outcome as ``source`` delivers it; returns the reply."""
    tag = tag or uuid.uuid4().hex
    # The ATS knows the candidate by the same address in other letters: matched case-insensitively.
    shouted = email.upper()
    if source == "operator":
        return client.outcome(interview_id, outcome)
    if source == "generic":
        return client.outcome_event(
            {"candidate_email": shouted, "company": "Acme Robotics", "outcome": outcome}, at=now
        )
    if source.startswith("greenhouse"):
        application_id, candidate_id, user_id = (abs(hash((email, n))) % 10**8 for n in range(3))
        if source == "greenhouse_offer":
            ats.greenhouse_application(
                application_id, candidate_id, emails=[shouted], user_id=user_id, user_email="offers@acme-robotics.com"
            )
            body = {
                "action": "offer_created",
                "payload": {
                    "id": 12345,
                    "application_id": application_id,
                    "job_id": 4690,
                    "user_id": user_id,
                    "version": 1,
                    "sent_on": None,
                    "resolved_at": None,
                    "start_date": "2031-06-01",
                    "notes": None,
                    "offer_status": "Created",
                    "custom_fields": {},
                },
            }
        else:
            action = "hire_candidate" if outcome == "offer" else "reject_candidate"
            body = {
                "action": action,
                "payload": {
                    "application": {
                        "id": application_id,
                        "status": "hired" if outcome == "offer" else "rejected",
                        "credited_to": {"id": 1, "email": "recruiting@acme-robotics.com", "name": "Recruiting"},
                        "candidate": {
                            "id": candidate_id,
                            "first_name": "Ada",
                            "last_name": "Lovelace",
                            "email_addresses": [{"value": shouted, "type": "personal"}],
                            "recruiter": {"id": 55, "email": "recruiting@acme-robotics.com", "name": "Bob Johnson"},
                        },
                        "jobs": [{"id": 4690, "name": "Robotics software engineer"}],
                    }
                },
            }
        return client.greenhouse(body, event_id=tag)
    opportunity_id = f"opp-{abs(hash(email))}"
    hired = source == "lever_hired" and outcome == "offer"
    if outcome == "offer":
        ats.lever_opportunity(
            opportunity_id,
            emails=[shouted],
            stage="Offer",
            owner_email="hiring@acme-robotics.com",
            archived_reason="reason-hired" if hired else None,
        )
        ats.lever_archive_reason("reason-hired", "Hired", "hired")
        event = "candidateHired" if hired else "candidateStageChange"
    else:
        ats.lever_opportunity(
            opportunity_id,
            emails=[shouted],
            stage="On-site",
            owner_email="hiring@acme-robotics.com",
            archived_reason="reason-other",
        )
        ats.lever_archive_reason("reason-other", "Went with another candidate", "non-hired")
        event = "candidateArchiveChange"
    data = {"opportunityId": opportunity_id, "candidateId": "cand-1", "contactId": "contact-1"}
    if event == "candidateStageChange":
        data |= {"fromStageId": "stage-on-site", "toStageId": "stage-offer"}
    return client.lever(event, data, token=tag, triggered_at=now)


def connects(client, email):
    return [m for m in client.outbox() if m["kind"] == "connect" and m["to"] in (email, PHONES[email])]


def two_rounds(client, unique, month):
    """A candidate who met Jane, then Jane and Raj, at Acme Robotics; the clock after both."""
    now = datetime(2032, month, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)
    first = book(client, email, f"r1-{unique}", datetime(2032, month, 3, 10, 0, tzinfo=UTC), now)
    book(client, email, f"r2-{unique}", datetime(2032, month, 8, 14, 0, tzinfo=UTC), now, organizer=RAJ)
    after = datetime(2032, month, 10, 12, 0, tzinfo=UTC)
    client.set_clock(after)
    return email, candidate_id, first, after


@pytest.mark.parametrize("source", OFFERED)
def test_an_offer_after_two_rounds_brings_one_connect_nudge_naming_everyone(client, ats, unique, source):
    month = 1 + SOURCES.index(source)
    email, _, first, now = two_rounds(client, unique, month)
    # When the offer arrives from this source
    reply = report(client, ats, source, email, now, interview_id=first)
    assert reply.status in (200, 202), reply
    if source != "operator":
        assert reply.body["status"] == "applied", reply
    client.set_clock(now + timedelta(minutes=1))
    # Then one connect nudge per channel names both interviewers, with notes and search links
    sent = connects(client, email)
    assert [m["channel"] for m in sent] == ["email", "sms"]
    body = sent[0]["body"]
    assert "Jane Doe" in body and "Raj Patel" in body
    assert body.count("linkedin.com/search/results/people/?keywords=") == 2
    assert "thank you again for our conversation" in body
    assert "Jane" in sent[1]["body"] and "Raj" in sent[1]["body"]
    assert sent[0]["sent_at"].startswith(f"2032-{month:02d}-10T12:0")


@pytest.mark.parametrize("source", DELIVERED_TWICE)
def test_the_same_offer_delivered_twice_brings_one_connect_nudge(client, ats, unique, source):
    month = 1 + SOURCES.index(source)
    email, _, first, now = two_rounds(client, unique, month)
    tag = uuid.uuid4().hex
    first_reply = report(client, ats, source, email, now, interview_id=first, tag=tag)
    assert first_reply.status in (200, 202), first_reply
    if source.startswith("greenhouse"):
        # Greenhouse's retry carries the same Greenhouse-Event-ID: recognised, nothing redone
        again = report(client, ats, source, email, now, interview_id=first, tag=tag)
        assert (again.status, again.body["status"]) == (200, "duplicate")
    # A second, separately signed delivery of the same offer (a new event, a new token, a new t)
    later = now + timedelta(seconds=30)
    client.set_clock(later)
    second = report(client, ats, source, email, later, interview_id=first)
    assert second.status in (200, 202), second
    client.set_clock(later + timedelta(minutes=1), deliver_twice=True)
    assert [m["channel"] for m in connects(client, email)] == ["email", "sms"]


@pytest.mark.parametrize("source", ["greenhouse_offer", "lever_stage", "generic"])
def test_a_forged_or_replayed_request_is_refused_and_changes_nothing(client, ats, unique, source):
    month = 1 + SOURCES.index(source)
    now = datetime(2033, month, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)
    book(client, email, f"r1-{unique}", datetime(2033, month, 3, 10, 0, tzinfo=UTC), now)
    client.set_clock(datetime(2033, month, 1, 10, 0, tzinfo=UTC))  # the research prompt
    after = datetime(2033, month, 3, 11, 10, tzinfo=UTC)  # the interview is over, the thank-you not yet due
    client.set_clock(after)
    refused = []
    if source == "greenhouse_offer":
        body = {"action": "hire_candidate", "payload": {}}
        refused.append(client.greenhouse(body, event_id="forged", secret="not-the-secret"))
        import json

        raw = json.dumps({"action": "ping", "payload": {"web_hook_id": 1}}).encode()
        refused.append(client.request("POST", "/webhooks/greenhouse", raw=raw))  # unsigned
    elif source == "lever_stage":
        ats.lever_opportunity("opp-forged", emails=[email], stage="Offer", owner_email="hiring@acme-robotics.com")
        data = {"opportunityId": "opp-forged", "toStageId": "stage-offer"}
        refused.append(client.lever("candidateStageChange", data, token="t1", triggered_at=after, secret="guess"))
        # A captured delivery sent again later than 5 minutes: refused by age
        refused.append(
            client.lever("candidateStageChange", data, token="t2", triggered_at=after - timedelta(minutes=6))
        )
        # ...and sent again at once: refused because its token was used
        ok = client.lever("candidateStageChange", data, token=f"t3-{unique}", triggered_at=after)
        assert ok.status == 200, ok
        refused.append(client.lever("candidateStageChange", data, token=f"t3-{unique}", triggered_at=after))
    else:
        body = {"candidate_email": email, "company": "acme-robotics.com", "outcome": "offer"}
        refused.append(client.outcome_event(body, at=after, secret="guess"))
        refused.append(client.outcome_event(body, at=after - timedelta(minutes=6)))  # too old
        refused.append(client.outcome_event(body, at=after + timedelta(minutes=6)))  # from the future
        raw = b'{"candidate_email": "' + email.encode() + b'", "company": "acme", "outcome": "rejected"}'
        refused.append(client.outcome_event(raw, at=after, secret="guess"))
    assert [r.status for r in refused] == [401] * len(refused), refused
    # Then nothing changed: the thank-you still goes out, and no connect nudge
    client.set_clock(datetime(2033, month, 3, 12, 30, tzinfo=UTC))
    kinds = [m["kind"] for m in client.outbox() if m["to"] == email and m["kind"] != "welcome"]
    if source == "lever_stage":
        # the one genuine delivery was an offer: it ended the thank-you and brought the connect nudge
        assert kinds == ["research_prompt", "connect"]
    else:
        assert kinds == ["research_prompt", "thank_you"]
        [interview] = client.interviews(candidate_id)
        assert {n["kind"] for n in interview["nudges"]} == {"research_prompt", "thank_you", "follow_up"}


@pytest.mark.parametrize("source", ENDED)
def test_rejected_after_the_interview_cancels_the_thank_you(client, ats, unique, source):
    month = 1 + SOURCES.index(source)
    now = datetime(2034, month, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)
    interview_id = book(client, email, f"r1-{unique}", datetime(2034, month, 3, 10, 0, tzinfo=UTC), now)
    client.set_clock(datetime(2034, month, 1, 10, 0, tzinfo=UTC))  # the research prompt
    after = datetime(2034, month, 3, 11, 20, tzinfo=UTC)  # ended 11:00; thank-you due 12:00
    client.set_clock(after)
    outcome = "withdrawn" if source == "operator" else "rejected"
    reply = report(client, ats, source, email, after, outcome=outcome, interview_id=interview_id)
    assert reply.status in (200, 202), reply
    client.set_clock(after)  # delivers what the outcome queued
    client.set_clock(datetime(2034, month, 4, 12, 0, tzinfo=UTC))
    # A rejection is answered (a gracious reply in place of the thank-you); a withdrawal is not
    answered = ["rejection_reply", "rejection_reply"] if outcome == "rejected" else []
    assert [m["kind"] for m in client.outbox() if m["to"] in (email, PHONES[email]) and m["kind"] != "welcome"] == [
        "research_prompt",
        "research_prompt",
        *answered,
    ]
    [interview] = client.interviews(candidate_id)
    thank_you = next(n for n in interview["nudges"] if n["kind"] == "thank_you")
    assert thank_you["status"] == "cancelled"
    assert not any(n["kind"] == "connect" for n in interview["nudges"])


@pytest.mark.parametrize("source", ["greenhouse_hire", "lever_stage", "generic"])
def test_an_offer_before_any_interview_is_kept_and_applied_when_the_interview_arrives(client, ats, unique, source):
    month = 1 + SOURCES.index(source)
    now = datetime(2035, month, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)
    # The offer comes first: kept, answered 202
    reply = report(client, ats, source, email, now)
    assert (reply.status, reply.body["status"]) == (202, "kept"), reply
    client.set_clock(now + timedelta(hours=1))
    # Then the calendar tells of the interview (it happened this morning)
    book(client, email, f"r1-{unique}", datetime(2035, month, 1, 7, 0, tzinfo=UTC), now + timedelta(hours=1))
    client.set_clock(now + timedelta(hours=1, minutes=1))
    # ...and only then the connect nudge goes, naming Jane; no "don't connect yet" for that round
    mine = [m for m in client.outbox() if m["to"] in (email, PHONES[email]) and m["kind"] != "welcome"]
    assert [(m["kind"], m["channel"]) for m in mine] == [("connect", "email"), ("connect", "sms")]
    assert mine[0]["sent_at"].startswith(f"2035-{month:02d}-01T10:0")
    assert "Jane Doe" in mine[0]["body"]
    [interview] = client.interviews(candidate_id)
    assert {n["kind"]: n["status"] for n in interview["nudges"]}["connect"] == "sent"


def test_greenhouse_ping_is_answered(client):
    reply = client.greenhouse({"action": "ping", "payload": {"web_hook_id": 8675309}}, event_id=str(next(_numbers)))
    assert (reply.status, reply.body) == (200, {"status": "pong"})


def test_lever_reads_back_from_the_api_and_trusts_the_body_for_nothing_else(client, ats, unique):
    now = datetime(2036, 1, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)
    book(client, email, f"r1-{unique}", datetime(2035, 12, 31, 10, 0, tzinfo=UTC), now)
    # A genuine stage change whose opportunity is, as Lever shows it, not in the offer stage
    ats.lever_opportunity(f"opp-{unique}", emails=[email], stage="Phone screen", owner_email="hr@acme-robotics.com")
    data = {"opportunityId": f"opp-{unique}", "toStageId": "stage-offer"}
    reply = client.lever("candidateStageChange", data, token=f"tok-{unique}", triggered_at=now)
    assert (reply.status, reply.body["status"]) == (200, "ignored"), reply
    assert ("lever", f"/opportunities/opp-{unique}?expand=stage&expand=owner") in ats.requests
    client.set_clock(now + timedelta(minutes=5))
    [interview] = client.interviews(candidate_id)
    assert "connect" not in {n["kind"] for n in interview["nudges"]}
