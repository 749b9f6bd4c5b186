"""Calendly webhooks v2 through the local stack: book, reschedule (both arrival orders), cancel,
duplicates, out-of-order deliveries and forged requests."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3

from tests.e2e.steps import register

EVENTS = Path(__file__).resolve().parents[2] / "events"
NOW = datetime(2031, 5, 5, 9, 0, tzinfo=UTC)  # a Monday
START = datetime(2031, 5, 9, 14, 0, tzinfo=UTC)  # Friday 14:00
EXAMPLE = json.loads(json.loads((EVENTS / "calendly_webhook-invitee_created.json").read_text())["body"])


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def invitee_event(
    event: str, email: str, invitee: str, start: datetime, *, old: str | None = None, new: str | None = None
) -> dict:
    """A Calendly webhook body from the recorded example, for this invitee and time."""
    body = copy.deepcopy(EXAMPLE)
    body["event"] = event
    body["created_at"] = _iso(NOW)
    payload = body["payload"]
    scheduled = f"https://api.calendly.com/scheduled_events/{invitee}-event"
    payload.update(
        uri=f"{scheduled}/invitees/{invitee}",
        event=scheduled,
        email=email,
        old_invitee=f"https://api.calendly.com/scheduled_events/{old}-event/invitees/{old}" if old else None,
        new_invitee=f"https://api.calendly.com/scheduled_events/{new}-event/invitees/{new}" if new else None,
        rescheduled=bool(new),
        status="canceled" if event == "invitee.canceled" else "active",
    )
    payload["scheduled_event"].update(uri=scheduled, start_time=_iso(start), end_time=_iso(start + timedelta(hours=1)))
    return body


def schedules(stack) -> set[str]:
    scheduler = boto3.client("scheduler", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    group = stack.template.ref("NudgeScheduleGroup")
    return {s["Name"] for s in scheduler.list_schedules(GroupName=group).get("Schedules", [])}


def nudges(interview: dict) -> dict[str, tuple[str, str]]:
    return {n["kind"]: (n["status"], n["due_at"]) for n in interview["nudges"]}


def test_booking_plans_nudges_and_a_duplicate_changes_nothing(stack, client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)["candidate_id"]
    body = invitee_event("invitee.created", email, f"inv-{unique}", START)

    first = client.calendly(body, signed_at=NOW)
    assert first.status == 200, first
    before = schedules(stack)
    again = client.calendly(body, signed_at=NOW)  # Calendly retries a delivery it thinks failed
    assert again.body == first.body
    assert schedules(stack) == before

    [interview] = client.interviews(candidate_id)
    assert (interview["company"], interview["title"], interview["start"]) == (
        "Acme Robotics",
        "Technical interview",
        "2031-05-09T14:00:00Z",
    )
    assert interview["interviewers"] == [{"name": "Grace Hopper", "email": "grace.hopper@acme-robotics.com"}]
    assert nudges(interview) == {
        "research_prompt": ("scheduled", "2031-05-07T14:00:00Z"),
        "thank_you": ("scheduled", "2031-05-09T16:00:00Z"),
        "follow_up": ("scheduled", "2031-05-16T09:00:00Z"),  # a week later, 10:00 BST
    }

    # And the research prompt reaches the candidate when its time comes
    client.set_clock(datetime(2031, 5, 7, 14, 0, tzinfo=UTC))
    sent = [m for m in client.outbox() if m["interview_id"] == first.body["interview_id"]]
    assert [(m["kind"], m["to"]) for m in sent] == [("research_prompt", email)]
    assert "Grace Hopper" in sent[0]["body"]


def _reschedule(client, email: str, unique: str, order: list[str]) -> tuple[str, list[dict]]:
    client.set_clock(NOW)
    candidate_id = register(client, email)["candidate_id"]
    booked = client.calendly(invitee_event("invitee.created", email, f"old-{unique}", START), signed_at=NOW)
    moved_to = START + timedelta(days=3)
    deliveries = {
        "canceled": invitee_event("invitee.canceled", email, f"old-{unique}", START, new=f"new-{unique}"),
        "created": invitee_event("invitee.created", email, f"new-{unique}", moved_to, old=f"old-{unique}"),
    }
    for name in order:
        reply = client.calendly(deliveries[name], signed_at=NOW)
        assert reply.status == 200, reply
        assert reply.body["interview_id"] == booked.body["interview_id"]
        assert reply.body["interview_status"] == "scheduled"  # the cancel of a rescheduled invitee cancels nothing
    return booked.body["interview_id"], client.interviews(candidate_id)


def test_a_reschedule_moves_the_one_interview_and_its_schedules(stack, client, unique):
    before = schedules(stack)
    interview_id, interviews = _reschedule(client, f"ada-{unique}@example.org", unique, ["canceled", "created"])
    [interview] = interviews
    assert (interview["interview_id"], interview["status"], interview["start"]) == (
        interview_id,
        "scheduled",
        "2031-05-12T14:00:00Z",
    )
    assert nudges(interview) == {
        "research_prompt": ("scheduled", "2031-05-10T14:00:00Z"),
        "thank_you": ("scheduled", "2031-05-12T16:00:00Z"),
        "follow_up": ("scheduled", "2031-05-19T09:00:00Z"),
    }
    assert len(schedules(stack) - before) == 3  # moved, not added


def test_a_reschedule_arriving_created_first_ends_the_same(client, unique):
    _interview_id, [interview] = _reschedule(client, f"ada-{unique}@example.org", unique, ["created", "canceled"])
    assert (interview["status"], interview["start"]) == ("scheduled", "2031-05-12T14:00:00Z")
    assert nudges(interview)["thank_you"] == ("scheduled", "2031-05-12T16:00:00Z")


def test_a_cancel_stops_the_nudges_and_deletes_the_schedules(stack, client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)["candidate_id"]
    before = schedules(stack)
    client.calendly(invitee_event("invitee.created", email, f"inv-{unique}", START), signed_at=NOW)
    assert len(schedules(stack) - before) == 3
    reply = client.calendly(invitee_event("invitee.canceled", email, f"inv-{unique}", START), signed_at=NOW)
    assert reply.body["interview_status"] == "cancelled"
    [interview] = client.interviews(candidate_id)
    assert {k: s for k, (s, _due) in nudges(interview).items()} == {
        "research_prompt": "cancelled",
        "thank_you": "cancelled",
        "follow_up": "cancelled",
    }
    assert schedules(stack) == before
    client.set_clock(datetime(2031, 5, 10, 9, 0, tzinfo=UTC))
    assert [m for m in client.outbox() if m["interview_id"] == reply.body["interview_id"]] == []


def test_a_cancel_delivered_before_its_booking_wins(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)["candidate_id"]
    client.calendly(invitee_event("invitee.canceled", email, f"inv-{unique}", START), signed_at=NOW)
    late = client.calendly(invitee_event("invitee.created", email, f"inv-{unique}", START), signed_at=NOW)
    assert late.body["interview_status"] == "cancelled"
    [interview] = client.interviews(candidate_id)
    assert interview["status"] == "cancelled"
    assert interview["nudges"] == []


def test_forged_and_replayed_requests_are_refused_and_store_nothing(stack, client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email)["candidate_id"]
    body = invitee_event("invitee.created", email, f"inv-{unique}", START)

    assert client.calendly(body, signed_at=NOW, secret="not-the-signing-key").status == 401
    assert client.calendly(body, signed_at=NOW - timedelta(minutes=3, seconds=1)).status == 401  # replayed
    assert client.calendly(body, signed_at=NOW + timedelta(minutes=10)).status == 401
    raw = json.dumps(body).encode()
    unsigned = client.request("POST", "/webhooks/calendly", raw=raw)
    assert unsigned.status == 401
    garbled = client.request(
        "POST", "/webhooks/calendly", raw=raw, headers={"calendly-webhook-signature": "v1=abc,t=notanumber"}
    )
    assert garbled.status == 401
    assert client.interviews(candidate_id) == []

    # A signed but malformed body is a 400 naming the field, and stores nothing either
    broken = invitee_event("invitee.created", email, f"inv-{unique}", START)
    del broken["payload"]["scheduled_event"]["start_time"]
    reply = client.calendly(broken, signed_at=NOW)
    assert reply.status == 400 and "start_time" in reply.body["message"]
    assert client.interviews(candidate_id) == []
    # Still inside the window, the genuine request passes
    assert client.calendly(body, signed_at=NOW - timedelta(minutes=2)).status == 200
