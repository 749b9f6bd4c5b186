"""A realistic state on the embedded local stack, photographed in headless Chromium.

Two candidates (London and New York), interviews booked through signed Cal.com webhooks,
one of them cancelled, the clock moved past a few due times; then ``/_local/console`` is
opened and saved as a PNG (default docs/console.png). ``make screenshot`` runs this.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "nudges")]

from local_stack.client import LocalClient  # noqa: E402

# A fixed Monday, so the picture is the same on every run.
MONDAY = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


def book(client: LocalClient, trigger: str, uid: str, attendee, organizer, start, now, title) -> str:
    name, email = attendee
    reply = client.book(email, uid, start, now, trigger=trigger, name=name, organizer=organizer, title=title)
    assert reply.status == 200, reply
    return reply.body["interview_id"]


def build_state(client: LocalClient) -> None:
    now = MONDAY
    client.set_clock(now)
    ada = ("Ada Lovelace", "ada@example.org")
    grace = ("Grace Hopper", "grace@example.com")
    for (name, email), zone, phone in (
        (ada, "Europe/London", "+447700900123"),
        (grace, "America/New_York", "+12025550143"),
    ):
        reply = client.register(
            email=email, phone=phone, name=name, timezone=zone, channels=["email", "sms"] if phone else ["email"]
        )
        assert reply.status == 201, reply
    jane = ("Jane Doe", "jane.doe@acme-robotics.com")
    sam = ("Sam Okafor", "sam.okafor@northwind.io")
    lin = ("Lin Chen", "lin.chen@globex.dev")
    # Ada: Acme on Thursday 14:00 London; Northwind next Tuesday, cancelled the same day.
    book(
        client,
        "BOOKING_CREATED",
        "ada-acme",
        ada,
        jane,
        MONDAY + timedelta(days=3, hours=5),
        now,
        "Acme Robotics: technical interview",
    )
    book(
        client,
        "BOOKING_CREATED",
        "ada-nw",
        ada,
        sam,
        MONDAY + timedelta(days=8, hours=1),
        now,
        "Northwind: hiring manager call",
    )
    book(
        client,
        "BOOKING_CANCELLED",
        "ada-nw",
        ada,
        sam,
        MONDAY + timedelta(days=8, hours=1),
        now + timedelta(hours=2),
        "Northwind: hiring manager call",
    )
    # Grace: Globex on Wednesday 11:00 New York (16:00 UTC), booked Monday.
    book(
        client,
        "BOOKING_CREATED",
        "grace-globex",
        grace,
        lin,
        MONDAY + timedelta(days=2, hours=7),
        now,
        "Globex: system design",
    )
    # The clock walks through the week to Thursday 12:00 UTC, stopping at each due time, so each
    # message carries its own send time: Grace's research prompt (Mon 16:00 UTC), Ada's (Tue
    # 14:00), Grace's thank-you (Wed 18:00, 1 h after her interview).
    for hours in (7, 29, 57, 75):
        client.set_clock(MONDAY + timedelta(hours=hours))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "console.png"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1250)
    args = parser.parse_args()

    from local_stack import LocalStack, browser

    if reason := browser.missing():
        print(f"cannot take the screenshot: {reason}", file=sys.stderr)
        return 1
    # (The stack's environment never reaches a function: their lines are kept off the terminal instead.)
    stack = LocalStack(ROOT, parameter_overrides={"LogLevel": "WARNING"}, echo_function_logs=False)
    base_url = stack.start()
    try:
        build_state(LocalClient(base_url))
        with browser.chromium(args.width, args.height) as driver:
            driver.get(f"{base_url}/_local/console")
            # The whole page in one picture: grow the window to the document's height.
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(args.width, min(max(int(height), args.height), 4000))
            driver.save_screenshot(args.out)
    finally:
        stack.stop()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
