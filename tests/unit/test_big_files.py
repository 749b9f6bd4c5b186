"""Big calendar files: a cap on events per file (the rest left out, said so), the work booked in
parts from a queue, and an interrupted part retried to completion with exactly one receipt."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from nudges.adapters.invite_work import FileProgress
from nudges.domain.candidate import Candidate
from nudges.services.invites import INLINE_EVENTS, MAX_EVENTS_PER_FILE, InviteService
from nudges.services.receipts import InviteReceipts
from tests.fakes.repositories import World

NOW = datetime(2031, 2, 3, 9, 0, tzinfo=UTC)
MAYA = Candidate(
    candidate_id="c_maya",
    email="maya@example.org",
    timezone="Europe/London",
    channels=("email",),
    created_at=NOW,
    ics_inbox_token="inbox-token-maya-01",
    name="Maya Okafor",
)


def big_calendar(n: int, *, past: int = 0) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Apple Inc.//macOS 14//EN", "METHOD:PUBLISH"]
    first = NOW - timedelta(days=past)
    for k in range(n):
        start = first + timedelta(days=1 + k // 4, hours=2 * (k % 4))
        lines += [
            "BEGIN:VEVENT",
            f"UID:big-{k}@example.com",
            "DTSTAMP:20310201T090000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:Interview {k} with Northwind",
            "ORGANIZER;CN=Jane Doe:mailto:jane.doe@northwind-traders.com",
            "END:VEVENT",
        ]
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


class FakeFiles:
    def __init__(self) -> None:
        self.items: dict[str, dict] = {}

    def start(self, file_id: str, parts: int, expires_after: datetime) -> None:
        self.items.setdefault(file_id, {"parts": parts, "done": set(), "ids": set()})

    def part_done(self, file_id: str, part: int, interview_ids: list[str]) -> FileProgress:
        item = self.items[file_id]
        item["done"].add(str(part))
        item["ids"].update(interview_ids)
        return FileProgress(item["parts"], frozenset(item["done"]), tuple(sorted(item["ids"])))


class FakeQueue:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def send(self, bodies: list[str]) -> None:
        self.messages += bodies


@pytest.fixture
def world() -> World:
    world = World()
    world.candidates.add(MAYA)
    return world


def service(world: World, queue: FakeQueue, files: FakeFiles) -> InviteService:
    receipts = InviteReceipts(world.nudges, world.preferences, world.receipts, world.email, lambda _c: None)
    return InviteService(
        world.candidates,
        world.bookings,
        mailbox=None,
        receipts=receipts,  # type: ignore[arg-type]
        interviews=world.interviews,
        files=files,
        queue=queue,  # type: ignore[arg-type]
    )


def stored(world: World) -> int:
    return len(world.interviews.items)


def test_a_small_file_is_booked_at_once(world):
    queue = FakeQueue()
    taken = service(world, queue, FakeFiles()).take_invite(MAYA, big_calendar(INLINE_EVENTS), NOW)
    assert len(taken.interviews) == INLINE_EVENTS and taken.queued == 0 and queue.messages == []


def test_a_big_file_is_capped_queued_in_parts_and_booked_by_them(world):
    queue, files = FakeQueue(), FakeFiles()
    invites = service(world, queue, files)
    taken = invites.take_invite(MAYA, big_calendar(500), NOW)
    assert taken.interviews == [] and taken.queued == MAX_EVENTS_PER_FILE
    [left] = taken.ignored
    assert left["reason"].startswith(f"{500 - MAX_EVENTS_PER_FILE} more events in the file were not read")
    assert stored(world) == 0  # nothing booked by the request itself
    for body in queue.messages:
        invites.work(json.loads(body), NOW)
    assert stored(world) == MAX_EVENTS_PER_FILE
    # The same file posted again is the same file: booked again, nothing new
    again = invites.take_invite(MAYA, big_calendar(500), NOW)
    assert again.file_id == taken.file_id
    for body in queue.messages[len(queue.messages) // 2 :]:
        invites.work(json.loads(body), NOW)
    assert stored(world) == MAX_EVENTS_PER_FILE


def test_the_cap_keeps_the_events_still_ahead(world):
    queue = FakeQueue()
    invites = service(world, queue, FakeFiles())
    invites.take_invite(MAYA, big_calendar(120, past=5), NOW)  # 20 past, 100 ahead
    for body in queue.messages:
        invites.work(json.loads(body), NOW)
    assert all(i.end > NOW for i, _ in world.interviews.items.values())


def test_an_interrupted_mailed_file_is_completed_by_the_retry_with_one_receipt(world):
    queue, files = FakeQueue(), FakeFiles()
    invites = service(world, queue, files)
    invites.receive_mail(
        [f"{MAYA.ics_inbox_token}@inbox.example"], "inbox.example", mail_with(big_calendar(500)), NOW, "mail-1"
    )
    parts = [json.loads(body) for body in queue.messages]
    assert len(parts) == MAX_EVENTS_PER_FILE // 5 and world.email.sent == []
    # A part fails half-way (a crash after some of its bookings): SQS delivers it again
    broken = dict(parts[3], changes=parts[3]["changes"][:2])
    invites.work(broken, NOW)
    files.items[parts[3]["file"]]["done"].discard("3")  # the crash came before the part was recorded
    for part in parts:
        invites.work(part, NOW)
    invites.work(parts[-1], NOW)  # and a duplicate delivery of the last
    assert stored(world) == MAX_EVENTS_PER_FILE
    [receipt] = world.email.sent
    assert "Not used" in receipt["text"] and f"{500 - MAX_EVENTS_PER_FILE} more events" in receipt["text"]


def mail_with(calendar: bytes) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "maya@example.org", "x@inbox.example", "Fwd: calendar"
    message.set_content("My calendar.")
    message.add_attachment(calendar, maintype="text", subtype="calendar", filename="calendar.ics")
    return bytes(message)
