"""Readers that speak text: what a real invite's properties become, each rule on its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nudges.domain.bounds import bounded_interview, plain
from nudges.models.ics import read_invite
from nudges.models.ics_values import is_relay
from tests.unit.test_ics_inputs import LAERKE, NOW, event, invite


def one(*lines: str, organizer: str | None = None) -> object:
    lines_ = event(*lines)
    if organizer is not None:
        lines_ = [organizer if line.startswith("ORGANIZER") else line for line in lines_]
    [change] = read_invite(invite(*lines_), LAERKE, NOW).changes
    return change.interview


def test_two_summary_lines_give_the_first_as_text_never_a_list():
    lines = [line for line in event() if not line.startswith("SUMMARY")]
    lines.insert(-1, "SUMMARY:Interview with Acme")
    lines.insert(-1, "SUMMARY;LANGUAGE=de:Vorstellungsgespräch bei Acme")
    [change] = read_invite(invite(*lines), LAERKE, NOW).changes
    assert change.interview.title == "Interview with Acme"
    assert "vText" not in change.interview.title and "[" not in change.interview.title


@pytest.mark.parametrize(
    "organizer",
    [
        'ORGANIZER;CN=Jane Doe:"mailto:jane@acme.example"',
        "ORGANIZER;CN=Jane Doe:MAILTO:Jane@Acme.example",
        'ORGANIZER;CN="Jane Doe":mailto:<jane@acme.example>',
    ],
)
def test_mailto_and_quotes_are_stripped_from_addresses(organizer):
    interview = one(organizer=organizer)
    assert [(p.name, p.email) for p in interview.interviewers] == [("Jane Doe", "jane@acme.example")]


@pytest.mark.parametrize("address", ["mailto:jane doe@acme.example", "mailto:jane@@acme.example", "mailto:jane@"])
def test_an_invalid_address_drops_the_address_not_the_person(address):
    interview = one(f"ATTENDEE;CN=Grace Hopper:{address}")
    people = {p.name: p.email for p in interview.interviewers}
    assert people == {"Jane Doe": "jane@acme.example", "Grace Hopper": ""}


def test_an_icloud_relay_organiser_is_neither_the_company_nor_a_second_person():
    interview = one(
        "ATTENDEE;CN=Jane Doe:mailto:jane@acme.example",
        organizer="ORGANIZER;CN=Jane Doe:mailto:2_GQ3TMNBVGU2DMNRXGQ3TMNBVG4ZQJR4PDUJXW@imip.me.com",
    )
    assert [(p.name, p.email) for p in interview.interviewers] == [("Jane Doe", "jane@acme.example")]
    assert interview.company.lower() != "me"


def test_a_relay_organiser_alone_is_still_the_person_but_never_the_company():
    interview = one(organizer="ORGANIZER;CN=Sam Park:mailto:outlook_5A1B2C3D4E5F6A7B@outlook.com")
    assert [p.name for p in interview.interviewers] == ["Sam Park"]
    assert is_relay("outlook_5a1b2c3d4e5f6a7b@outlook.com") and is_relay("2_abc@imip.me.com")
    assert not is_relay("sam@outlook.com")
    assert interview.company.lower() not in ("me", "outlook")


def test_control_and_bidi_override_characters_are_removed_from_names_and_titles():
    lines = [line for line in event() if not line.startswith("SUMMARY")]
    lines.insert(-1, "SUMMARY:Interview \u202egnp.exe\u202c at Acme\u0007")
    lines.insert(-1, "ATTENDEE;CN=Gr\u200face\u2066 Hopper:mailto:grace@acme.example")
    [change] = read_invite(invite(*lines), LAERKE, NOW).changes
    interview = bounded_interview(change.interview, NOW)
    assert interview.title == "Interview gnp.exe at Acme"
    assert "Grace Hopper" in [p.name for p in interview.interviewers]


def test_every_source_is_held_to_plain_text_before_it_is_stored():
    interview = one()
    dirty = replace(interview, title="A\x00B\u202eC", company="Acme\x1b[31m", candidate_name="Ada\u0000")
    clean = bounded_interview(dirty, NOW)
    assert (clean.title, clean.company, clean.candidate_name) == ("ABC", "Acme[31m", "Ada")
    assert plain("  two\tlines\r\nhere ") == "two lines here"
    assert bounded_interview(replace(interview, title="\u202e\u202c"), NOW).title == "Interview"


# ---------------------------------------------------------------- refusals that say so


@pytest.mark.parametrize(("written", "kept"), [("SEQUENCE:4294967296", 2**31 - 1), ("SEQUENCE:-4", 0)])
def test_a_sequence_beyond_range_is_clamped_not_refused(written, kept):
    assert one(written).provider_version == kept


@pytest.mark.parametrize("method", ["REPLY", "COUNTER", "REFRESH"])
def test_an_itip_answer_is_ignored_with_the_reason(method):
    reading = read_invite(
        invite(*event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.org"), method=method), LAERKE, NOW
    )
    assert reading.changes == []
    assert reading.ignored == [{"event": "u1", "summary": "Interview", "reason": reading.ignored[0]["reason"]}]
    assert f"METHOD:{method}" in reading.ignored[0]["reason"]


def test_a_receipt_says_what_was_not_used_and_what_to_do():
    from datetime import UTC, datetime

    from nudges.domain import service_messages
    from tests.unit.test_candidate_journey import ADA

    used = service_messages.InviteReceipt(company="acme", title="Interview", start=datetime(2026, 12, 8, 14, 0, tzinfo=UTC))
    partly = service_messages.invite_receipt(
        ADA,
        [used],
        [service_messages.InviteProblem("left_out", '"Team lunch": an all-day or dateless event is not an interview.')],
        add_url="https://n.example/interviews/new/tok",
    )
    assert 'Not used: "Team lunch": an all-day or dateless event is not an interview.' in partly.text
    assert "add it by hand at https://n.example/interviews/new/tok" in partly.text
    assert "You need do nothing more" not in partly.text
    refused = service_messages.invite_receipt(ADA, [], [service_messages.InviteProblem("unreadable", "body: not a VCALENDAR")])
    assert "You need do nothing more" not in refused.text and "forward the invitation again" in refused.text
    assert "You need do nothing more" in service_messages.invite_receipt(ADA, [used], []).text
