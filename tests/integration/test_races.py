"""Two webhooks for one interview at the same moment, raced for real.

Lambda runs two deliveries of one webhook in two execution environments at once; the local
stack runs one invocation per function at a time, so this test builds a second instance of the
Cal.com function (its own cold start, as a second execution environment would have) and calls
both handlers from two threads released together by a barrier, against the stack's moto server
over HTTP. To make the race bite every round, the store the handlers use is wrapped (injected
through ``nudges.wiring.interviews`` and ``nudges.wiring.candidates``, nothing in production
code waits) so that:

- ``read-together``: both deliveries read the interview before either writes it, so one of the
  writes always meets a version conflict (``ConcurrentUpdate``) and is redone;
- ``plan-last``: the first delivery to reach planning waits until the other has finished, so the
  nudges planned from an older version of the interview are written last;
- ``free``: no pause, whatever the threads do.

After every round: one interview, in the state the providers' ordering rule gives (the newest
word by Cal.com's ``createdAt``), each pending nudge with exactly one schedule (Scheduler
ListSchedules) at the right time, and no scheduled nudge or schedule for a cancelled interview.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from local_stack import LocalStack
from local_stack.client import DEFAULT_CALCOM_SECRET, LocalClient, calcom_booking
from local_stack.runtime import Function

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2031, 2, 3, 9, 0, tzinfo=UTC)
EMAIL = "race@example.org"
ORGANIZER = ("Grace Hopper", "grace@acme-robotics.com")
MODES = ("read-together", "plan-last", "free", "both")
ROUNDS = 2  # per scenario and mode: 4 scenarios x 4 modes x 2 = 32 rounds
FIGURES: Counter[str] = Counter()
WAIT = 5.0  # seconds a paused delivery waits for the other at most (never reached when both run)


class PausingStore:
    """The real interview and candidate repositories, with pauses between reading and writing for
    two named threads (``interviews`` and ``candidates`` are what the handlers' BookingService gets)."""

    def __init__(self, interviews, candidates, nudges) -> None:
        self._interviews = interviews
        self._candidates = candidates
        self.nudges = nudges
        self.interviews = _Repository(
            interviews,
            lookup=self.lookup,
            get=self.get_interview,
            save=self.save_interview,
            forget=self.forget_interview,
        )
        self.candidates = _Repository(candidates, by_email=self.candidate_by_email)
        self.mode = "free"
        self._barrier = threading.Barrier(2)
        self._done: dict[str, threading.Event] = {}
        self._read: set[str] = set()
        self._planning: list[str] = []
        self._lock = threading.Lock()

    def start_round(self, mode: str, names: tuple[str, str]) -> None:
        self.mode = mode
        self._barrier = threading.Barrier(2)
        self._done = {n: threading.Event() for n in names}
        self._read = set()
        self._planning = []

    def finished(self, name: str) -> None:
        self._done[name].set()

    def lookup(self, source, ref, email):
        # BookingService reads the interview and its candidate in one call, then writes: both
        # pauses sit between that read and the write, as they sat between the two reads before.
        found = self._interviews.lookup(source, ref, email)
        self._read_together()
        self._plan_last()
        return found

    def get_interview(self, interview_id):
        found = self._interviews.get(interview_id)
        self._read_together()
        return found

    def _read_together(self) -> None:
        me = threading.current_thread().name
        if self.mode in ("read-together", "both") and me in self._done and me not in self._read:
            self._read.add(me)
            try:
                self._barrier.wait(WAIT)  # the other has read too: both write from this version
            except threading.BrokenBarrierError:
                FIGURES["barrier timeouts"] += 1

    def save_interview(self, interview, read_version, extending=None):
        try:
            return self._interviews.save(interview, read_version, extending)
        except Exception as exc:
            if type(exc).__name__ == "ConcurrentUpdate":
                FIGURES["version conflicts retried"] += 1
            raise

    def forget_interview(self, interview_id):
        FIGURES["early cancels folded into the moved interview"] += 1
        return self._interviews.forget(interview_id)

    def candidate_by_email(self, email):
        # BookingService asks for the candidate again when a newer version has to be planned.
        self._plan_last()
        return self._candidates.by_email(email)

    def _plan_last(self) -> None:
        me = threading.current_thread().name
        with self._lock:
            first = not self._planning and me in self._done
            if me in self._planning:
                FIGURES["plans after a delivery's first"] += 1
            else:
                self._planning.append(me)
        if first and self.mode in ("plan-last", "both"):
            other = next(n for n in self._done if n != me)
            if not self._done[other].wait(WAIT):
                FIGURES["plan waits timed out"] += 1


class _Repository:
    """``repository`` with some of its methods replaced."""

    def __init__(self, repository, **methods) -> None:
        self._repository = repository
        self.__dict__.update(methods)

    def __getattr__(self, name):
        return getattr(self._repository, name)


@pytest.fixture(scope="module")
def atomic_dynamodb():
    """DynamoDB applies each write to an item atomically with its condition; moto's backend
    checks the condition and then writes without a lock, so two racing writes can both pass
    a ``version = :v`` check. The embedded moto server runs in this process: give its writes
    the atomicity DynamoDB has (one lock around each read or write; readers too, since moto
    builds a new item in steps a Query could see half-made), or this test would find
    moto's race instead of ours."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    names = (
        "put_item",
        "get_item",
        "update_item",
        "delete_item",
        "transact_write_items",
        "batch_write_item",
        "query",
        "scan",
        "batch_get_item",  # readers too: moto builds a new item in steps
    )
    originals = {name: getattr(DynamoDBBackend, name) for name in names}

    def locked(method):
        def call(*args, **kwargs):
            with lock:
                return method(*args, **kwargs)

        return call

    for name, method in originals.items():
        setattr(DynamoDBBackend, name, locked(method))
    yield
    for name, method in originals.items():
        setattr(DynamoDBBackend, name, method)


@pytest.fixture(scope="module")
def stack(atomic_dynamodb, monkeypatch_module):
    monkeypatch_module.delenv("AWS_ENDPOINT_URL", raising=False)  # the embedded moto server, in this process
    with LocalStack(ROOT) as stack:
        stack.set_clock(NOW)
        yield stack


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def race(stack):
    import nudges.wiring as wiring

    client = LocalClient(stack.base_url)
    reply = client.register(email=EMAIL, timezone="Europe/London", channels=["email"], name="Ada")
    assert reply.status == 201, reply
    first = stack.runtime.by_logical_id["CalcomWebhookFunction"]
    second = Function(first.spec, first.environment)  # a second execution environment
    first.load()
    second.load()
    store = PausingStore(wiring.interviews(), wiring.candidates(), wiring.nudges())
    originals = wiring.interviews, wiring.candidates
    wiring.interviews, wiring.candidates = (lambda: store.interviews), (lambda: store.candidates)
    wiring.bookings.cache_clear()  # built again, on the next booking, with the pausing repositories
    yield first, second, store
    wiring.interviews, wiring.candidates = originals
    wiring.bookings.cache_clear()
    print(
        f"\nraces: {FIGURES['rounds']} rounds ({dict(FIGURES)})",
    )


def calcom_event(body: dict) -> dict:
    raw = json.dumps(body)
    event = json.loads((ROOT / "events" / "calcom_webhook-booking_created.json").read_text())
    signature = hmac.new(DEFAULT_CALCOM_SECRET.encode(), raw.encode(), hashlib.sha256).hexdigest()
    event["body"] = raw
    event["headers"] = {**event["headers"], "x-cal-signature-256": signature, "content-length": str(len(raw))}
    return event


def booking(trigger: str, uid: str, start: datetime, said_at: datetime, reschedule_uid: str | None = None) -> dict:
    return calcom_event(
        calcom_booking(
            trigger,
            uid=uid,
            start=start,
            end=start + timedelta(hours=1),
            attendee=("Ada Lovelace", EMAIL),
            organizer=ORGANIZER,
            created_at=said_at,
            reschedule_uid=reschedule_uid,
        )
    )


def run_together(first, second, store, mode: str, event_a: dict, event_b: dict) -> list[dict]:
    store.start_round(mode, ("A", "B"))
    start = threading.Barrier(2)
    replies: dict[str, dict] = {}
    errors: list[BaseException] = []

    def deliver(name: str, fn, event: dict) -> None:
        try:
            start.wait(WAIT)
            replies[name] = fn.invoke(event)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            store.finished(name)

    threads = [
        threading.Thread(target=deliver, name="A", args=("A", first, event_a)),
        threading.Thread(target=deliver, name="B", args=("B", second, event_b)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert all(r["statusCode"] == 200 for r in replies.values()), replies
    return [replies["A"], replies["B"]]


def schedules(stack, prefix: str) -> dict[str, str]:
    """The schedules in the nudge group whose name starts with ``prefix``: name -> the due_at in their Input."""
    scheduler = boto3.client("scheduler", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    group = str(stack.template.ref("NudgeScheduleGroup"))
    found = {}
    for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group):
        for s in page.get("Schedules", []):
            if not s["Name"].startswith(prefix):
                continue
            detail = scheduler.get_schedule(Name=s["Name"], GroupName=group)
            found[s["Name"]] = json.loads(detail["Target"]["Input"])["due_at"]
    return found


def check(stack, store, refs: list[str], expected_start: datetime | None, label: str) -> None:
    """One interview for these bookings; scheduled at ``expected_start`` (None: cancelled)."""
    from nudges.domain.interview import interview_id_for
    from nudges.timefmt import iso

    ids = {interview_id_for("calcom", r) for r in refs}
    mine = [i for i in store.interviews.for_email(EMAIL) if i.interview_id in ids or set(i.source_refs) & set(refs)]
    assert len(mine) == 1, (label, mine)
    [interview] = mine
    assert interview.interview_id == interview_id_for("calcom", refs[0]), label
    # The follow-up belongs to the application's last round (these rounds share one application),
    # so it is checked across them, not per interview.
    nudges = {k: n for k, n in store.nudges.for_owner(interview.interview_id).items() if k != "follow_up"}
    named = {k: v for k, v in schedules(stack, interview.interview_id).items() if not k.endswith("-follow_up")}
    follow_ups = [
        i.interview_id
        for i in store.interviews.for_email(EMAIL)
        if (n := store.nudges.get(i.interview_id, "follow_up")) is not None and n.status == "scheduled"
    ]
    assert len(follow_ups) <= 1, (label, follow_ups)  # one per application, on its last round
    if expected_start is None:
        assert interview.status == "cancelled", label
        assert [k for k, n in nudges.items() if n.status == "scheduled"] == [], (label, nudges)
        assert named == {}, (label, named)
        return
    assert (interview.status, interview.start) == ("scheduled", expected_start), (label, interview)
    research, thank_you = expected_start - timedelta(hours=48), expected_start + timedelta(hours=2)
    assert {k: (n.status, n.due_at) for k, n in nudges.items()} == {
        "research_prompt": ("scheduled", research),
        "thank_you": ("scheduled", thank_you),
    }, label
    assert named == {
        f"{interview.interview_id}-research_prompt": iso(research),
        f"{interview.interview_id}-thank_you": iso(thank_you),
    }, label


def day(n: int, hour: int = 14) -> datetime:
    # Afternoons in London in winter (UTC): no quiet hours move the nudges.
    return (NOW + timedelta(days=n)).replace(hour=hour)


@pytest.mark.parametrize("mode", MODES)
def test_duplicate_creates_make_one_interview(stack, race, mode):
    first, second, store = race
    for n in range(ROUNDS):
        uid = f"dup-{mode}-{n}"
        event = booking("BOOKING_CREATED", uid, day(5), NOW)
        run_together(first, second, store, mode, event, json.loads(json.dumps(event)))
        check(stack, store, [uid], day(5), uid)
        FIGURES["rounds"] += 1


@pytest.mark.parametrize("mode", MODES)
def test_two_reschedules_the_newer_wins(stack, race, mode):
    first, second, store = race
    for n in range(ROUNDS):
        uid = f"two-{mode}-{n}"
        first.invoke(booking("BOOKING_CREATED", uid, day(5), NOW))
        older = booking("BOOKING_RESCHEDULED", f"{uid}-r1", day(6), NOW + timedelta(minutes=1), uid)
        newer = booking("BOOKING_RESCHEDULED", f"{uid}-r2", day(7), NOW + timedelta(minutes=2), uid)
        # Alternate which thread carries the newer word.
        a, b = (older, newer) if n % 2 == 0 else (newer, older)
        run_together(first, second, store, mode, a, b)
        check(stack, store, [uid, f"{uid}-r1", f"{uid}-r2"], day(7), uid)
        FIGURES["rounds"] += 1


@pytest.mark.parametrize("mode", MODES)
def test_a_cancel_against_a_retried_create_cancels(stack, race, mode):
    first, second, store = race
    for n in range(ROUNDS):
        uid = f"cancel-{mode}-{n}"
        created = booking("BOOKING_CREATED", uid, day(5), NOW)
        first.invoke(created)
        cancel = booking("BOOKING_CANCELLED", uid, day(5), NOW + timedelta(minutes=1))
        a, b = (created, cancel) if n % 2 == 0 else (cancel, created)
        run_together(first, second, store, mode, a, b)
        check(stack, store, [uid], None, uid)
        FIGURES["rounds"] += 1


@pytest.mark.parametrize("mode", MODES)
def test_a_reschedule_and_the_cancel_of_the_new_booking(stack, race, mode):
    """The candidate moves the interview and at once cancels the moved booking: the cancel
    names the new booking, which the reschedule is still linking to the interview."""
    first, second, store = race
    for n in range(ROUNDS):
        uid = f"move-cancel-{mode}-{n}"
        first.invoke(booking("BOOKING_CREATED", uid, day(5), NOW))
        moved = booking("BOOKING_RESCHEDULED", f"{uid}-r1", day(6), NOW + timedelta(minutes=1), uid)
        cancel = booking("BOOKING_CANCELLED", f"{uid}-r1", day(6), NOW + timedelta(minutes=2))
        a, b = (moved, cancel) if n % 2 == 0 else (cancel, moved)
        run_together(first, second, store, mode, a, b)
        check(stack, store, [uid, f"{uid}-r1"], None, uid)
        FIGURES["rounds"] += 1
