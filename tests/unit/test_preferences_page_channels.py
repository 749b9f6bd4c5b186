"""The preferences page's channels read the registry (nudges.domain.channels): a box for every
channel, each with its own label and note in the candidate's language, so a candidate who has a
channel sees it (and keeps it when they save), and the offer to be asked again only where the
channel asks for consent."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from nudges import pages
from nudges.domain import channels
from nudges.domain.candidate import Candidate, Consent

WHEN = datetime(2031, 3, 3, 9, tzinfo=UTC)
ADA = Candidate(
    candidate_id="c_1",
    email="ada@example.org",
    timezone="Europe/London",
    channels=("email", "sms"),
    created_at=WHEN,
    ics_inbox_token="t1",
    phone="+447700900111",
    name="Ada Lovelace",
)


def render(candidate: Candidate, refused: dict[str, str] | None = None, locale: str = "en-GB") -> str:
    view = pages.PreferencesView(
        candidate=candidate,
        action="/preferences/tok",
        refused=refused or {},
        calendars=[],
        connect_urls={},
        forwarding_address=None,
        locale=locale,
    )
    return pages.preferences(view)


def box(page: str, channel: str) -> str:
    found = re.search(
        rf'<label><input type="checkbox" name="channels" value="{channel}"[^>]*>[^<]*(<small>[^<]*</small>)?', page
    )
    assert found, f"no box for {channel}"
    return found.group(0)


def test_a_box_for_every_channel_ticked_as_chosen():
    on_whatsapp = replace(ADA, channels=("whatsapp",), whatsapp_consent=Consent(WHEN, "web_form"))
    page = render(on_whatsapp)
    for name in channels.CHANNELS:
        assert ("checked" in box(page, name)) == (name == "whatsapp"), name
    assert "WhatsApp" in box(page, "whatsapp")


@pytest.mark.parametrize(
    ("candidate", "refused", "channel", "note"),
    [
        (replace(ADA, phone=None), {}, "sms", "(no phone number registered)"),
        (replace(ADA, phone=None), {}, "whatsapp", "(no phone number registered)"),
        (ADA, {"sms": "opted_out"}, "sms", "you replied STOP"),
        (ADA, {}, "sms", "reply YES to our text"),
        (replace(ADA, sms_consent=Consent(WHEN, "web_form")), {}, "sms", None),
        (ADA, {"whatsapp": "opted_out"}, "whatsapp", "you sent STOP on WhatsApp"),
        (ADA, {}, "whatsapp", "send YES to us on WhatsApp"),
        (replace(ADA, whatsapp_consent=Consent(WHEN, "web_form")), {}, "whatsapp", None),
        (ADA, {}, "email", "to ada@example.org"),
        (ADA, {"email": "bounced"}, "email", "to ada@example.org"),  # said in the email section
    ],
)
def test_each_channel_says_what_stops_it(candidate, refused, channel, note):
    shown = box(render(candidate, refused), channel)
    if note is None:
        assert "<small>" not in shown
    else:
        assert note in shown


def test_the_notes_are_in_the_pages_language():
    assert "JA auf unsere SMS" in box(render(ADA, locale="de-DE"), "sms")
    assert "YES" in box(render(ADA, locale="ja-JP"), "whatsapp")


def test_asked_again_only_where_the_channel_asks_and_waits():
    assert 'id="ask-consent"' in render(ADA)  # SMS chosen, a number, no YES yet
    assert "Text me again" in render(ADA)
    assert 'id="ask-consent"' not in render(ADA, {"sms": "opted_out"})  # STOP: never asked
    assert 'id="ask-consent"' not in render(replace(ADA, sms_consent=Consent(WHEN, "web_form")))
    # WhatsApp is never used to ask (its opt-in is taken on a page or by the operator).
    assert 'id="ask-consent"' not in render(replace(ADA, channels=("email", "whatsapp")))
