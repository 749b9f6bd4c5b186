"""The whole story on the embedded local stack, through real HTTP and real boto3 calls.

An operator registers a candidate, Cal.com books an interview, the clock moves, and every
message that reached SES or SNS is printed as the candidate would see it.
"""

from __future__ import annotations

import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "nudges")]

from local_stack.client import LocalClient, calcom_booking  # noqa: E402

ZONE = ZoneInfo("Europe/London")
WIDTH = 96


def say(text: str = "") -> None:
    print(text, flush=True)


def local(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZONE).strftime("%a %d %b %H:%M %Z")


def show_new(client: LocalClient, seen: int) -> int:
    outbox = client.outbox()
    for message in outbox[seen:]:
        say(f"  {local(message['sent_at'])}  {message['kind']:<15} {message['channel']:<5} -> {message['to']}")
        if message.get("subject"):
            say(f"      Subject: {message['subject']}")
        lines = [line for line in message["body"].splitlines() if line.strip()]
        shown = lines[:5] if message["channel"] == "email" else lines
        for line in shown:
            for part in textwrap.wrap(line, WIDTH, subsequent_indent="    ") or [""]:
                say(f"      | {part}")
        if len(lines) > len(shown):
            say(f"      | ... ({len(lines) - len(shown)} more lines)")
    if len(outbox) == seen:
        say("  (nothing sent)")
    return len(outbox)


def main() -> int:
    from local_stack import LocalStack

    # Function logs and metrics stay quiet here so the messages can be read; `make local` shows them.
    # (The stack's environment never reaches a function: their lines are kept off the terminal instead.)
    stack = LocalStack(ROOT, parameter_overrides={"LogLevel": "WARNING"}, echo_function_logs=False)
    base_url = stack.start()
    try:
        client = LocalClient(base_url)
        say(f"Local stack at {base_url} (AWS endpoint {stack.endpoint_url})\n")

        # Monday next week, 09:00 London: "now" for the story.
        today = datetime.now(ZONE).date()
        monday = today + timedelta(days=7 - today.weekday())
        now = datetime(monday.year, monday.month, monday.day, 9, 0, tzinfo=ZONE)
        client.set_clock(now)

        say("1. The operator registers a candidate")
        candidate = client.register(
            email="ada@example.org",
            phone="+447700900123",
            name="Ada Lovelace",
            timezone="Europe/London",
            channels=["email", "sms"],
        )
        assert candidate.status == 201, candidate
        say(f"   POST /candidates -> {candidate.status} {candidate.body['candidate_id']}")
        client.set_clock(now)  # the welcome goes at once
        seen = show_new(client, 0)
        say()

        say("2. Cal.com: Jane Doe (acme-robotics.com) books Ada for Thursday 14:00-15:00")
        start = now.replace(hour=14) + timedelta(days=3)
        booking = calcom_booking(
            "BOOKING_CREATED",
            uid="demo-booking-1",
            start=start,
            end=start + timedelta(hours=1),
            attendee=("Ada Lovelace", "ada@example.org"),
            organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
            created_at=now,
            title="Technical interview: Robotics software engineer",
        )
        reply = client.calcom(booking)
        assert reply.status == 200, reply
        interview_id = reply.body["interview_id"]
        say(f"   POST /webhooks/calcom -> {reply.status} {interview_id}")
        for nudge in client.interviews(candidate.body["candidate_id"])[0]["nudges"]:
            say(f"   planned: {nudge['kind']:<15} {local(nudge['due_at'])}")
        say()

        say("3. The clock moves to 48 h before the interview")
        client.set_clock(start - timedelta(hours=48))
        seen = show_new(client, seen)
        say()

        say("4. The interview happens; the clock moves to 1 h after its end")
        client.set_clock(start + timedelta(hours=2))
        seen = show_new(client, seen)
        say()

        say("5. Two days later the operator records an offer")
        offer_at = start + timedelta(days=2)
        client.set_clock(offer_at)
        reply = client.outcome(interview_id, "offer")
        say(f"   POST /interviews/{interview_id}/outcome -> {reply.status}")
        client.set_clock(offer_at + timedelta(minutes=1))
        seen = show_new(client, seen)
        say()

        say("Timeline as the operator sees it:")
        for interview in client.interviews(candidate.body["candidate_id"]):
            say(f"  {interview['title']} ({interview['status']})")
            for nudge in interview["nudges"]:
                say(f"    {nudge['kind']:<15} {nudge['status']:<9} {local(nudge['due_at'])}")
        kinds = [m["kind"] for m in client.outbox()]
        expected = ["welcome"] * 2 + ["research_prompt"] * 2 + ["thank_you"] * 2 + ["connect"] * 2
        if kinds != expected:
            say(f"\nUnexpected messages: {kinds}")
            return 1
        say("\nThe whole story ran: 8 messages, each once, on email and SMS.")
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
