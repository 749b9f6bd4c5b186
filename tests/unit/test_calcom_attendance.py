"""Attendance in Cal.com bookings (issue 21, step 4), read from the payload's real fields.

What Cal.com sends (its webhook docs and ``handleNewBooking``): ``organizer`` is the host whose
calendar holds the booking (for a team event, the first host assigned); ``team.members`` are
the *other* hosts assigned to this booking, the organizer left out of them by design ("Organizer
or user owner of this event type it's not listed as a team member"): all of a collective event's
hosts, a round-robin event's fixed hosts and the one chosen; ``attendees`` are "the event booker
& any guests". So no Cal.com list ever names an attending organizer, and an organizer absent from
``team.members`` is no sign of absence: the organizer is an interviewer, as in Exchange and
Graph. Declines and non-participants do not exist in Cal.com bookings (a host who cannot come
is reassigned, and the webhook then names the new organizer)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nudges.models.calcom import CalcomWebhook, booking_changes

NOW = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)
ADA = {"name": "Ada Lovelace", "email": "ada@example.org", "timeZone": "Europe/London"}
ANA = {"name": "Ana Costa", "email": "ana.costa@northwind.com", "timeZone": "Europe/London"}
BEN = {"name": "Ben Ode", "email": "ben.ode@northwind.com", "timeZone": "Europe/London"}
CLEO = {"name": "Cleo Ward", "email": "cleo.ward@northwind.com", "timeZone": "Europe/London"}


def booking(organizer: dict, attendees: list[dict], team: dict | None = None, **extra) -> CalcomWebhook:
    payload = {
        "uid": "bk-1",
        "title": "Interview between Ana Costa and Ada Lovelace",
        "startTime": "2030-03-05T14:00:00Z",
        "endTime": "2030-03-05T15:00:00Z",
        "organizer": organizer,
        "attendees": attendees,
        **({"team": team} if team else {}),
        **extra,
    }
    return CalcomWebhook.model_validate({"triggerEvent": "BOOKING_CREATED", "payload": payload})


CASES = [
    # a one-to-one event type: the organizer is the host, and comes
    (booking(ANA, [ADA]), ["Ana Costa"], []),
    # a collective team event: the organizer and every other host (team.members, organizer left out)
    (booking(ANA, [ADA], {"name": "Northwind", "members": [BEN, CLEO]}), ["Ana Costa", "Ben Ode", "Cleo Ward"], []),
    # round robin: the host Cal.com chose is the organizer, no other member assigned
    (booking(BEN, [ADA], {"name": "Northwind", "members": []}), ["Ben Ode"], []),
    # the booker added a host as a guest too: still a host, not the candidate
    (booking(ANA, [ADA, ANA], {"name": "Northwind", "members": [BEN]}), ["Ana Costa", "Ben Ode"], []),
    # a team's shared mailbox as organizer (a group address): a contact, the members interview
    (
        booking(
            {"name": "Northwind Talent", "email": "talent@northwind.com"},
            [ADA],
            {"name": "Northwind", "members": [BEN]},
        ),
        ["Ben Ode"],
        ["Northwind Talent"],
    ),
]


@pytest.mark.parametrize(("webhook", "interviewers", "contacts"), CASES)
def test_a_calcom_organizer_absent_from_the_team_members_still_interviews(webhook, interviewers, contacts):
    [change] = booking_changes(webhook, NOW)
    assert change.interview.candidate_email == "ada@example.org"
    assert [p.name for p in change.interview.interviewers] == interviewers
    assert [p.name for p in change.interview.contacts] == contacts


def test_each_seat_is_its_own_candidate_and_never_anothers_interviewer():
    other = {"name": "Grace Hopper", "email": "grace@example.org", "timeZone": "Europe/London"}
    webhook = booking(ANA, [ADA, other], {"name": "Northwind", "members": [BEN]}, seatsPerTimeSlot=5)
    changes = booking_changes(webhook, NOW)
    assert [c.interview.candidate_email for c in changes] == ["ada@example.org", "grace@example.org"]
    for change in changes:
        assert [p.name for p in change.interview.interviewers] == ["Ana Costa", "Ben Ode"]


def calcom_ics(organizer: str) -> bytes:
    """An invite as Cal.com mails it (``generateIcsString``: ``productId: "calcom/ics"``, the
    organizer as ORGANIZER only, the booker, the guests and the other hosts as ATTENDEEs)."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nPRODID:calcom/ics\r\nMETHOD:REQUEST\r\n"
        "X-PUBLISHED-TTL:PT1H\r\nBEGIN:VEVENT\r\nUID:bk-ics-1\r\nSUMMARY:Interview between Ana Costa and Ada Lovelace\r\n"
        "DTSTAMP:20300302T090000Z\r\nDTSTART:20300305T140000Z\r\nDTEND:20300305T150000Z\r\n"
        f"ORGANIZER;CN=Ana Costa:mailto:{organizer}\r\n"
        'ATTENDEE;RSVP=TRUE;CN="Ada Lovelace";PARTSTAT=ACCEPTED:mailto:ada@example.org\r\n'
        'ATTENDEE;RSVP=TRUE;CN="Ben Ode";PARTSTAT=ACCEPTED:mailto:ben.ode@northwind.com\r\n'
        "STATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_a_forwarded_calcom_invite_keeps_its_organizer_as_an_interviewer():
    from nudges.domain.candidate import Candidate
    from nudges.models.ics import invite_changes

    ada = Candidate("c_ada", "ada@example.org", "Europe/London", ("email",), NOW, "inbox-token-ada-0001")
    [change] = invite_changes(calcom_ics("ana.costa@northwind.com"), ada, NOW)
    assert [p.name for p in change.interview.interviewers] == ["Ana Costa", "Ben Ode"]
    # "Hide organizer email": Cal.com writes no-reply@cal.com as the organizer, a machine
    [hidden] = invite_changes(calcom_ics("no-reply@cal.com"), ada, NOW)
    assert [p.name for p in hidden.interview.interviewers] == ["Ben Ode"]
