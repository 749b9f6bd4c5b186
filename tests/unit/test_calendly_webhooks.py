"""Calendly's timestamped signatures and how its invitee webhooks map onto booking changes."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nudges.errors import Unauthorized
from nudges.models.calendly import CalendlyWebhook, booking_change
from nudges.signatures import require_timestamped_signature

EVENTS = Path(__file__).resolve().parents[2] / "events"
NOW = datetime(2030, 3, 4, 9, 13, tzinfo=UTC)
WINDOW = timedelta(minutes=3)
BODY = b'{"event":"invitee.created"}'


def header(t: int, secret: str = "key", body: bytes = BODY) -> str:
    return f"t={t},v1={hmac.new(secret.encode(), f'{t}.'.encode() + body, hashlib.sha256).hexdigest()}"


def check(given: str | None, secrets=("key",), body: bytes = BODY) -> None:
    require_timestamped_signature("Calendly", given, body, list(secrets), NOW, WINDOW)


def test_a_fresh_signature_passes_under_either_secret_while_rotating():
    t = int(NOW.timestamp()) - 179
    check(header(t))
    check(header(t, "new"), secrets=("old", "new"))


@pytest.mark.parametrize(
    "given",
    [
        None,
        "",
        header(int(NOW.timestamp()) - 181),  # replayed after the window
        header(int(NOW.timestamp()) + 181),  # from the future
        header(int(NOW.timestamp()), "other"),
        header(int(NOW.timestamp()), body=b"{}"),  # signed another body
        f"t={int(NOW.timestamp())}",
        "v1=00,t=abc",
        f"t={int(NOW.timestamp())},t={int(NOW.timestamp())},v1=00",
    ],
)
def test_anything_else_is_unauthorized(given):
    with pytest.raises(Unauthorized):
        check(given)


def webhook(name: str) -> CalendlyWebhook:
    return CalendlyWebhook.model_validate(json.loads(json.loads((EVENTS / f"{name}.json").read_text())["body"]))


def test_an_invitee_created_is_a_booking_with_the_hosts_as_interviewers():
    change = booking_change(webhook("calendly_webhook-invitee_created"), NOW)
    assert change is not None and change.action == "booked" and change.previous_ref is None
    interview = change.interview
    assert (interview.candidate_email, interview.candidate_name, interview.company) == (
        "ada@example.org",
        "Ada Lovelace",
        "acme-robotics.com",
    )
    assert [p.name for p in interview.interviewers] == ["Grace Hopper"]
    assert interview.start == datetime(2030, 3, 7, 14, 0, tzinfo=UTC)


def test_a_reschedule_is_a_replacement_then_a_move_never_a_cancel():
    replaced = booking_change(webhook("calendly_webhook-invitee_canceled_rescheduled"), NOW)
    moved = booking_change(webhook("calendly_webhook-invitee_created_rescheduled"), NOW)
    assert replaced is not None and moved is not None
    assert replaced.action == "replaced" and moved.action == "rescheduled"
    assert replaced.previous_ref == moved.previous_ref  # the old invitee
    assert replaced.interview.source_ref == moved.interview.source_ref  # the new invitee


def test_other_events_are_not_bookings():
    assert booking_change(CalendlyWebhook(event="routing_form_submission.created"), NOW) is None
