"""No email address or phone number in any log line the functions write.

This module's stack tees every function log line to a file (``NUDGES_LOCAL_LOG_FILE``); a story
with the happy path and the refusals (a forged webhook, a bad registration, an unknown inbox)
runs, and the file is scanned for email addresses and E.164 numbers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local_stack import LocalStack
from local_stack.client import LocalClient, calcom_booking

ROOT = Path(__file__).resolve().parents[2]
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
PHONE_RE = re.compile(r"\+[1-9]\d{6,14}")


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    log_file = tmp_path_factory.mktemp("logs") / "functions.log"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NUDGES_LOCAL_LOG_FILE", str(log_file))
        stack = LocalStack(ROOT)
        stack.start()
    try:
        yield LocalClient(stack.base_url), log_file
    finally:
        stack.stop()


def test_no_email_address_or_phone_number_in_any_log_line(logged):
    client, log_file = logged
    now = datetime(2035, 3, 5, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    # A number of its own: every stack in a process shares the moto backends, and other modules
    # text STOP from +447700900123 (moto also treats numbers ending in 99 as opted out).
    email, phone = "scan.me@example.org", "+447700900135"
    reply = client.register(email=email, phone=phone, timezone="Europe/London", channels=["email", "sms"], name="Scan")
    assert reply.status == 201
    assert client.register(email="not-an-email", timezone="Europe/London", channels=["email"]).status == 400
    assert client.register(email=email, timezone="Europe/London", channels=["email"]).status == 409
    start = now + timedelta(days=3, hours=5)
    body = calcom_booking(
        "BOOKING_CREATED",
        uid="scan-uid",
        start=start,
        end=start + timedelta(hours=1),
        attendee=("Scan", email),
        organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
        created_at=now,
    )
    interview_id = client.calcom(body).body["interview_id"]
    assert client.calcom(body, signature="0" * 64).status == 401
    assert client.ics("A" * 24, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").status == 401
    client.set_clock(start - timedelta(hours=48))  # the research prompt
    client.set_clock(start + timedelta(hours=3))
    assert client.outcome(interview_id, "offer").status == 202
    client.set_clock(start + timedelta(hours=3, minutes=1))
    sent = {(m["kind"], m["channel"]) for m in client.outbox() if m["interview_id"] == interview_id}
    assert ("research_prompt", "sms") in sent and ("connect", "email") in sent, sent
    client.request("POST", "/_local/sms", {"from": phone, "body": "STOP"})

    lines = log_file.read_text(encoding="utf-8").splitlines()
    leaks = [line for line in lines if EMAIL_RE.search(line) or PHONE_RE.search(line)]
    print(f"\nlog scan: {len(lines)} log lines, {len(leaks)} with an email address or phone number")
    assert len(lines) > 20 and any("nudge sent" in line for line in lines)
    assert leaks == []
