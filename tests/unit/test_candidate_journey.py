"""The candidate's journey in pure code: the welcome's words, reachability, signed links."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nudges import links
from nudges.domain import service_messages, sms_encoding
from nudges.domain.candidate import Candidate, Consent, reachability
from nudges.domain.plan import NudgeTimings, plan_welcome
from nudges.errors import NotFound

ADA = Candidate(
    candidate_id="c_1",
    email="ada@example.org",
    timezone="Europe/London",
    channels=("email", "sms"),
    created_at=datetime(2026, 11, 1, tzinfo=UTC),
    ics_inbox_token="tP4oEznLazn_bxrNCmMAMJfj",
    phone="+447700900123",
    name="Ada Lovelace",
)
CONSENTED = replace(ADA, sms_consent=Consent(datetime(2026, 10, 30, tzinfo=UTC), "sign-up form"))
LINKS = service_messages.WelcomeLinks(
    {"google": "https://n.example/connect/google/c_1.sig", "microsoft": "https://n.example/connect/microsoft/c_1.sig"},
    preferences="https://n.example/preferences/c_1.sigsigsigsigsigsigsigsigsig",
    forwarding_address="tP4oEznLazn_bxrNCmMAMJfj@inbox.example.com",
)


def test_the_welcome_email_says_when_each_nudge_comes_and_gives_the_address_and_links():
    message = service_messages.welcome(CONSENTED, LINKS, NudgeTimings(), unsubscribe_url="https://n.example/unsubscribe/x")
    assert message.subject == "Welcome to Interview Nudges: what happens next"
    assert "48 hours before it starts" in message.text and "1 hour after it ends" in message.text
    assert "when an offer arrives" in message.text
    assert "\n    tP4oEznLazn_bxrNCmMAMJfj@inbox.example.com\n" in message.text  # on a line of its own, to copy
    for url in (*LINKS.connect.values(), LINKS.preferences, "https://n.example/unsubscribe/x"):
        assert url in message.text and f'<a href="{url}">' in message.html
    assert "Reply YES" not in message.sms


def test_the_welcome_follows_the_template_timings_and_the_american_clock():
    timings = NudgeTimings(research_lead=timedelta(hours=24), quiet_start=datetime(2000, 1, 1, 22).time())
    message = service_messages.welcome(replace(CONSENTED, locale="en-US", timezone="America/Chicago"), LINKS, timings)
    assert "24 hours before it starts" in message.text
    assert "between 10 PM and 8 AM your time (America/Chicago)" in message.text


def test_without_an_inbox_domain_the_welcome_has_no_forwarding_paragraph():
    message = service_messages.welcome(CONSENTED, replace(LINKS, forwarding_address=None), NudgeTimings())
    assert "Forward your interview invitations" not in message.text
    assert "\n\n\n" not in message.text


def test_the_welcome_sms_asks_for_yes_until_consent_is_on_record_and_fits_two_segments():
    asking = service_messages.welcome(ADA, LINKS, NudgeTimings()).sms
    assert "Reply YES" in asking and "STOP" in asking and "HELP" in asking
    assert sms_encoding.sms_length(asking) <= sms_encoding.sms_limit(asking)
    welcomed = service_messages.welcome(CONSENTED, LINKS, NudgeTimings()).sms
    assert "YES" not in welcomed and LINKS.preferences in welcomed
    assert sms_encoding.sms_length(welcomed) <= sms_encoding.sms_limit(welcomed)
    yes = replace(ADA, sms_yes=Consent(datetime(2026, 11, 1, tzinfo=UTC), "sms_yes", "m-1"))
    assert not yes.awaiting_sms_consent


def test_a_night_time_registration_is_welcomed_at_eight():
    late = datetime(2026, 11, 2, 22, 30, tzinfo=UTC)  # 22:30 in London
    planned = plan_welcome(ADA.zone, late, NudgeTimings())
    assert planned.due_at == datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    noon = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    assert plan_welcome(ADA.zone, noon, NudgeTimings()).due_at == noon


@pytest.mark.parametrize(
    ("candidate", "suppression", "opted_out", "expected"),
    [
        (CONSENTED, None, False, {"email": None, "sms": None, "whatsapp": "not_chosen"}),
        (ADA, None, False, {"email": None, "sms": "awaiting_sms_consent", "whatsapp": "not_chosen"}),
        (CONSENTED, "unsubscribed", True, {"email": "unsubscribed", "sms": "opted_out", "whatsapp": "not_chosen"}),
        (CONSENTED, "bounced", False, {"email": "bounced", "sms": None, "whatsapp": "not_chosen"}),
        (
            replace(CONSENTED, channels=("email",)),
            None,
            False,
            {"email": None, "sms": "not_chosen", "whatsapp": "not_chosen"},
        ),
        (
            replace(CONSENTED, channels=("sms",), phone=None),
            None,
            False,
            {"email": "not_chosen", "sms": "no_phone", "whatsapp": "not_chosen"},
        ),
    ],
)
def test_reachability_says_why_not(candidate, suppression, opted_out, expected):
    refused = {"email": suppression} if suppression else {}
    if opted_out:
        refused["sms"] = "opted_out"
    assert reachability(candidate, refused) == expected


def test_paused_or_turned_off_kinds_are_not_wanted_but_the_welcome_always_is():
    assert not replace(ADA, paused=True).wants("research_prompt")
    assert replace(ADA, paused=True).wants("welcome")
    off = replace(ADA, kinds_off=("thank_you",))
    assert not off.wants("thank_you") and off.wants("connect")


def test_a_link_works_only_for_its_owner_its_purpose_and_a_current_key():
    token = links.make_token("new-key", "preferences", "c_1")
    assert links.candidate_for(token, ["new-key", "old-key"], "preferences") == "c_1"
    old = links.make_token("old-key", "preferences", "c_1")
    assert links.candidate_for(old, ["new-key", "old-key"], "preferences") == "c_1"  # rotation: still accepted
    with pytest.raises(NotFound):
        links.candidate_for(old, ["new-key"], "preferences")  # ...until the old key is dropped
    with pytest.raises(NotFound):
        links.candidate_for(token, ["new-key"], "connect")  # a preferences link does not connect
    with pytest.raises(NotFound):
        links.candidate_for("c_2." + token.split(".")[1], ["new-key"], "preferences")
    # The unsubscribe tokens already in sent emails keep working
    from nudges.unsubscribe import candidate_for, make_token

    assert candidate_for(make_token("k", "c_9"), ["k"]) == "c_9"
    assert make_token("k", "c_9") == links.make_token("k", "unsubscribe", "c_9")


def test_a_forwarded_invite_receipt_names_the_interview_and_the_research_prompt():
    receipt = service_messages.InviteReceipt(
        company="acme",
        title="Interview",
        start=datetime(2026, 12, 8, 14, 0, tzinfo=UTC),
        research_at=datetime(2026, 12, 6, 14, 0, tzinfo=UTC),
    )
    message = service_messages.invite_receipt(ADA, [receipt], [])
    assert message.subject == "Got it: Acme, Tuesday 8 December at 14:00 (Greenwich Mean Time)"
    assert (
        'Got it: "Interview" with Acme, Tuesday 8 December at 14:00 (Greenwich Mean Time); '
        "research prompt on Sunday 6 December at 14:00 (Greenwich Mean Time)." in message.text
    )
    refused = service_messages.invite_receipt(ADA, [], [service_messages.InviteProblem("no_calendar")])
    assert refused.subject == "We could not use the invitation you forwarded"
    assert "Not used: there was no calendar invitation (.ics) in the mail." in refused.text
