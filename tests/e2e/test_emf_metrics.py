"""The metrics a booking, a cancel, a late booking, a forged webhook and the deliveries write: the
EMF lines the functions print (CloudWatch turns each into metrics), read from the stack's output."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from local_stack.client import calcom_booking
from tests.e2e.steps import book

PHONE = "+447700900321"
NAMESPACE = "InterviewNudges/interview-nudges-local"  # InterviewNudges/<stack name>


@pytest.fixture(autouse=True)
def _metrics_on(monkeypatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)


def emitted(out: str) -> Counter:
    """(metric, dimensions other than service) -> total, from every EMF line in ``out``."""
    totals: Counter = Counter()
    for text in out.splitlines():
        if not text.startswith('{"_aws"'):
            continue
        line = json.loads(text)
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == NAMESPACE and line["service"] == "interview-nudges"
        assert "@" not in text and not re.search(r"\+?44 ?7700", text), text
        dims = tuple(sorted((k, line[k]) for k in directive["Dimensions"][0] if k != "service"))
        for metric in directive["Metrics"]:
            values = line[metric["Name"]]
            totals[metric["Name"], dims] += sum(values) if isinstance(values, list) else values
    return totals


def count(metric: str, **dims: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return metric, tuple(sorted(dims.items()))


def test_bookings_cancels_deliveries_and_forged_webhooks_write_their_metrics(client, capsys):
    # Given a candidate on email and SMS, on a Monday morning in London (BST)
    now = datetime(2031, 7, 7, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = "ada-metrics@example.org"
    reply = client.register(email=email, phone=PHONE, timezone="Europe/London", channels=["email", "sms"])
    assert reply.status == 201, reply
    client.set_clock(now)  # the welcome goes at once
    capsys.readouterr()

    # When Cal.com books an interview for Thursday: its nudges are planned (the follow-up too)
    book(client, email, "uid-a", datetime(2031, 7, 10, 13, 0, tzinfo=UTC), now)
    assert emitted(capsys.readouterr().out) == {
        count("NudgesPlanned", kind="research_prompt"): 1,
        count("NudgesPlanned", kind="thank_you"): 1,
        count("NudgesPlanned", kind="follow_up"): 1,
    }

    # When another is booked and then cancelled: planned, then cancelled; the follow-up moves to
    # the later round (the first's withdrawn) and back when that one is cancelled
    book(client, email, "uid-b", datetime(2031, 7, 11, 13, 0, tzinfo=UTC), now)
    book(client, email, "uid-b", datetime(2031, 7, 11, 13, 0, tzinfo=UTC), now, trigger="BOOKING_CANCELLED")
    assert emitted(capsys.readouterr().out) == {
        count("NudgesPlanned", kind="research_prompt"): 1,
        count("NudgesPlanned", kind="thank_you"): 1,
        count("NudgesPlanned", kind="follow_up"): 2,
        count("NudgesCancelled", kind="research_prompt"): 1,
        count("NudgesCancelled", kind="thank_you"): 1,
        count("NudgesCancelled", kind="follow_up"): 2,
    }

    # When one is booked to start in 30 minutes: too late to research (skipped on no channel)
    book(client, email, "uid-c", now + timedelta(minutes=30), now)
    assert emitted(capsys.readouterr().out) == {
        count("NudgesSkipped", kind="research_prompt", channel="none"): 1,
        count("NudgesPlanned", kind="thank_you"): 1,
    }

    # When a forged Cal.com webhook arrives: refused, counted under its provider, nothing planned
    body = calcom_booking(
        "BOOKING_CREATED",
        uid="uid-x",
        start=datetime(2031, 7, 14, 13, 0, tzinfo=UTC),
        end=datetime(2031, 7, 14, 14, 0, tzinfo=UTC),
        attendee=("Ada Lovelace", email),
        organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
        created_at=now,
    )
    forged = client.calcom(body, signature="0" * 64)
    assert forged.status == 401
    assert emitted(capsys.readouterr().out) == {count("WebhookVerificationsFailed", provider="calcom"): 1}

    # When the clock reaches the late interview's thank-you, then the first's research prompt:
    # sent on both channels, each on time
    client.set_clock(datetime(2031, 7, 7, 11, 30, tzinfo=UTC))
    client.set_clock(datetime(2031, 7, 8, 13, 0, tzinfo=UTC))
    assert emitted(capsys.readouterr().out) == {
        count("NudgesSent", kind="thank_you", channel="email"): 1,
        count("NudgesSent", kind="thank_you", channel="sms"): 1,
        count("NudgesSent", kind="research_prompt", channel="email"): 1,
        count("NudgesSent", kind="research_prompt", channel="sms"): 1,
        count("NudgeLatenessSeconds"): 0,  # two samples of 0 s
    }

    # When the candidate texts STOP, the first interview's thank-you goes by email only
    assert client.request("POST", "/_local/sms", {"from": PHONE, "body": "STOP"}).status == 202
    client.set_clock(datetime(2031, 7, 10, 15, 0, tzinfo=UTC))
    out = capsys.readouterr().out
    assert emitted(out) == {
        count("NudgesSent", kind="thank_you", channel="email"): 1,
        count("NudgesSkipped", kind="thank_you", channel="sms"): 1,
        count("NudgeLatenessSeconds"): 0,
    }
    # Then the lateness is one sample per delivery sent, in seconds
    lateness = [json.loads(t) for t in out.splitlines() if '"NudgeLatenessSeconds"' in t]
    assert [line["NudgeLatenessSeconds"] for line in lateness] == [[0.0]]
    assert lateness[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [
        {"Name": "NudgeLatenessSeconds", "Unit": "Seconds"}
    ]
