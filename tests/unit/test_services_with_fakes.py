"""Six services with in-memory fakes, no AWS and no HTTP: the calendar service (through the
CalendarProvider protocol), calendar connect's consent step, candidates, the candidate's own
choices, SMS consent and forwarded-invite receipts. What a user would check: what is stored,
what is sent, what is refused and with which field."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from nudges.domain.candidate import Candidate, Consent
from nudges.domain.interview import Interview, Person, interview_id_for
from nudges.domain.service_messages import InviteProblem, sms_yes_reply
from nudges.errors import InvalidInput, NotFound
from nudges.models.api import CandidateChanges, NewCandidate
from nudges.models.calendar_events import CalendarConnect, EventReading
from nudges.services.calendar_providers import CalendarSettings
from nudges.services.candidate_calendars import CalendarService
from nudges.services.candidate_choices import CandidateChoices
from nudges.services.candidates import CandidateService
from nudges.services.connect import ConnectService, ConsentRefused, ConsentUrls, code_challenge
from nudges.services.receipts import InviteReceipts
from nudges.services.sms_consent import SmsConsentService
from tests.fakes.repositories import World
from tests.fakes.services import (
    FakeBookings,
    FakeCalendarConnections,
    FakeCalendarProvider,
    FakeConsent,
    FakeOAuth,
    FakeOAuthStates,
    FakeQueue,
)

if TYPE_CHECKING:
    from nudges.adapters.calendar_connections import CalendarConnection

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
PHONE = "+447700900123"
BASE = "https://nudges.example.com"


def candidate(**changes) -> Candidate:
    ada = Candidate(
        candidate_id="c_ada",
        email="ada@example.org",
        timezone="Europe/London",
        channels=("email", "sms"),
        created_at=NOW,
        ics_inbox_token="inbox-ada",
        phone=PHONE,
        name="Ada Lovelace",
    )
    return replace(ada, **changes)


def interview(ref: str = "ev-1", **changes) -> Interview:
    start = NOW + timedelta(days=3)
    told = Interview(
        interview_id=interview_id_for("google", ref),
        candidate_email="ada@example.org",
        company="acme",
        title="Interview",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=(Person("Jane Doe", "jane@acme.com"),),
        source="google",
        source_ref=ref,
        updated_at=NOW,
    )
    return replace(told, **changes)


# ---------------------------------------------------------------------- calendars


class Calendars:
    def __init__(self) -> None:
        self.world = World()
        self.world.candidates.add(candidate())
        self.connections = FakeCalendarConnections()
        self.queue = FakeQueue()
        self.bookings = FakeBookings()
        self.google = FakeCalendarProvider("google", self.connections)
        self.microsoft = FakeCalendarProvider("microsoft", self.connections, renew_replaces=False)
        settings = CalendarSettings("https://g", "https://g/token", "https://m", "https://m/token", re.compile(".*"))
        self.service = CalendarService(
            self.world.candidates,
            self.world.interviews,
            self.connections,  # type: ignore[arg-type]
            self.bookings,  # type: ignore[arg-type]
            self.queue,  # type: ignore[arg-type]
            FakeOAuth(),  # type: ignore[arg-type]
            settings,
            providers={"google": self.google, "microsoft": self.microsoft},
        )

    def connect(self, provider: str = "google") -> CalendarConnection:
        request = CalendarConnect.model_validate({"provider": provider, "refresh_token": "rt-1"})
        return self.service.connect("c_ada", request, BASE, NOW)


def test_connecting_a_calendar_opens_a_watch_stores_it_and_queues_a_full_sync():
    c = Calendars()
    connection = c.connect("microsoft")
    assert connection.watch_id == "microsoft-watch-1" and connection.account_email == "owner@microsoft.example"
    assert connection.callback_url == "https://nudges.example.com/webhooks/microsoft"
    assert c.connections.get("c_ada", "microsoft", "primary") == connection
    assert c.connections.get_watch("microsoft", "microsoft-watch-1") is not None
    assert [(j.provider, j.action) for j in c.queue.jobs] == [("microsoft", "full_sync")]


def test_connecting_for_nobody_is_refused_and_nothing_is_stored():
    c = Calendars()
    request = CalendarConnect.model_validate({"provider": "google", "refresh_token": "rt-1"})
    with pytest.raises(NotFound):
        c.service.connect("c_nobody", request, BASE, NOW)
    assert c.connections.items == {} and c.queue.jobs == []


def test_reconnecting_stops_the_old_watch():
    c = Calendars()
    first = c.connect()
    second = c.connect()
    assert second.watch_id != first.watch_id and c.google.stopped == [first.watch_id]
    assert c.connections.get_watch("google", first.watch_id) is None


def test_a_full_sync_books_what_the_calendar_shows_and_stops_what_it_no_longer_shows():
    from nudges.services.candidate_calendars import SyncJob

    c = Calendars()
    c.connect()
    gone = interview("ev-gone")
    c.world.interviews.items[gone.interview_id] = (gone, 1)
    c.google.readings = [EventReading("ev-1", interview(), None)]
    c.service.run(SyncJob("c_ada", "google", "primary", "full_sync"), NOW)
    assert [(b.action, b.interview.source_ref) for b in c.bookings.applied] == [
        ("booked", "ev-1"),
        ("cancelled", "ev-gone"),
    ]
    assert c.google.reads == [{"full": True, "event_id": None}]
    assert c.connections.get("c_ada", "google", "primary").sync_token == "next-token"


def test_an_incremental_sync_applies_only_what_changed():
    from nudges.services.candidate_calendars import SyncJob

    c = Calendars()
    c.connect()
    gone = interview("ev-other")
    c.world.interviews.items[gone.interview_id] = (gone, 1)
    c.google.readings = [EventReading("ev-1", interview(), None)]
    c.service.run(SyncJob("c_ada", "google", "primary", "sync"), NOW)
    assert [b.action for b in c.bookings.applied] == ["booked"]  # not a whole read: nothing stopped
    assert c.google.reads == [{"full": False, "event_id": None}]


def test_renewal_replaces_a_google_channel_and_extends_a_graph_subscription():
    c = Calendars()
    google, microsoft = c.connect("google"), c.connect("microsoft")
    result = c.service.renew_due(NOW + timedelta(days=7))
    assert result == {"renewed": 2, "failed": 0}
    assert c.google.stopped == [google.watch_id]  # a new channel, the old one stopped
    assert c.microsoft.stopped == []  # extended in place
    renewed = c.connections.get("c_ada", "microsoft", "primary")
    assert renewed.watch_id == microsoft.watch_id and renewed.watch_expires == NOW + timedelta(days=10)


def test_a_rotated_refresh_token_is_stored_on_use():
    from nudges.services.candidate_calendars import SyncJob

    c = Calendars()
    c.connect()
    c.google.rotate_to = "rt-2"
    c.service.run(SyncJob("c_ada", "google", "primary", "sync"), NOW)
    assert c.connections.get("c_ada", "google", "primary").refresh_token == "rt-2"


def test_disconnecting_deletes_ours_then_stops_the_watch_and_twice_is_false():
    c = Calendars()
    connection = c.connect()
    assert c.service.disconnect("c_ada", "google", "primary") is True
    assert c.connections.items == {} and c.google.stopped == [connection.watch_id]
    assert c.service.disconnect("c_ada", "google", "primary") is False


def test_a_google_notification_is_checked_against_its_channel():
    from nudges.errors import Unauthorized

    c = Calendars()
    connection = c.connect()
    watch = c.connections.get_watch("google", connection.watch_id)
    c.connections.put_watch(replace(watch, resource_id="res-1"), NOW + timedelta(days=7))
    c.queue.jobs.clear()
    headers = {
        "x-goog-channel-id": connection.watch_id,
        "x-goog-channel-token": "secret",
        "x-goog-resource-id": "res-1",
        "x-goog-resource-state": "exists",
    }
    assert c.service.google_notification(headers) == "queued"
    assert [(j.provider, j.action) for j in c.queue.jobs] == [("google", "sync")]
    with pytest.raises(Unauthorized):
        c.service.google_notification({**headers, "x-goog-channel-token": "forged"})


# ---------------------------------------------------------------------- connect


def connect_service() -> tuple[ConnectService, FakeOAuthStates, Calendars]:
    c = Calendars()
    states = FakeOAuthStates()
    urls = ConsentUrls(
        auth={"google": "https://accounts.example/auth", "microsoft": "https://login.example/auth"},
        token={"google": "https://g/t", "microsoft": "https://m/t"},
    )
    return ConnectService(c.world.candidates, states, c.service, urls), states, c  # type: ignore[arg-type]


def test_the_consent_url_carries_a_stored_state_and_the_pkce_challenge():
    service, states, _ = connect_service()
    url = service.consent_url("c_ada", "google", BASE, NOW)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith("https://accounts.example/auth?")
    assert query["redirect_uri"] == "https://nudges.example.com/oauth/google/callback"
    assert query["access_type"] == "offline" and query["code_challenge_method"] == "S256"
    [(state, pending)] = states.pending.items()
    assert query["state"] == state and pending.candidate_id == "c_ada"
    assert query["code_challenge"] == code_challenge(pending.code_verifier)
    with pytest.raises(NotFound):
        service.consent_url("c_ada", "yahoo", BASE, NOW)


def test_a_callback_with_an_unknown_expired_or_denied_state_connects_nothing():
    service, states, c = connect_service()
    with pytest.raises(ConsentRefused) as unknown:
        service.callback("google", {"state": "forged", "code": "x"}, BASE, NOW)
    assert unknown.value.field == "state"
    service.consent_url("c_ada", "google", BASE, NOW)
    [state] = states.pending
    with pytest.raises(ConsentRefused) as expired:
        service.callback("google", {"state": state, "code": "x"}, BASE, NOW + timedelta(hours=1))
    assert expired.value.field == "state"
    service.consent_url("c_ada", "microsoft", BASE, NOW)
    [state] = states.pending
    with pytest.raises(ConsentRefused) as denied:
        service.callback("microsoft", {"state": state, "error": "access_denied"}, BASE, NOW)
    assert denied.value.field == "error" and states.pending == {}  # the state was taken anyway
    assert c.connections.items == {}


# ---------------------------------------------------------------------- candidates


def candidates_service() -> tuple[CandidateService, World, Calendars, FakeConsent]:
    c = Calendars()
    world = c.world
    consent = FakeConsent(world.candidates)
    service = CandidateService(
        world.candidates,
        world.interviews,
        world.applications,
        world.nudges,
        world.retention,
        world.planner,
        world.scheduler,
        c.service,
        consent,
    )
    return service, world, c, consent


def test_registering_plans_the_welcome_and_again_with_the_same_details_is_the_same_candidate():
    service, world, _, _ = candidates_service()
    new = NewCandidate.model_validate(
        {"email": "Grace@Example.org", "timezone": "America/New_York", "channels": ["email"]}
    )
    grace = service.register(new, NOW)
    assert grace.email == "grace@example.org" and grace.locale == "en-US"
    assert world.nudges.get(grace.candidate_id, "welcome").status == "scheduled"
    assert service.register(new, NOW).candidate_id == grace.candidate_id


def test_an_update_choosing_sms_without_a_phone_names_the_field_and_changes_nothing():
    service, world, _, _ = candidates_service()
    world.candidates.update(candidate(channels=("email",), phone=None))
    with pytest.raises(InvalidInput) as refused:
        service.update("c_ada", CandidateChanges.model_validate({"channels": ["email", "sms"]}), NOW)
    assert refused.value.field == "phone"
    assert world.candidates.get("c_ada").channels == ("email",)


def test_a_new_phone_forgets_the_old_numbers_yes():
    service, world, _, consent = candidates_service()
    world.candidates.update(candidate(sms_yes=Consent(NOW, "sms_yes", "in-1")))
    consent.point(candidate())
    updated = service.update("c_ada", CandidateChanges.model_validate({"phone": "+447700900999"}), NOW)
    assert updated.sms_yes is None
    assert consent.candidates_for_phone(_hash(PHONE)) == [] and consent.candidates_for_phone(_hash("+447700900999"))


def test_erasing_cancels_schedules_and_stops_watches_and_twice_is_once():
    service, world, c, _ = candidates_service()
    c.connect()
    world.planner.sync_welcome(candidate(), NOW)
    service.delete("c_ada")
    assert world.retention.erased == ["c_ada"] and c.google.stopped == ["google-watch-1"]
    service.delete("c_ada")


# ---------------------------------------------------------------------- choices


def test_the_preferences_forms_each_do_one_thing_and_bad_input_changes_nothing():
    service, world, c, consent = candidates_service()
    consent._preferences = world.preferences
    choices = CandidateChoices(service, c.service, consent)
    c.connect()
    ada = world.candidates.get("c_ada")
    with pytest.raises(InvalidInput) as bad:
        choices.apply(ada, {"disconnect": ["yahoo:primary"]}, None, NOW)
    assert bad.value.field == "disconnect" and c.connections.items
    assert choices.apply(ada, {"disconnect": ["google:primary"]}, None, NOW) == "disconnected"
    with pytest.raises(InvalidInput) as not_theirs:
        choices.apply(ada, {"resubscribe_email": ["on"]}, None, NOW)
    assert not_theirs.value.field == "resubscribe_email"
    world.preferences.suppress_email(ada.email, "unsubscribed", NOW)
    assert choices.apply(ada, {"resubscribe_email": ["on"]}, None, NOW) == "resubscribed"
    assert world.preferences.suppressed == {}
    with pytest.raises(InvalidInput) as unconfirmed:
        choices.apply(ada, {"erase": ["on"], "confirm": ["yes"]}, None, NOW)
    assert unconfirmed.value.field == "confirm" and world.candidates.get("c_ada") is not None
    assert choices.apply(ada, {"erase": ["on"], "confirm": ["ERASE"]}, None, NOW) == "erased"


# ---------------------------------------------------------------------- SMS consent


def _hash(phone: str) -> str:
    from nudges.domain.channels import phone_key

    return phone_key(phone)


def test_a_yes_from_the_candidates_number_is_kept_once_and_answered_in_their_language():
    world = World()
    world.candidates.add(candidate(locale="en-US"))
    consent = FakeConsent(world.candidates)
    consent.point(candidate())
    service = SmsConsentService(world.candidates, consent)
    assert service(PHONE, "in-1", NOW) == sms_yes_reply("en-US")
    assert world.candidates.get("c_ada").sms_yes == Consent(NOW, "sms_yes", "in-1")
    assert service(PHONE, "in-2", NOW) is None  # on record already: kept once, not answered again
    assert service("+15550000000", "in-3", NOW) is None  # nobody has this number


def test_a_yes_from_a_number_the_candidate_has_since_changed_is_not_theirs():
    world = World()
    world.candidates.add(candidate(phone="+447700900999"))
    consent = FakeConsent(world.candidates)
    consent.pointers[_hash(PHONE)] = {"c_ada"}  # a pointer left by the old number
    assert SmsConsentService(world.candidates, consent)(PHONE, "in-1", NOW) is None
    assert world.candidates.get("c_ada").sms_yes is None


# ---------------------------------------------------------------------- receipts


def receipts() -> tuple[InviteReceipts, World]:
    world = World()
    world.candidates.add(candidate())
    service = InviteReceipts(
        world.nudges, world.preferences, world.receipts, world.email, lambda cid: f"{BASE}/unsubscribe/{cid}"
    )
    return service, world


def test_a_forwarded_invite_is_answered_once_with_what_was_read():
    service, world = receipts()
    told = interview()
    world.interviews.items[told.interview_id] = (told, 1)
    world.planner.sync_interview(told, candidate(), NOW)
    ada = candidate()
    assert service.acknowledge(ada, [told], [], "mail-1", NOW) == "ses-1"
    assert service.acknowledge(ada, [told], [], "mail-1", NOW) is None  # the notification came twice
    [sent] = world.email.sent
    assert sent["to"] == "ada@example.org" and sent["subject"].startswith("Got it: Acme, ")
    assert "research prompt on" in sent["text"] and sent["unsubscribe_url"] == f"{BASE}/unsubscribe/c_ada"


def test_a_receipt_says_what_was_wrong_and_none_goes_to_a_suppressed_or_sms_only_candidate():
    service, world = receipts()
    ada = candidate()
    service.acknowledge(ada, [], [InviteProblem("unreadable", "bad line 3")], "mail-1", NOW)
    [sent] = world.email.sent
    assert sent["subject"] == "We could not use the invitation you forwarded"
    assert "Not used: the invitation file could not be read (bad line 3)." in sent["text"]
    assert service.acknowledge(replace(ada, channels=("sms",)), [], [], "mail-2", NOW) is None
    world.preferences.suppress_email(ada.email, "bounced", NOW)
    assert service.acknowledge(ada, [], [], "mail-3", NOW) is None
    assert len(world.email.sent) == 1
