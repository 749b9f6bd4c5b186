"""Two webhooks for one interview at the same moment, raced for real through the stack.

Each round sends two signed Cal.com deliveries to ``POST /webhooks/calcom`` from two threads
released together by a barrier. The stack runs them as Lambda would: in two execution
environments of the Cal.com function at once (two processes), each with its own boto3 clients,
against the stack's moto server. The functions reach moto through ``local_stack.faults.FaultProxy``
(no faults injected), which in the ``writes-late`` mode holds every DynamoDB write for a moment,
so that both deliveries read the interview before either writes it and one of the writes meets
a version conflict and is redone; in ``free`` mode nothing is held.

After every round: one interview, in the state the providers' ordering rule gives (the newest
word by Cal.com's ``createdAt``), as the operator API shows it, each pending nudge with exactly
one schedule (Scheduler ListSchedules) at the right time, and no scheduled nudge or schedule for
a cancelled interview.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from local_stack import LocalStack, moto_speedups
from local_stack.client import LocalClient, Reply, calcom_booking
from local_stack.faults import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2031, 2, 3, 9, 0, tzinfo=UTC)
EMAIL = "race@example.org"
ORGANIZER = ("Grace Hopper", "grace@acme-robotics.com")
MODES = ("writes-late", "free")
ROUNDS = 2  # per scenario and mode: 4 scenarios x 2 modes x 2 = 16 rounds
WRITE_DELAY_S = 0.15
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
FIGURES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def moto_url():
    """A moto server with the local stack's speed-ups, among them DynamoDB's atomic conditional
    writes (``local_stack/moto_speedups.py``), which moto's backend lacks: without them this
    test would find moto's race instead of ours."""
    from moto.server import ThreadedMotoServer

    moto_speedups.install()

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Pacing:
    """The proxy's delay rule: DynamoDB writes held while ``late`` is on."""

    def __init__(self) -> None:
        self.late = False

    def __call__(self, operation: str) -> float:
        if self.late and operation.startswith("DynamoDB_") and operation.rsplit(".", 1)[-1] in WRITES:
            FIGURES["writes held"] += 1
            return WRITE_DELAY_S
        return 0.0


@pytest.fixture(scope="module")
def pacing() -> Pacing:
    return Pacing()


@pytest.fixture(scope="module")
def stack(moto_url, pacing):
    with (
        FaultProxy(moto_url, delay=pacing) as proxy,
        LocalStack(ROOT, endpoint_url=moto_url, function_endpoint_url=proxy.url) as stack,
    ):
        stack.set_clock(NOW)
        stack.proxy = proxy
        yield stack
    print(f"\nraces: {FIGURES['rounds']} rounds ({dict(FIGURES)}); AWS refused {dict(proxy.refused)}")


@pytest.fixture(scope="module")
def client(stack) -> LocalClient:
    return LocalClient(stack.base_url)


@pytest.fixture(scope="module")
def candidate_id(client) -> str:
    reply = client.register(email=EMAIL, timezone="Europe/London", channels=["email"], name="Ada")
    assert reply.status == 201, reply
    return reply.body["candidate_id"]


def booking(trigger: str, uid: str, start: datetime, said_at: datetime, title: str, reschedule_uid=None) -> dict:
    return calcom_booking(
        trigger,
        uid=uid,
        start=start,
        end=start + timedelta(hours=1),
        attendee=("Ada Lovelace", EMAIL),
        organizer=ORGANIZER,
        created_at=said_at,
        reschedule_uid=reschedule_uid,
        title=title,
    )


def run_together(client, pacing, mode: str, body_a: dict, body_b: dict) -> list[Reply]:
    """Both deliveries through the HTTP route at the same moment; both must be accepted."""
    start = threading.Barrier(2)
    replies: dict[str, Reply] = {}
    errors: list[BaseException] = []

    def deliver(name: str, body: dict) -> None:
        try:
            start.wait(10)
            replies[name] = client.calcom(body)
        except BaseException as exc:  # reported below
            errors.append(exc)

    pacing.late = mode == "writes-late"
    threads = [threading.Thread(target=deliver, args=(n, b)) for n, b in (("A", body_a), ("B", body_b))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        pacing.late = False
    assert not errors, errors
    assert [replies[n].status for n in ("A", "B")] == [200, 200], replies
    return [replies["A"], replies["B"]]


def schedules(stack, prefix: str) -> dict[str, datetime]:
    """The schedules in the nudge group whose name starts with ``prefix``: name -> the due_at in their Input."""
    scheduler = boto3.client(
        "scheduler",
        endpoint_url=stack.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    group = str(stack.template.ref("NudgeScheduleGroup"))
    found = {}
    for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group):
        for s in page.get("Schedules", []):
            if not s["Name"].startswith(prefix):
                continue
            detail = scheduler.get_schedule(Name=s["Name"], GroupName=group)
            found[s["Name"]] = at(json.loads(detail["Target"]["Input"])["due_at"])
    return found


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def check(stack, client, candidate_id: str, title: str, expected_start: datetime | None) -> None:
    """One interview for this round's bookings; scheduled at ``expected_start`` (None: cancelled)."""
    mine = [i for i in client.interviews(candidate_id) if i["title"] == title]
    assert len(mine) == 1, (title, mine)
    [interview] = mine
    # The follow-up belongs to the application's last round (every round here is one candidate's
    # with one company: one application), so it is checked across them, not per interview.
    nudges = {n["kind"]: (n["status"], at(n["due_at"])) for n in interview["nudges"] if n["kind"] != "follow_up"}
    named = {k: v for k, v in schedules(stack, interview["interview_id"]).items() if not k.endswith("-follow_up")}
    follow_ups = [
        i["interview_id"]
        for i in client.interviews(candidate_id)
        if any(n["kind"] == "follow_up" and n["status"] == "scheduled" for n in i["nudges"])
    ]
    assert len(follow_ups) <= 1, (title, follow_ups)  # one per application, on its last round
    if expected_start is None:
        assert interview["status"] == "cancelled", (title, interview)
        assert [k for k, (status, _due) in nudges.items() if status == "scheduled"] == [], (title, nudges)
        assert named == {}, (title, named)
        return
    assert (interview["status"], at(interview["start"])) == ("scheduled", expected_start), (title, interview)
    research, thank_you = expected_start - timedelta(hours=48), expected_start + timedelta(hours=2)
    assert nudges == {
        "research_prompt": ("scheduled", research),
        "thank_you": ("scheduled", thank_you),
    }, title
    assert named == {
        f"{interview['interview_id']}-research_prompt": research,
        f"{interview['interview_id']}-thank_you": thank_you,
    }, title


def day(n: int, hour: int = 14) -> datetime:
    # Afternoons in London in winter (UTC): no quiet hours move the nudges.
    return (NOW + timedelta(days=n)).replace(hour=hour)


@pytest.mark.parametrize("mode", MODES)
def test_duplicate_creates_make_one_interview(stack, client, candidate_id, pacing, mode):
    for n in range(ROUNDS):
        uid = f"dup-{mode}-{n}"
        body = booking("BOOKING_CREATED", uid, day(5), NOW, title=uid)
        a, b = run_together(client, pacing, mode, body, json.loads(json.dumps(body)))
        assert a.body["interview_id"] == b.body["interview_id"], (a, b)
        check(stack, client, candidate_id, uid, day(5))
        FIGURES["rounds"] += 1
    # Two execution environments of the Cal.com function served the deliveries at once, and
    # (with the writes held) the race bit: DynamoDB refused a conditional write, which was redone
    # (the interview's conditional put rides in the booking's one transaction: refused whole).
    assert stack.runtime.by_logical_id["CalcomWebhookFunction"].stats["cold_starts"] >= 2
    if mode == "writes-late":
        refused = stack.proxy.refused
        assert refused["ConditionalCheckFailedException"] + refused["TransactionCanceledException"] > 0, dict(refused)


@pytest.mark.parametrize("mode", MODES)
def test_two_reschedules_the_newer_wins(stack, client, candidate_id, pacing, mode):
    for n in range(ROUNDS):
        uid = f"two-{mode}-{n}"
        assert client.calcom(booking("BOOKING_CREATED", uid, day(5), NOW, uid)).status == 200
        older = booking("BOOKING_RESCHEDULED", f"{uid}-r1", day(6), NOW + timedelta(minutes=1), uid, uid)
        newer = booking("BOOKING_RESCHEDULED", f"{uid}-r2", day(7), NOW + timedelta(minutes=2), uid, uid)
        # Alternate which thread carries the newer word.
        a, b = (older, newer) if n % 2 == 0 else (newer, older)
        run_together(client, pacing, mode, a, b)
        check(stack, client, candidate_id, uid, day(7))
        FIGURES["rounds"] += 1


@pytest.mark.parametrize("mode", MODES)
def test_a_cancel_against_a_retried_create_cancels(stack, client, candidate_id, pacing, mode):
    for n in range(ROUNDS):
        uid = f"cancel-{mode}-{n}"
        created = booking("BOOKING_CREATED", uid, day(5), NOW, uid)
        assert client.calcom(created).status == 200
        cancel = booking("BOOKING_CANCELLED", uid, day(5), NOW + timedelta(minutes=1), uid)
        a, b = (created, cancel) if n % 2 == 0 else (cancel, created)
        run_together(client, pacing, mode, a, b)
        check(stack, client, candidate_id, uid, None)
        FIGURES["rounds"] += 1


@pytest.mark.parametrize("mode", MODES)
def test_a_reschedule_and_the_cancel_of_the_new_booking(stack, client, candidate_id, pacing, mode):
    """The candidate moves the interview and at once cancels the moved booking: the cancel
    names the new booking, which the reschedule is still linking to the interview."""
    for n in range(ROUNDS):
        uid = f"move-cancel-{mode}-{n}"
        assert client.calcom(booking("BOOKING_CREATED", uid, day(5), NOW, uid)).status == 200
        moved = booking("BOOKING_RESCHEDULED", f"{uid}-r1", day(6), NOW + timedelta(minutes=1), uid, uid)
        cancel = booking("BOOKING_CANCELLED", f"{uid}-r1", day(6), NOW + timedelta(minutes=2), uid)
        a, b = (moved, cancel) if n % 2 == 0 else (cancel, moved)
        run_together(client, pacing, mode, a, b)
        check(stack, client, candidate_id, uid, None)
        FIGURES["rounds"] += 1
