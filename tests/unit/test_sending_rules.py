"""SendService with in-memory fakes of its Protocols: a due nudge goes out once per channel,
whatever the deliveries do, and never to an address or number that said no."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.booking import BookingChange
from nudges.domain.candidate import Candidate, Consent, phone_key
from nudges.domain.interview import Interview, Person
from nudges.domain.service_messages import sms_reply
from nudges.errors import SendInProgress
from nudges.services.sending import Delivery
from tests.fakes.repositories import World

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
START = datetime(2030, 3, 11, 15, 0, tzinfo=UTC)
PHONE = "+447700900123"


def _world(channels: tuple[str, ...] = ("email", "sms")) -> tuple[World, Delivery]:
    world = World()
    world.candidates.add(
        Candidate(
            candidate_id="c_ada",
            email="ada@example.org",
            timezone="Europe/London",
            channels=channels,  # type: ignore[arg-type]
            created_at=NOW,
            ics_inbox_token="inbox-token-ada-0001",
            phone=PHONE,
            name="Ada Lovelace",
            # The operator had her consent to texts (without it only the welcome is texted).
            sms_consent=Consent(NOW, "sign-up form"),
        )
    )
    interview = world.bookings.apply(
        BookingChange(
            "booked",
            Interview(
                interview_id="",
                source="calcom",
                source_ref="bk-1",
                candidate_email="ada@example.org",
                company="acme-robotics.com",
                title="Final interview",
                start=START,
                end=START + timedelta(hours=1),
                interviewers=(Person("Grace Hopper", "grace@acme-robotics.com"),),
                updated_at=NOW,
            ),
        ),
        NOW,
    )
    nudge = world.nudges.get(interview.interview_id, "thank_you")
    assert nudge is not None and nudge.due_at is not None
    return world, Delivery(nudge.owner_id, "thank_you", nudge.due_at, "c_ada")


@pytest.fixture
def both() -> tuple[World, Delivery]:
    return _world()


def test_a_due_nudge_goes_out_once_on_each_channel_however_often_it_is_delivered(both):
    world, delivery = both
    at = delivery.due_at

    assert world.sender.deliver(delivery, at) == "sent on email, sms"
    assert world.sender.deliver(delivery, at) == "not sent: nudge is sent"
    assert [m["to"] for m in world.email.sent] == ["ada@example.org"]
    assert [to for to, _ in world.sms.sent] == [PHONE]
    assert "Grace" in world.email.sent[0]["text"]
    assert world.email.sent[0]["unsubscribe_url"] == "https://nudges.test/unsubscribe/c_ada"


def test_a_crash_between_channels_resends_only_what_is_missing(both):
    world, delivery = both
    world.sms.fail_next = True
    with pytest.raises(ConnectionError):
        world.sender.deliver(delivery, delivery.due_at)
    assert len(world.email.sent) == 1 and world.sms.sent == []

    # The claim was released: the retry need not wait for the lease, and sends SMS alone.
    assert world.sender.deliver(delivery, delivery.due_at + timedelta(seconds=5)) == "sent on email, sms"
    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1


def test_a_delivery_racing_a_live_claim_is_retried_later(both):
    world, delivery = both
    nudge = world.nudges.get(delivery.owner_id, delivery.kind)
    assert nudge is not None
    world.nudges.claim_send(nudge, delivery.due_at, timedelta(minutes=2))  # another delivery, mid-send
    with pytest.raises(SendInProgress):
        world.sender.deliver(delivery, delivery.due_at)
    assert world.email.sent == [] and world.sms.sent == []


def test_suppressed_email_and_opted_out_sms_are_honoured_at_send_time(both):
    world, delivery = both
    world.preferences.suppress_email("Ada@Example.org", "bounced", NOW)
    assert world.sender.deliver(delivery, delivery.due_at) == "sent on sms (not email: bounced)"
    assert world.email.sent == []

    world2, delivery2 = _world()
    world2.preference_service.sms_received("m-1", PHONE, "stop", NOW)
    world2.preferences.suppress_email("ada@example.org", "unsubscribed", NOW)
    assert world2.sender.deliver(delivery2, delivery2.due_at) == ("skipped: email: unsubscribed; sms: opted out by SMS")
    # nothing but the STOP's own confirmation was texted
    assert world2.email.sent == [] and [text for _, text in world2.sms.sent] == [sms_reply("stop")]
    assert world2.nudges.get(delivery2.owner_id, delivery2.kind).status == "skipped"  # type: ignore[union-attr]
    assert phone_key(PHONE) in world2.preferences.opted_out


def test_a_carrier_level_stop_is_honoured_too():
    world, delivery = _world(("sms",))
    world.sms.carrier_opted_out.add(PHONE)
    assert world.sender.deliver(delivery, delivery.due_at).startswith("skipped")
    assert world.sms.sent == []


def test_a_delivery_planned_for_another_time_or_a_cancelled_interview_sends_nothing(both):
    world, delivery = both
    early = replace(delivery, due_at=delivery.due_at - timedelta(hours=1))
    assert world.sender.deliver(early, early.due_at) == "not sent: the nudge was moved since this delivery was planned"

    interview, version = world.interviews.get(delivery.owner_id)  # type: ignore[misc]
    world.interviews.save(replace(interview, status="cancelled"), version)
    assert world.sender.deliver(delivery, delivery.due_at) == "skipped: the interview was cancelled"
    assert world.email.sent == [] and world.sms.sent == []


def test_start_opts_back_in_and_help_answers(both):
    world, delivery = both
    world.preference_service.sms_received("m-1", PHONE, "STOP", NOW)
    world.preference_service.sms_received("m-2", PHONE, " start please", NOW)
    assert world.preferences.opted_out == set() and world.sms.opted_in == [PHONE]
    assert world.preference_service.sms_received("m-3", PHONE, "help", NOW) == "help"
    assert world.sms.sent[-1][0] == PHONE and "STOP" in world.sms.sent[-1][1]
    assert world.sender.deliver(delivery, delivery.due_at) == "sent on email, sms"


def test_a_send_reads_once_and_decides_twice_without_reading_when_email_is_suppressed(both):
    # Given an address that bounced: the SMS must carry the essentials (no "details in your email")
    world, delivery = both
    world.preferences.suppress_email("ada@example.org", "bounced", NOW)
    queries: list[str] = []
    for_email = world.interviews.for_email
    world.interviews.for_email = lambda email: queries.append(email) or for_email(email)  # type: ignore[method-assign]
    # When it is delivered
    assert world.sender.deliver(delivery, delivery.due_at) == "sent on sms (not email: bounced)"
    # Then the application's rounds were read once, and the SMS was decided again from that read
    assert queries == ["ada@example.org"]
    [(_, text)] = world.sms.sent
    assert "in your email" not in text and "by email" not in text


def test_the_message_decision_is_pure_given_what_was_read(both):
    world, delivery = both
    nudge = world.nudges.get(delivery.owner_id, delivery.kind)
    view = world.nudges.delivery_view(delivery.owner_id, delivery.kind, delivery.candidate_id)
    inputs = world.composer.read(nudge.kind, view.interview, view.application, view.candidate)  # type: ignore[union-attr]
    assert not isinstance(inputs, str)
    world.interviews.items.clear()  # nothing more is read: the decision stands on what was read
    first = world.composer.decide(inputs, now=delivery.due_at)
    again = world.composer.decide(inputs, now=delivery.due_at)
    assert not isinstance(first, str) and first == again
    only_sms = world.composer.decide(inputs, now=delivery.due_at, sms_only=True)
    assert not isinstance(only_sms, str) and only_sms[1].sms != first[1].sms and only_sms[1].text == first[1].text
