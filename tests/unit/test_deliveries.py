"""What an SES event means for the message it is about (the configuration set's eventType, or the
older notificationType), and that a status only moves forward."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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


def test_a_log_key_survives_the_trip_through_an_ses_tag_and_an_sms_context():
    """The key a nudge's message carries is an SES-legal tag value, and each provider's event gives
    it back as sent; anything else is no key."""
    import re

    from nudges.adapters import keys
    from nudges.domain.deliveries import event_ref, sms_event_ref

    key = keys.sent_message("c_abc123", datetime(2031, 3, 18, 14, 0, tzinfo=UTC), 1_773_842_400_000_000_000, "sms")
    ref = keys.message_ref(key)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,255}", ref)  # SES message tag values
    assert keys.message_key(ref) == key
    assert keys.message_key("bm90LWEta2V5") is None and keys.message_key("%%%") is None
    assert event_ref({"eventType": "Delivery", "mail": {"messageId": "m", "tags": {"log": [ref]}}}) == ref
    assert event_ref({"eventType": "Delivery", "mail": {"messageId": "m"}}) is None
    assert sms_event_ref({"eventType": "TEXT_DELIVERED", "messageId": "m", "context": {"log": ref}}) == ref
    assert sms_event_ref({"eventType": "TEXT_DELIVERED", "messageId": "m"}) is None


def test_the_local_ses_events_carry_the_raw_emails_message_tags():
    from local_stack.ses_events import SentEmail, message_tags, notification

    raw = "X-SES-MESSAGE-TAGS: log=abc_-1, other=x\r\nTo: a@example.org\r\nSubject: s\r\n\r\nbody"
    tags = message_tags(raw)
    assert tags == (("log", "abc_-1"), ("other", "x"))
    event = notification("delivery", SentEmail("m1", ("a@example.org",), "n@example.org", tags), datetime.now(UTC))
    assert event["mail"]["tags"] == {"log": ["abc_-1"], "other": ["x"]}
