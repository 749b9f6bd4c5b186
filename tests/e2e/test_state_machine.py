"""A Hypothesis state machine over bookings, cancellations, offers and the clock.

Each example is a fresh candidate with its own stretch of (virtual) time. Steps: book,
reschedule, cancel (Cal.com webhooks), offer (the operator route), advance the clock, with or
without every delivery made twice. After every move of the clock: nothing was sent for a cancelled
interview after its cancellation, no (interview, kind, channel) was sent twice; after every step: every
pending interview nudge has exactly one schedule in the nudge schedule group (none when it
is not pending; a nudge due within a minute goes to the send queue instead of a schedule,
so nudges in that band are not checked).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import boto3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from local_stack.client import calcom_booking
from nudges.timefmt import parse_iso

SEND_NOW_WINDOW = timedelta(minutes=1)
EPOCH = datetime(2033, 1, 3, 9, 0, tzinfo=UTC)
_examples = itertools.count()
FIGURES: Counter[str] = Counter()


class Nudges(RuleBasedStateMachine):
    client = None  # set by the test, with the stack
    stack = None

    def __init__(self) -> None:
        super().__init__()
        n = next(_examples)
        FIGURES["examples"] += 1
        self.tag = f"sm{n}"
        self.now = EPOCH + timedelta(days=40 * n)
        self.client.set_clock(self.now)
        self.email = f"{self.tag}@example.org"
        reply = self.client.register(
            email=self.email, phone="+447700900555", timezone="Europe/London", channels=["email", "sms"], name="Sam"
        )
        assert reply.status == 201, reply
        self.candidate_id = reply.body["candidate_id"]
        self.bookings: list[dict] = []  # {"uid", "start", "interview_id", "cancelled_at"}
        self.uids = itertools.count()
        scheduler = boto3.client("scheduler", endpoint_url=self.stack.endpoint_url, region_name="us-east-1")
        self.scheduler = scheduler
        self.group = str(self.stack.template.ref("NudgeScheduleGroup"))

    # ------------------------------------------------------------------ steps
    def _hook(self, trigger, booking, start, uid, reschedule_uid=None):
        body = calcom_booking(
            trigger,
            uid=uid,
            start=start,
            end=start + timedelta(hours=1),
            attendee=("Sam", self.email),
            organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
            created_at=self.now,
            reschedule_uid=reschedule_uid,
        )
        reply = self.client.calcom(body)
        assert reply.status == 200, reply
        FIGURES[trigger] += 1
        return reply.body["interview_id"]

    def _live(self):
        return [b for b in self.bookings if b["cancelled_at"] is None]

    @precondition(lambda self: len(self.bookings) < 3)
    @rule(hours_ahead=st.sampled_from([2, 20, 49, 75]))
    def book(self, hours_ahead):
        uid = f"{self.tag}-{next(self.uids)}"
        start = self.now + timedelta(hours=hours_ahead)
        booking = {"uid": uid, "start": start, "cancelled_at": None}
        booking["interview_id"] = self._hook("BOOKING_CREATED", booking, start, uid)
        self.bookings.append(booking)

    @precondition(lambda self: any(b["start"] > self.now for b in self._live()))
    @rule(data=st.data(), hours_ahead=st.sampled_from([3, 30, 60]))
    def reschedule(self, data, hours_ahead):
        booking = data.draw(st.sampled_from([b for b in self._live() if b["start"] > self.now]))
        uid = f"{self.tag}-{next(self.uids)}"
        start = self.now + timedelta(hours=hours_ahead)
        interview_id = self._hook("BOOKING_RESCHEDULED", booking, start, uid, reschedule_uid=booking["uid"])
        assert interview_id == booking["interview_id"]
        booking.update(uid=uid, start=start)

    @precondition(lambda self: bool(self._live()))
    @rule(data=st.data())
    def cancel(self, data):
        booking = data.draw(st.sampled_from(self._live()))
        self._hook("BOOKING_CANCELLED", booking, booking["start"], booking["uid"])
        booking["cancelled_at"] = self.now

    @precondition(lambda self: bool(self.bookings))
    @rule(data=st.data())
    def offer(self, data):
        booking = data.draw(st.sampled_from(self.bookings))
        assert self.client.outcome(booking["interview_id"], "offer").status == 202
        FIGURES["offer"] += 1

    @rule(hours=st.sampled_from([1, 6, 25, 50]), twice=st.booleans())
    def advance_clock(self, hours, twice):
        self.now += timedelta(hours=hours)
        self.client.set_clock(self.now, deliver_twice=twice)
        FIGURES["clock_twice" if twice else "clock"] += 1
        # Messages leave only while the clock moves (schedules fire, the send queue drains), so
        # the outbox invariants are checked here: reading the whole outbox after every step of
        # every example would take most of the run.
        messages = self._mine()
        self.nothing_sent_after_a_cancellation(messages)
        self.at_most_one_send_per_nudge_and_channel(messages)

    # ------------------------------------------------------------------ invariants
    def _mine(self):
        ids = {b["interview_id"] for b in self.bookings}
        return [m for m in self.client.outbox() if m["interview_id"] in ids]

    def nothing_sent_after_a_cancellation(self, messages):
        cancelled = {b["interview_id"]: b["cancelled_at"] for b in self.bookings if b["cancelled_at"]}
        for message in messages:
            if message["kind"] != "connect" and message["interview_id"] in cancelled:
                assert parse_iso(message["sent_at"]) <= cancelled[message["interview_id"]], message["kind"]

    def at_most_one_send_per_nudge_and_channel(self, messages):
        sent = Counter((m["interview_id"], m["kind"], m["channel"]) for m in messages)
        FIGURES["messages_checked"] += len(messages)
        FIGURES["max_sends_seen"] = max(FIGURES["max_sends_seen"], max(sent.values(), default=0))
        assert all(count == 1 for count in sent.values()), sent

    @invariant()
    def every_pending_nudge_has_exactly_one_schedule(self):
        if not self.bookings:
            return
        ids = {b["interview_id"] for b in self.bookings}
        schedules = {}
        for page in self.scheduler.get_paginator("list_schedules").paginate(GroupName=self.group):
            for item in page["Schedules"]:
                owner = item["Name"].rsplit("-", 1)[0]
                if owner in ids:
                    found = self.scheduler.get_schedule(Name=item["Name"], GroupName=self.group)
                    schedules[item["Name"]] = json.loads(found["Target"]["Input"])
        for interview in self.client.interviews(self.candidate_id):
            for nudge in interview["nudges"]:
                if nudge["kind"] == "connect":
                    continue  # owned by the application, whose id the API does not show
                name = f"{interview['interview_id']}-{nudge['kind']}"
                due = parse_iso(nudge["due_at"]) if nudge.get("due_at") else None
                if nudge["status"] == "scheduled" and due and due - self.now > SEND_NOW_WINDOW:
                    assert name in schedules, (name, nudge)
                    assert parse_iso(schedules[name]["due_at"]) == due
                    FIGURES["schedules_checked"] += 1
                elif nudge["status"] != "scheduled":
                    assert name not in schedules, (name, nudge)


def test_the_nudge_state_machine(stack, client):
    Nudges.client, Nudges.stack = client, stack
    run_state_machine_as_test(
        Nudges,
        settings=settings(
            max_examples=15,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    print(f"\nstate machine: {dict(FIGURES)}")
    assert FIGURES["examples"] >= 15
