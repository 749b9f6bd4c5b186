"""The advice as a candidate reads it, through the local stack: a panel with a role mailbox and a
room, an SMS-only candidate, machine organizers (Zoom, Cal.com's hidden organizer), rounds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.e2e.steps import register

NOW = datetime(2034, 3, 1, 9, 0, tzinfo=UTC)  # a Wednesday
START = datetime(2034, 3, 6, 14, 0, tzinfo=UTC)  # the Monday after


def _ics(uid: str, start: datetime, summary: str, *people: str, minutes: int = 60) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    lines = ["BEGIN:VCALENDAR", "METHOD:REQUEST", "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{NOW:{stamp}}"]
    lines += [f"DTSTART:{start:{stamp}}", f"DTEND:{start + timedelta(minutes=minutes):{stamp}}", f"SUMMARY:{summary}"]
    return "\r\n".join([*lines, *people, "END:VEVENT", "END:VCALENDAR", ""]).encode()


def _sent(client, interview_id: str, kind: str) -> dict[str, dict]:
    return {m["channel"]: m for m in client.outbox() if m.get("interview_id") == interview_id and m["kind"] == kind}


def test_a_panel_with_a_role_mailbox_and_a_room_gets_one_draft_per_interviewer(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    ada = register(client, email, phone="+447700900201")
    panel = _ics(
        f"panel-{unique}",
        START,
        "Panel interview",
        "ORGANIZER;CN=Globex Recruiting:mailto:recruiting@globex.com",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
        "ATTENDEE;CN=José García:mailto:jose.garcia@globex.com",
        "ATTENDEE;CN=priya.r:mailto:priya.r@globex.com",
        "ATTENDEE;CN=王伟:mailto:wang.wei@globex.com",
        "ATTENDEE;CUTYPE=ROOM;CN=Room 4.02:mailto:room-402@globex.com",
    )
    assert client.ics(ada["ics_inbox_url"].rsplit("/", 1)[1], panel).status == 200
    [interview] = client.interviews(ada["candidate_id"])
    assert interview["company"] == "globex.com"
    assert [p["email"] for p in interview["interviewers"]] == [
        "jose.garcia@globex.com",
        "priya.r@globex.com",
        "wang.wei@globex.com",
    ]
    assert interview["interviewers"][1]["name"] == ""  # priya.r is an address, not a name

    client.set_clock(START - timedelta(hours=48))
    research = _sent(client, interview["interview_id"], "research_prompt")
    assert "  - José García\n  - your interviewer (priya.r@globex.com)\n  - 王伟" in research["email"]["body"]
    assert "Globex Recruiting" not in research["email"]["body"] and "Room 4.02" not in research["email"]["body"]

    client.set_clock(START + timedelta(hours=2))
    thank_you = _sent(client, interview["interview_id"], "thank_you")
    body = thank_you["email"]["body"]
    assert re.findall(r"^To: (.+)$", body, re.M) == [
        "jose.garcia@globex.com",
        "priya.r@globex.com",
        "wang.wei@globex.com",
    ]
    assert re.findall(r"^(Dear .+,|Hello,)$", body, re.M) == ["Dear José,", "Hello,", "Dear 王伟,"]
    assert "Dear Globex" not in body and "recruiting@globex.com" not in body and "room-402" not in body
    assert "Panel interview" not in thank_you["email"]["subject"]
    assert "3 drafts are in your email" in thank_you["sms"]["body"]


def test_an_sms_only_candidate_gets_the_advice_in_the_texts(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    ada = register(client, email, channels=["sms"], phone="+447700900202")
    booked = client.book(email, f"uid-{unique}", START, NOW, title="Technical interview - Acme Robotics")
    interview_id = booked.body["interview_id"]

    client.set_clock(START - timedelta(hours=48))
    research = _sent(client, interview_id, "research_prompt")
    assert set(research) == {"sms"}
    sms = research["sms"]["body"]
    for essential in ("Jane Doe", "role", "culture", "projects", "clients", "Don't connect yet"):
        assert essential in sms, sms
    assert "email" not in sms.lower()

    client.set_clock(START + timedelta(hours=2))
    sms = _sent(client, interview_id, "thank_you")["sms"]["body"]
    assert "email Jane Doe a short thank-you" in sms and "one specific thing" in sms and "Don't connect" in sms
    assert "in your email" not in sms
    assert [i["interview_id"] for i in client.interviews(ada["candidate_id"])] == [interview_id]


def test_a_zoom_invite_and_a_hidden_cal_com_organizer_give_the_right_company_and_interviewers(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    ada = register(client, email)
    token = ada["ics_inbox_url"].rsplit("/", 1)[1]
    zoom = _ics(
        f"zoom-{unique}",
        START,
        "Backend engineer interview",
        "ORGANIZER;CN=Zoom:mailto:no-reply@zoom.us",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
        "ATTENDEE;CN=Jane Doe:mailto:jane.doe@acme-robotics.com",
    )
    hidden = _ics(
        f"cal-{unique}",
        START + timedelta(days=1),
        "Founder chat - Lumen Labs",
        "ORGANIZER;CN=Ben Carter:mailto:no-reply@cal.com",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
        "ATTENDEE;CN=Ben Carter:mailto:ben.carter@gmail.com",
    )
    another_hidden = _ics(
        f"cal2-{unique}",
        START + timedelta(days=2),
        "30 Min Meeting between Sam Roe and Ada Lovelace",
        "ORGANIZER;CN=Sam Roe:mailto:no-reply@cal.com",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
    )
    for invite in (zoom, hidden, another_hidden):
        assert client.ics(token, invite).status == 200
    by_title = {i["title"]: i for i in client.interviews(ada["candidate_id"])}
    assert by_title["Backend engineer interview"]["company"] == "Acme Robotics"
    assert by_title["Backend engineer interview"]["interviewers"] == [
        {"name": "Jane Doe", "email": "jane.doe@acme-robotics.com"}
    ]
    assert by_title["Founder chat - Lumen Labs"]["company"] == "Lumen Labs"
    assert by_title["Founder chat - Lumen Labs"]["interviewers"] == [
        {"name": "Ben Carter", "email": "ben.carter@gmail.com"}
    ]
    nobody = by_title["30 Min Meeting between Sam Roe and Ada Lovelace"]
    assert nobody["company"] == "unknown" and nobody["interviewers"] == []  # not "cal", not no-reply@cal.com

    preview = client.request(
        "GET", f"/interviews/{by_title['Founder chat - Lumen Labs']['interview_id']}/nudges/research_prompt/preview"
    ).body
    assert preview["subject"] == "Prepare for your Lumen Labs interview: research Ben Carter"
    assert "Lumen Labs" in preview["body"] and "the company" not in preview["subject"]


def test_a_second_round_names_who_is_new_keeps_known_names_and_thanks_only_that_round(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    ada = register(client, email)
    token = ada["ics_inbox_url"].rsplit("/", 1)[1]
    first = _ics(
        f"r1-{unique}",
        START,
        "Interview - Globex",
        "ORGANIZER;CN=José García:mailto:jose.garcia@globex.com",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
        "ATTENDEE;CN=王伟:mailto:wang.wei@globex.com",
    )
    second = _ics(
        f"r2-{unique}",
        START + timedelta(days=7),
        "Final interview - Globex",
        "ORGANIZER:mailto:wang.wei@globex.com",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
        "ATTENDEE;CN=Lee Chan:mailto:lee.chan@globex.com",
    )
    client.ics(token, first)
    client.ics(token, second)
    rounds = sorted(client.interviews(ada["candidate_id"]), key=lambda i: i["start"])
    client.set_clock(START + timedelta(days=5))
    research = _sent(client, rounds[1]["interview_id"], "research_prompt")["email"]["body"]
    assert "New in this round: research them.\n  - Lee Chan" in research
    assert "Met before: recall what you discussed with them, and build on it.\n  - 王伟" in research
    assert "wang.wei" not in research
    client.set_clock(START + timedelta(days=7, hours=2))
    thanks = _sent(client, rounds[1]["interview_id"], "thank_you")["email"]["body"]
    assert re.findall(r"^To: (.+)$", thanks, re.M) == ["wang.wei@globex.com", "lee.chan@globex.com"]
    assert "Dear 王伟," in thanks and "jose.garcia" not in thanks


def test_after_a_bounce_the_sms_carries_the_advice_instead_of_pointing_to_email(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    register(client, email, phone="+447700900203")
    interview_id = client.book(email, f"uid-{unique}", START, NOW).body["interview_id"]
    reply = client.request("POST", "/_local/email-event", {"type": "bounce", "to": email})
    assert reply.status in (200, 202), reply
    client.set_clock(START - timedelta(hours=48))
    research = _sent(client, interview_id, "research_prompt")
    assert set(research) == {"sms"}
    sms = research["sms"]["body"]
    assert "Jane Doe" in sms and "Don't connect yet" in sms and "email" not in sms.lower()
