"""Who is who, through the local stack: an agency-arranged interview forwarded as an .ics mail, an
Exchange invite with every way directories write names, an all-day assessment centre, and a
second round with an interviewer met before."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from tests.e2e.steps import register

PHONE = "+447700900301"
CONSENT = {"obtained_at": "2034-02-01T09:00:00Z", "method": "web form"}

NOW = datetime(2034, 3, 1, 9, 0, tzinfo=UTC)  # a Wednesday
START = datetime(2034, 3, 6, 14, 0, tzinfo=UTC)  # the Monday after
STAMP = "%Y%m%dT%H%M%SZ"


def _ics(
    uid: str, start: datetime, summary: str, *people: str, prodid: str = "-//Microsoft Corporation//Outlook 16.0//EN"
) -> bytes:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "METHOD:REQUEST", "BEGIN:VEVENT", f"UID:{uid}"]
    lines += [f"DTSTAMP:{NOW:{STAMP}}", f"DTSTART:{start:{STAMP}}", f"DTEND:{start + timedelta(hours=1):{STAMP}}"]
    return "\r\n".join([*lines, f"SUMMARY:{summary}", *people, "END:VEVENT", "END:VCALENDAR", ""]).encode()


def _sent(client, interview_id: str, kind: str) -> dict[str, dict]:
    return {m["channel"]: m for m in client.outbox() if m.get("interview_id") == interview_id and m["kind"] == kind}


def _forwarded(to: str, sender: str, invite: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ada Lovelace <{sender}>"
    message["To"] = to
    message["Subject"] = "Fwd: Invitation: Interview for Senior Analyst at Northwind"
    message.set_content("Forwarded.")
    message.add_attachment(invite, maintype="application", subtype="ics", filename="invite.ics")
    return bytes(message)


def test_an_agency_interview_forwarded_by_mail_names_the_client_and_makes_the_consultant_the_recruiter(client, unique):
    client.set_clock(NOW)
    ada = register(client, f"ada-{unique}@example.org", PHONE, sms_consent=CONSENT)
    personal = f"ada.lovelace.{unique}@gmail.com"  # invited here; forwarded from here
    invite = _ics(
        f"agency-{unique}",
        START,
        "Interview for Senior Analyst at Northwind",
        "ORGANIZER;CN=Sarah Mills:mailto:sarah.mills@hays.com",
        f"ATTENDEE;CN=A. Lovelace:mailto:{personal}",
        "ATTENDEE;CN=Sarah Mills:mailto:sarah.mills@hays.com",
        "ATTENDEE;CN=Ana Costa:mailto:ana.costa@northwind.com",
        "ATTENDEE;CN=Okafor\\, Chidi:mailto:chidi.okafor@northwind.com",
    )
    assert client.email(_forwarded(ada["ics_inbox_email"], personal, invite)).status == 202
    [interview] = client.interviews(ada["candidate_id"])
    assert interview["company"] == "Northwind"
    assert interview["interviewers"] == [
        {"name": "Ana Costa", "email": "ana.costa@northwind.com"},
        {"name": "Chidi Okafor", "email": "chidi.okafor@northwind.com"},
    ]
    assert interview["recruiter"] == {"name": "Sarah Mills", "email": "sarah.mills@hays.com"}
    client.set_clock(NOW + timedelta(minutes=1))
    [receipt] = [m for m in client.outbox() if m["to"] == ada["email"] and m["subject"].startswith("Got it")]
    assert receipt["subject"].startswith("Got it: Northwind, Monday 6 March")
    assert "with Northwind" in receipt["body"] and "hays" not in receipt["body"].lower()

    client.set_clock(START - timedelta(hours=48))
    research = _sent(client, interview["interview_id"], "research_prompt")["email"]
    assert research["subject"] == "Prepare for your Northwind interview: research Ana Costa and Chidi Okafor"
    assert "Your recruiter, Sarah Mills, arranged this interview" in research["body"]
    assert "  - Sarah Mills" not in research["body"] and "hays" not in research["body"].lower()
    assert "Lovelace" not in research["body"].split("Hi Ada,", 1)[1]

    client.set_clock(START + timedelta(hours=2))
    thank_you = _sent(client, interview["interview_id"], "thank_you")
    body = thank_you["email"]["body"]
    assert re.findall(r"^To: (.+)$", body, re.M) == [
        "ana.costa@northwind.com",
        "chidi.okafor@northwind.com",
        "sarah.mills@hays.com",
    ]
    assert re.findall(r"^(Dear .+,)$", body, re.M) == ["Dear Ana,", "Dear Chidi,", "Dear Sarah,"]
    assert body.count("Subject: Thank you: Senior Analyst interview") == 2
    assert "about the Senior Analyst role at Northwind" in body
    assert "Thank you for arranging my interview with Northwind" in body
    assert personal not in body
    assert len(thank_you["sms"]["body"]) <= 160

    client.set_clock(START + timedelta(days=8))
    follow_up = _sent(client, interview["interview_id"], "follow_up")["email"]
    assert "To: sarah.mills@hays.com" in follow_up["body"] and "Dear Sarah," in follow_up["body"]
    assert "Senior Analyst role at Northwind" in follow_up["body"]


def test_an_exchange_invite_greets_every_name_form_as_a_person_would(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    ada = register(client, email, PHONE, sms_consent=CONSENT)
    invite = _ics(
        f"exchange-{unique}",
        START,
        "Senior Backend Engineer interview",
        'ORGANIZER;CN="Duarte, Ines (she/her)":mailto:ines.duarte@brightwaveenergy.com',
        f"ATTENDEE;CN=LOVELACE\\, ADA:mailto:{email}",
        "ATTENDEE;CN=Prof. Kwame Mensah:mailto:kwame.mensah@brightwaveenergy.com",
        "ATTENDEE;CN=MARIA GARCIA:mailto:maria.garcia@brightwaveenergy.com",
        "ATTENDEE;CN=TANAKA Hiroshi:mailto:hiroshi.tanaka@brightwaveenergy.com",
        "ATTENDEE;CN=Sam Patel Jr. \U0001f680:mailto:sam.patel@brightwaveenergy.com",
        "ATTENDEE;CUTYPE=GROUP;CN=Hiring Panel:mailto:hiring-panel@brightwaveenergy.com",
        "ATTENDEE;CN=Leo Park;PARTSTAT=DECLINED:mailto:leo.park@brightwaveenergy.com",
        "ATTENDEE;CN=Fay Yu;ROLE=NON-PARTICIPANT:mailto:fay.yu@brightwaveenergy.com",
    )
    assert client.ics(ada["ics_inbox_url"].rsplit("/", 1)[1], invite).status == 200
    [interview] = client.interviews(ada["candidate_id"])
    assert interview["company"] == "brightwaveenergy.com"
    assert [p["name"] for p in interview["interviewers"]] == [
        "Ines Duarte",  # the Exchange organizer attends, though not listed again
        "Prof. Kwame Mensah",
        "Maria Garcia",
        "Tanaka Hiroshi",
        "Sam Patel Jr.",
    ]

    client.set_clock(START - timedelta(hours=48))
    research = _sent(client, interview["interview_id"], "research_prompt")["email"]
    assert (
        research["subject"] == "Prepare for your interview with brightwaveenergy.com: research Ines Duarte and 4 others"
    )
    assert "Brightwaveenergy" not in research["body"]

    client.set_clock(START + timedelta(hours=2))
    body = _sent(client, interview["interview_id"], "thank_you")["email"]["body"]
    assert re.findall(r"^(Dear .+,|Hello,)$", body, re.M) == [
        "Dear Ines,",
        "Dear Kwame,",
        "Dear Maria,",
        "Dear Tanaka Hiroshi,",
        "Dear Sam,",
    ]
    for nobody in ("hiring-panel@", "leo.park@", "fay.yu@", "she/her", "\U0001f680", "Dear Okafor"):
        assert nobody not in body
    assert "Subject: Thank you: Senior Backend Engineer interview" in body


def test_an_all_day_assessment_centre_is_an_interview_from_the_working_morning(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    ada = register(client, email, PHONE, sms_consent=CONSENT)
    day = START.date()
    invite = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            f"UID:assess-{unique}",
            f"DTSTAMP:{NOW:{STAMP}}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            "SUMMARY:Graduate assessment centre - Contoso Bank",
            "ORGANIZER;CN=Cleo Ward:mailto:cleo.ward@contoso-bank.com",
            f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
            "ATTENDEE;CN=Priya Raman:mailto:priya.raman@contoso-bank.com",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()
    reply = client.ics(ada["ics_inbox_url"].rsplit("/", 1)[1], invite)
    assert reply.status == 200, reply
    [interview] = client.interviews(ada["candidate_id"])
    assert (interview["start"], interview["end"]) == (f"{day}T09:00:00Z", f"{day}T17:00:00Z")  # London in March: GMT
    assert interview["company"] == "Contoso Bank"
    assert [p["name"] for p in interview["interviewers"]] == ["Priya Raman"]  # Cleo coordinates: not listed
    assert [n["kind"] for n in interview["nudges"] if n["status"] == "scheduled"][:2] == [
        "research_prompt",
        "thank_you",
    ]


def test_a_second_round_thanks_someone_met_before_for_meeting_again(client, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    ada = register(client, email, PHONE, sms_consent=CONSENT)
    token = ada["ics_inbox_url"].rsplit("/", 1)[1]
    people = (
        "ORGANIZER;CN=Globex Recruiting:mailto:recruiting@globex.com",
        f"ATTENDEE;CN=Ada Lovelace:mailto:{email}",
        "ATTENDEE;CN=José García:mailto:jose.garcia@globex.com",
    )
    assert client.ics(token, _ics(f"r1-{unique}", START, "Platform engineer interview", *people)).status == 200
    later = START + timedelta(days=7)
    assert client.ics(token, _ics(f"r2-{unique}", later, "Final round: Platform engineer", *people)).status == 200
    first, second = sorted(client.interviews(ada["candidate_id"]), key=lambda i: i["start"])
    assert first["application_id"] == second["application_id"]

    client.set_clock(later - timedelta(hours=48))
    research = _sent(client, second["interview_id"], "research_prompt")["email"]
    assert research["subject"] == "Prepare for your interview with globex.com: meeting José García again"
    assert "no need to research them again" in research["body"]
    assert "For each person, look into" not in research["body"] and "first-degree connections" not in research["body"]

    client.set_clock(later + timedelta(hours=2))
    body = _sent(client, second["interview_id"], "thank_you")["email"]["body"]
    assert "Dear José,\n\nThank you for meeting me again today about the Platform engineer role at globex.com." in body


def test_an_unsupported_locale_is_refused_with_the_supported_list_in_plain_words(client, unique):
    reply = client.register(email=f"ada-{unique}@example.org", timezone="Europe/London", locale="fr-CA")
    assert reply.status == 400, reply
    message = str(reply.body)
    assert "'fr-CA' is not a supported language" in message
    assert "en-GB, en-US, de-DE, fr-FR, es-ES, nl-NL, pt-BR, it-IT, ja-JP or zh-CN" in message
    assert "Input should be" not in message
