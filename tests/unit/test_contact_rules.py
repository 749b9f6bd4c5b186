"""The contact rules moved out of the handlers (PreferenceService, InviteService.mail_stored),
with in-memory fakes: what SES and the inbox say decides who is emailed and what is read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from nudges.services.invites import InviteService
from tests.fakes.repositories import World

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2030, 3, 5, 14, 0, tzinfo=UTC)


def ses_event(name: str) -> dict:
    event = json.loads((ROOT / "events" / f"{name}.json").read_text())
    return json.loads(event["Records"][0]["Sns"]["Message"])


def test_a_permanent_bounce_and_a_complaint_suppress_the_address_a_transient_bounce_does_not():
    world = World()
    bounce = ses_event("email_events-bounce")
    assert world.preference_service.email_event(bounce, NOW) == 1
    assert world.preferences.suppressed == {"bounced.candidate@example.org": "bounced"}

    transient = json.loads(json.dumps(bounce))
    transient["bounce"]["bounceType"] = "Transient"
    transient["bounce"]["bouncedRecipients"][0]["emailAddress"] = "full.mailbox@example.org"
    assert world.preference_service.email_event(transient, NOW) == 0

    complaint = ses_event("email_events-complaint")
    assert world.preference_service.email_event(complaint, NOW) == 1
    assert "complained" in world.preferences.suppressed.values()
    assert "full.mailbox@example.org" not in world.preferences.suppressed


def test_an_unsubscribe_suppresses_the_candidates_address_and_an_unknown_one_changes_nothing():
    from nudges.domain.candidate import Candidate

    world = World()
    world.candidates.add(
        Candidate("c_ada", "ada@example.org", "Europe/London", ("email",), NOW, "inbox-token-ada-0001")
    )
    world.preference_service.unsubscribe("c_nobody", NOW)
    assert world.preferences.suppressed == {}
    world.preference_service.unsubscribe("c_ada", NOW)
    assert world.preferences.suppressed == {"ada@example.org": "unsubscribed"}


class FakeMailbox:
    def __init__(self, mail: bytes) -> None:
        self.mail = mail
        self.read_keys: list[str] = []
        self.deleted: list[str] = []

    def read(self, bucket: str, key: str) -> bytes:
        self.read_keys.append(key)
        return self.mail

    def delete(self, bucket: str, key: str) -> None:
        self.deleted.append(key)


def test_stored_mail_is_read_once_then_deleted_and_mail_with_a_virus_is_never_read():
    world = World()
    mailbox = FakeMailbox(b"From: someone@example.org\r\n\r\nno invite here\r\n")
    invites = InviteService(world.candidates, world.bookings, mailbox)  # type: ignore[arg-type]
    notification = ses_event("ics_email-ses_received")
    key = notification["receipt"]["action"]["objectKey"]

    assert invites.mail_stored(notification, "inbox.example.org", NOW) == []  # nobody's inbox, no invite
    assert mailbox.read_keys == [key] and mailbox.deleted == [key]

    infected = json.loads(json.dumps(notification))
    infected["receipt"]["virusVerdict"] = {"status": "FAIL"}
    assert invites.mail_stored(infected, "inbox.example.org", NOW) == []
    assert mailbox.read_keys == [key] and mailbox.deleted == [key, key]  # deleted unread

    other = {**notification, "notificationType": "Bounce"}
    assert invites.mail_stored(other, "inbox.example.org", NOW) == []
    assert mailbox.deleted == [key, key]  # not an S3 receipt: nothing to delete
