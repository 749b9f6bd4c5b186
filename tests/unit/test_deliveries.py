"""What an SES event means for the message it is about (the configuration set's eventType, or the
older notificationType), and that a status only moves forward."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nudges.domain.deliveries import MESSAGE_STATUSES, RANK, event_status

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("Delivery", "delivered"),
        ("DeliveryDelay", "delayed"),
        ("Bounce", "bounced"),
        ("Complaint", "complained"),
        ("Reject", "failed"),
        ("Rendering Failure", "failed"),
    ],
)
def test_each_event_type_names_a_status_of_its_message(event_type, status):
    assert event_status({"eventType": event_type, "mail": {"messageId": "0100-abc"}}) == ("0100-abc", status)


def test_events_that_say_nothing_about_delivery_are_ignored():
    for event_type in ("Send", "Open", "Click", "Subscription"):
        assert event_status({"eventType": event_type, "mail": {"messageId": "0100-abc"}}) is None
    assert event_status({"eventType": "Delivery", "mail": {}}) is None


def test_the_recorded_bounce_event_is_about_its_ses_message():
    record = json.loads((EVENTS / "email_events-bounce.json").read_text())["Records"][0]
    notification = json.loads(record["Sns"]["Message"])
    assert event_status(notification) == ("0100018e2b6f7a3c-7d1b0b3e-5a8f-4d2a-9b1e-3c4d5e6f7a8b-000000", "bounced")


def test_a_status_only_moves_forward():
    assert set(RANK) == set(MESSAGE_STATUSES)
    assert RANK["sent"] < RANK["delayed"] < RANK["delivered"] < RANK["bounced"] < RANK["complained"]
    assert RANK["failed"] > RANK["delivered"]
