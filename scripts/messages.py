"""Writes the message book, docs/messages/<locale>.md (one file per locale) and its index
docs/messages.md (segments per locale): every kind and channel for a fixed set of scenarios,
rendered by the service's own MessageComposer (``make messages``).

Each scenario's interviews are read from the payload a provider would send (an .ics invite, a
Cal.com booking) by the service's own models, kept in a store in memory, and composed at the
moment the nudge would go out. It is how a reader reviews the words: a test fails when the
committed book differs from what the code says. ``--check`` writes nothing and exits 1 then.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "messages.md"
BOOKS = ROOT / "docs" / "messages"
LAYER = str(ROOT / "layers" / "nudges")
if LAYER not in sys.path:
    sys.path.insert(0, LAYER)

from nudges import service_builders  # noqa: E402
from nudges.domain.candidate import Candidate, Consent  # noqa: E402
from nudges.domain.interview import Interview, interview_id_for, normalise_email  # noqa: E402
from nudges.domain.locales import BY_CODE, CODES  # noqa: E402
from nudges.domain.plan import NudgeTimings, deliverable_at  # noqa: E402
from nudges.domain.records import Application  # noqa: E402
from nudges.models.calcom import CalcomWebhook, booking_change  # noqa: E402
from nudges.models.ics import invite_changes  # noqa: E402

if TYPE_CHECKING:
    from nudges.services.composing import MessageComposer

# Each locale's candidate lives where the language is at home, and is named as people there are.
HOME = {
    "en-GB": ("Europe/London", "Ada Lovelace"),
    "en-US": ("America/New_York", "Ada Lovelace"),
    "de-DE": ("Europe/Berlin", "Anna Schmidt"),
    "fr-FR": ("Europe/Paris", "Camille Martin"),
    "es-ES": ("Europe/Madrid", "Lucía Fernández"),
    "nl-NL": ("Europe/Amsterdam", "Sanne de Vries"),
    "pt-BR": ("America/Sao_Paulo", "Ana Souza"),
    "it-IT": ("Europe/Rome", "Giulia Rossi"),
    "ja-JP": ("Asia/Tokyo", "佐藤 花子"),
    "zh-CN": ("Asia/Shanghai", "王芳"),
}
LOCALES = tuple((code, HOME[code][0]) for code in CODES)
UNSUBSCRIBE = "https://nudges.example.com/unsubscribe/<token>"


class BookStore:
    """The few reads the composer makes (its Interviews, Applications and Candidates ports), from memory."""

    def __init__(self) -> None:
        self.candidates: dict[str, Candidate] = {}
        self.interviews: dict[str, Interview] = {}
        self.applications: dict[str, Application] = {}

    def interview(self, interview_id: str) -> tuple[Interview, int] | None:
        found = self.interviews.get(interview_id)
        return (found, 1) if found else None

    def for_email(self, email: str) -> list[Interview]:
        return [i for i in self.interviews.values() if i.candidate_email == normalise_email(email)]

    def by_email(self, email: str) -> Candidate | None:
        return self.candidates.get(normalise_email(email))

    def composer(self, welcome_links: Any = None) -> MessageComposer:
        """Built as the service builds it (``nudges.service_builders.build_composer``), on this store."""
        ports: Any = SimpleNamespace(
            interviews=SimpleNamespace(get=self.interview, for_email=self.for_email),
            applications=SimpleNamespace(get=self.applications.get),
            candidates=SimpleNamespace(by_email=self.by_email),
        )
        return service_builders.build_composer(ports, lambda _id: UNSUBSCRIBE, welcome_links=welcome_links)


@dataclass
class Scenario:
    title: str
    about: str
    interviews: list[Interview]
    sends: list[tuple[str, datetime]]  # (kind, when it goes out), about the last interview
    channels: tuple[str, ...] = ("email", "sms")
    outcome: str | None = None


def _ics(uid: str, start: str, end: str, summary: str, *people: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "METHOD:REQUEST", "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T090000Z"]
    lines += [f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{summary}", *people, "END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


def _from_ics(candidate: Candidate, data: bytes, forwarded_from: str | None = None) -> Interview:
    [change] = invite_changes(
        data, candidate, datetime(2026, 12, 1, 9, tzinfo=UTC), is_candidate_address=lambda a: a == forwarded_from
    )
    told = change.interview
    return replace(told, interview_id=interview_id_for(told.source, told.source_ref))


def _from_calcom(payload: dict[str, Any]) -> Interview:
    change = booking_change(CalcomWebhook.model_validate({"triggerEvent": "BOOKING_CREATED", "payload": payload}), NOW)
    assert change is not None
    told = change.interview
    return replace(told, interview_id=interview_id_for(told.source, told.source_ref))


NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _calcom(
    uid: str, title: str, start: str, end: str, organizer: dict, candidate: Candidate, **more: Any
) -> Interview:
    payload = {
        "uid": uid,
        "title": title,
        "startTime": start,
        "endTime": end,
        "organizer": organizer,
        "attendees": [{"name": candidate.name, "email": candidate.email}],
        **more,
    }
    return _from_calcom(payload)


def scenarios(candidate: Candidate) -> list[Scenario]:
    """The book's scenarios for ``candidate`` (times in UTC; each is read in the candidate's zone)."""
    one = _calcom(
        "book-1",
        "Technical interview: Robotics software engineer",
        "2026-12-03T14:00:00Z",
        "2026-12-03T15:00:00Z",
        {"name": "Jane Doe", "email": "jane.doe@acme-robotics.com"},
        candidate,
    )
    panel_people = (
        "ORGANIZER;CN=Globex Recruiting:mailto:recruiting@globex.com",
        f"ATTENDEE;CN={candidate.name}:mailto:{candidate.email}",
        "ATTENDEE;CN=José García:mailto:jose.garcia@globex.com",
        "ATTENDEE;CN=priya.r:mailto:priya.r@globex.com",
        "ATTENDEE;CN=王伟:mailto:wang.wei@globex.com",
        "ATTENDEE;CUTYPE=ROOM;CN=Room 4.02:mailto:room-402@globex.com",
    )
    panel = _from_ics(
        candidate, _ics("panel-1", "20261208T140000Z", "20261208T153000Z", "Panel interview", *panel_people)
    )
    round_two = _from_ics(
        candidate,
        _ics(
            "panel-2",
            "20261215T100000Z",
            "20261215T110000Z",
            "Final interview",
            "ORGANIZER;CN=Globex Recruiting:mailto:recruiting@globex.com",
            f"ATTENDEE;CN={candidate.name}:mailto:{candidate.email}",
            "ATTENDEE;CN=José García:mailto:jose.garcia@globex.com",
            "ATTENDEE:mailto:wang.wei@globex.com",
            "ATTENDEE;CN=Lee Chan:mailto:lee.chan@globex.com",
        ),
    )
    late = _calcom(
        "book-late",
        "Engineering manager interview",
        "2026-12-03T19:30:00Z",
        "2026-12-03T20:30:00Z",
        {"name": "Sam Roe", "email": "sam.roe@initech.com"},
        candidate,
    )
    non_gsm = _calcom(
        "yandex-1",
        "Собеседование",
        "2026-12-10T09:00:00Z",
        "2026-12-10T10:00:00Z",
        {"name": "Zoë Łukasiewicz", "email": "zoe@yandex-team.ru"},
        candidate,
        team={
            "name": "Яндекс",
            "members": [
                {"name": "王伟", "email": "wang.wei@yandex-team.ru"},
                {"name": "Ivan Petrov", "email": "ivan.petrov@yandex-team.ru"},
            ],
        },
    )
    free_mail = _calcom(
        "book-free",
        "Founder chat - Lumen Labs",
        "2026-12-04T15:00:00Z",
        "2026-12-04T15:45:00Z",
        {"name": "Ben Carter", "email": "ben.carter@gmail.com"},
        candidate,
    )
    nameless = _calcom(
        "book-anon",
        "30 Min Meeting between Ben Carter and " + (candidate.name or ""),
        "2026-12-04T15:00:00Z",
        "2026-12-04T15:30:00Z",
        {"name": "Ben Carter", "email": "ben.carter@gmail.com"},
        candidate,
    )
    # Forwarded from the candidate's own mail: the agency consultant organises, the client's people interview.
    agency = _from_ics(
        candidate,
        _ics(
            "agency-1",
            "20261209T100000Z",
            "20261209T110000Z",
            "Interview for Senior Analyst at Northwind",
            "ORGANIZER;CN=Sarah Mills:mailto:sarah.mills@hays.com",
            f"ATTENDEE;CN={candidate.name}:mailto:ada.lovelace@gmail.com",
            "ATTENDEE;CN=Sarah Mills;PARTSTAT=ACCEPTED:mailto:sarah.mills@hays.com",
            "ATTENDEE;CN=Ana Costa:mailto:ana.costa@northwind.com",
            "ATTENDEE;CN=Okafor\\, Chidi:mailto:chidi.okafor@northwind.com",
        ),
        forwarded_from="ada.lovelace@gmail.com",
    )
    agency_alone = _from_ics(
        candidate,
        _ics(
            "agency-2",
            "20261209T100000Z",
            "20261209T110000Z",
            "Data Engineer interview at Brightwave Energy",
            "ORGANIZER;CN=Tom Reid:mailto:tom.reid@michaelpage.co.uk",
            f"ATTENDEE;CN={candidate.name}:mailto:{candidate.email}",
        ),
    )
    exchange = _from_ics(
        candidate,
        _ics(
            "exchange-1",
            "20261210T130000Z",
            "20261210T140000Z",
            "Senior Backend Engineer interview",
            'ORGANIZER;CN="Duarte, Ines (she/her)":mailto:ines.duarte@brightwaveenergy.com',
            f"ATTENDEE;CN=LOVELACE\\, ADA:mailto:{candidate.email}",
            "ATTENDEE;CN=Prof. Kwame Mensah:mailto:kwame.mensah@brightwaveenergy.com",
            "ATTENDEE;CN=MARIA GARCIA:mailto:maria.garcia@brightwaveenergy.com",
            "ATTENDEE;CN=TANAKA Hiroshi:mailto:hiroshi.tanaka@brightwaveenergy.com",
            "ATTENDEE;CN=Wang Wei:mailto:wei.wang@brightwaveenergy.com",
            "ATTENDEE;CN=Sam Patel Jr. 🚀:mailto:sam.patel@brightwaveenergy.com",
            "ATTENDEE;CUTYPE=GROUP;CN=Hiring Panel:mailto:hiring-panel@brightwaveenergy.com",
            "ATTENDEE;CN=Leo Park;PARTSTAT=DECLINED:mailto:leo.park@brightwaveenergy.com",
            "ATTENDEE;CN=Fay Yu;ROLE=NON-PARTICIPANT:mailto:fay.yu@brightwaveenergy.com",
        ),
    )
    assessment = _from_ics(
        candidate,
        "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
                "METHOD:REQUEST",
                "BEGIN:VEVENT",
                "UID:assess-1",
                "DTSTAMP:20261201T090000Z",
                "DTSTART;VALUE=DATE:20261214",
                "DTEND;VALUE=DATE:20261215",
                "SUMMARY:Graduate assessment centre - Contoso Bank",
                "ORGANIZER;CN=Cleo Ward:mailto:cleo.ward@contoso-bank.com",
                f"ATTENDEE;CN={candidate.name}:mailto:{candidate.email}",
                "ATTENDEE;CN=Priya Raman:mailto:priya.raman@contoso-bank.com",
                "END:VEVENT",
                "END:VCALENDAR",
                "",
            ]
        ).encode(),
    )
    round_three = _from_ics(
        candidate,
        _ics(
            "panel-3",
            "20261218T100000Z",
            "20261218T110000Z",
            "Final round: Platform engineer",
            "ORGANIZER;CN=Globex Recruiting:mailto:recruiting@globex.com",
            f"ATTENDEE;CN={candidate.name}:mailto:{candidate.email}",
            "ATTENDEE;CN=José García:mailto:jose.garcia@globex.com",
            "ATTENDEE;CN=Lee Chan:mailto:lee.chan@globex.com",
        ),
    )
    return [
        Scenario(
            "One interviewer",
            "A Cal.com booking with Jane Doe of Acme Robotics; offer two days later.",
            [one],
            [
                ("research_prompt", one.start - timedelta(hours=48)),
                ("thank_you", one.end + timedelta(hours=1)),
                ("connect", one.end + timedelta(days=2)),
            ],
            outcome="offer",
        ),
        Scenario(
            "A panel of three, a role mailbox and a room",
            "An invite from recruiting@globex.com to José García, priya.r (no name but the address), 王伟 "
            "and Room 4.02. The role mailbox and the room are nobody to research, greet or thank.",
            [panel],
            [("research_prompt", panel.start - timedelta(hours=48)), ("thank_you", panel.end + timedelta(hours=1))],
        ),
        Scenario(
            "A second round",
            "A week after the panel: José again, 王伟 now only by address, and Lee Chan, new. An offer follows.",
            [panel, round_two],
            [
                ("research_prompt", round_two.start - timedelta(hours=48)),
                ("thank_you", round_two.end + timedelta(hours=1)),
                ("connect", round_two.end + timedelta(days=1)),
            ],
            outcome="offer",
        ),
        Scenario(
            "SMS only",
            "The one-interviewer booking for a candidate who takes texts only: each SMS carries the advice.",
            [one],
            [
                ("research_prompt", one.start - timedelta(hours=48)),
                ("thank_you", one.end + timedelta(hours=1)),
                ("connect", one.end + timedelta(days=2)),
            ],
            channels=("sms",),
            outcome="offer",
        ),
        Scenario(
            "A thank-you deferred to the next morning",
            "The interview ends at 20:30 in London; quiet hours (21:00 to 08:00) hold the thank-you until the "
            "next morning. In New York it ends at 15:30 and the thank-you goes the same afternoon.",
            [late],
            [("thank_you", late.end + timedelta(hours=1))],
        ),
        Scenario(
            "Names and a company outside GSM-7",
            "A Cal.com team booking by Яндекс, with Zoë Łukasiewicz, 王伟 and Ivan Petrov: the SMS writes Zoë as "
            "Zoe and leaves out what has no GSM-7 form (Яндекс, 王伟) to go in one segment.",
            [non_gsm],
            [
                ("research_prompt", non_gsm.start - timedelta(hours=48)),
                ("thank_you", non_gsm.end + timedelta(hours=1)),
            ],
        ),
        Scenario(
            "A free-mail organizer",
            'Ben Carter books from gmail.com; the title "Founder chat - Lumen Labs" names the company.',
            [free_mail],
            [
                ("research_prompt", free_mail.start - timedelta(hours=30)),
                ("thank_you", free_mail.end + timedelta(hours=1)),
            ],
        ),
        Scenario(
            "No company anywhere",
            "A gmail.com organizer and Cal.com's default title: the messages phrase around the company.",
            [nameless],
            [
                ("research_prompt", nameless.start - timedelta(hours=48)),
                ("thank_you", nameless.end + timedelta(hours=1)),
            ],
        ),
        Scenario(
            "A rejection",
            "Globex says no after the panel: a gracious reply instead of the pending thank-you.",
            [panel],
            [("rejection_reply", panel.end + timedelta(days=3, hours=1))],
            outcome="rejected",
        ),
        Scenario(
            "A follow-up after a week of silence",
            "No outcome seven days after the Acme Robotics interview.",
            [one],
            [("follow_up", one.end + timedelta(days=7, hours=-5))],
        ),
        Scenario(
            "An agency-arranged interview, forwarded as an .ics mail",
            'Sarah Mills of Hays organises and attends; Ana Costa and Chidi Okafor (written "Okafor, Chidi") '
            "of Northwind interview. Ada forwarded it from ada.lovelace@gmail.com, where she was invited. The "
            "client is the employer; Sarah is the recruiter, with a draft of her own and the follow-up.",
            [agency],
            [
                ("research_prompt", agency.start - timedelta(hours=48)),
                ("thank_you", agency.end + timedelta(hours=1)),
                ("follow_up", agency.end + timedelta(days=7, hours=-5)),
            ],
        ),
        Scenario(
            "An agency interview with no interviewer's address",
            "Tom Reid of Michael Page sends the invite alone: the client's interviewers are not on it. "
            "The thank-you goes to Tom, asking him to pass it on.",
            [agency_alone],
            [
                ("research_prompt", agency_alone.start - timedelta(hours=48)),
                ("thank_you", agency_alone.end + timedelta(hours=1)),
            ],
        ),
        Scenario(
            "An Exchange invite with every name form",
            '"Duarte, Ines (she/her)" organises; "Prof. Kwame Mensah", "MARIA GARCIA", "TANAKA Hiroshi", '
            '"Wang Wei" and "Sam Patel Jr." with an emoji attend; a hiring-panel group, Leo Park (declined) '
            'and Fay Yu (non-participant) are on it too, and Ada is written "LOVELACE, ADA".',
            [exchange],
            [
                ("research_prompt", exchange.start - timedelta(hours=48)),
                ("thank_you", exchange.end + timedelta(hours=1)),
            ],
        ),
        Scenario(
            "An all-day assessment centre",
            "A Google invite for a whole day; Cleo Ward organises but is not among the attendees (a coordinator). "
            "It is an interview from 09:00.",
            [assessment],
            [
                ("research_prompt", assessment.start - timedelta(hours=48)),
                ("thank_you", assessment.end + timedelta(hours=1)),
            ],
        ),
        Scenario(
            "A final round with only people met before",
            "After the panel and the second round: José García and Lee Chan again, nobody new.",
            [panel, round_two, round_three],
            [
                ("research_prompt", round_three.start - timedelta(hours=48)),
                ("thank_you", round_three.end + timedelta(hours=1)),
            ],
        ),
    ]


def _candidate(locale: str, zone: str, channels: tuple[str, ...]) -> Candidate:
    name = HOME.get(locale, ("", "Ada Lovelace"))[1]
    return Candidate(
        candidate_id="c_book",
        email="ada@example.org",
        timezone=zone,
        channels=channels,  # type: ignore[arg-type]
        created_at=NOW,
        ics_inbox_token="tok",
        phone="+447700900123",
        name=name,
        locale=locale,
    )


def _quote(text: str) -> str:
    return "\n".join(f"    {line}".rstrip() for line in text.rstrip("\n").splitlines())


@dataclass
class Tally:
    """Every SMS of one locale's book: its encoding and segments."""

    segments: list[int]
    encodings: list[str]

    def add(self, sms: str) -> str:
        """The SMS's size line ("128 septets, GSM-7, 1 segment"), counted."""
        from nudges.domain import sms_encoding

        counted = sms_encoding.count(sms)
        self.segments.append(counted.segments)
        self.encodings.append(counted.encoding)
        unit = "septets" if counted.encoding == "GSM-7" else "UCS-2 characters"
        plural = "segment" if counted.segments == 1 else "segments"
        return f"{counted.units} {unit}, {counted.encoding}, {counted.segments} {plural}"


def render(locale: str = "en-GB", tally: Tally | None = None) -> str:
    """One locale's book: every scenario's messages, then the welcome."""
    tally = tally if tally is not None else Tally([], [])
    zone = HOME[locale][0]
    record = BY_CODE[locale]
    out = [
        f"# The message book: {record.name} ({locale})",
        "",
        "Every message the service sends, for a fixed set of scenarios, on each channel, as a",
        f"candidate whose language is {record.english_name} ({locale}) and who lives in {zone} receives",
        "it. Written by `make messages` (scripts/messages.py) with the service's own composer",
        "(nudges.services.composing.MessageComposer) from interviews read by its own models; a test",
        "fails when this file differs from what the code says. The words live in",
        f"`layers/nudges/nudges/locales/{locale}/LC_MESSAGES/messages.po`; dates, times, zones and",
        "lists come from CLDR (docs/languages.md).",
        "",
        "Each SMS is shown with its size as AWS End User Messaging bills it: GSM-7 is 160 septets in",
        "one segment, 153 a segment when longer; UCS-2 is 70 characters, then 67 a segment. A text",
        "goes in one segment when any wording of its advice fits one, else two; never more.",
        "",
    ]
    report: list[str] = []
    for index, _scenario in enumerate(scenarios(_candidate(locale, zone, ("email", "sms"))), 1):
        out += [f"## {index}. {_scenario.title}", "", _scenario.about, ""]
        segments = _segments(locale, index)
        out += [
            "SMS segments for this scenario's texts, per interview: "
            + "; ".join(f"{who} {count}" for who, count in segments.items()),
            "",
        ]
        report.append(f"| {index}. {_scenario.title} | " + " | ".join(segments.values()) + " |")
        candidate = _candidate(locale, zone, _scenario.channels)
        scenario = scenarios(candidate)[index - 1]
        last = scenario.interviews[-1]
        composer = _store(candidate, scenario).composer()
        for kind, due in scenario.sends:
            at = deliverable_at(due, candidate.zone, NudgeTimings())  # quiet hours, as the planner
            if kind == "follow_up":  # at 10:00 on that day in the candidate's zone
                day = due.astimezone(candidate.zone).date()
                at = datetime.combine(day, time(10, 0), tzinfo=candidate.zone).astimezone(UTC)
            owner = last.application_id if kind == "connect" else last.interview_id
            composed = composer.compose(owner, kind, now=at)
            assert not isinstance(composed, str), composed
            _, message = composed
            local = at.astimezone(candidate.zone)
            out += [f"### {kind}, {locale}, sent {local:%a %d %b %H:%M} {local.tzname()}", ""]
            if "email" in candidate.channels:
                out += [f"Email, subject: **{message.subject}**", "", _quote(message.text), ""]
            out += [f"SMS ({tally.add(message.sms)}):", "", _quote(message.sms), ""]
    count = len(tally.segments)
    out += [
        "## SMS segments over the book",
        "",
        f"{count} texts in the scenarios above, {sum(tally.segments)} segments: "
        f"{sum(tally.segments) / count:.2f} segments per SMS on average; "
        f"{tally.segments.count(1)} of them in one segment.",
        "Per interview (the segments of the texts each scenario sends about its interview), for a",
        "candidate who takes email and SMS, and for one who takes SMS only:",
        "",
        "| Scenario | email + SMS | SMS only |",
        "| --- | --- | --- |",
        *report,
        "",
    ]
    out += _welcome_section(len(scenarios(_candidate(locale, zone, ("email", "sms")))) + 1, locale, tally)
    return "\n".join(out).rstrip("\n") + "\n"


def _segments(locale: str, index: int) -> dict[str, str]:
    """SMS segments per interview of scenario ``index`` in ``locale``, for an email+SMS candidate
    and an SMS-only one."""
    from nudges.domain import sms_encoding

    zone = HOME[locale][0]
    counts = {}
    for who, channels in (("email + SMS", ("email", "sms")), ("SMS only", ("sms",))):
        candidate = _candidate(locale, zone, channels)
        this = scenarios(candidate)[index - 1]
        composer = _store(candidate, this).composer()
        last = this.interviews[-1]
        total = 0
        for kind, due in this.sends:
            owner = last.application_id if kind == "connect" else last.interview_id
            composed = composer.compose(owner, kind, now=deliverable_at(due, candidate.zone, NudgeTimings()))
            assert not isinstance(composed, str), composed
            total += sms_encoding.sms_segments(composed[1].sms)
        counts[who] = str(total)  # every send of a scenario is about its last interview
    return counts


def _store(candidate: Candidate, scenario: Scenario) -> BookStore:
    store = BookStore()
    store.candidates[candidate.email] = candidate
    for interview in scenario.interviews:
        store.interviews[interview.interview_id] = interview
    last = scenario.interviews[-1]
    if scenario.outcome:
        store.applications[last.application_id] = Application(
            last.application_id, candidate.email, last.company, scenario.outcome, NOW, last.interview_id
        )
    return store


def index(tallies: dict[str, Tally]) -> str:
    """docs/messages.md: the books, and each locale's SMS sizes."""
    out = [
        "# The message book",
        "",
        "Every message the service sends, for a fixed set of scenarios, in each locale and on each",
        "channel, as the candidate receives it: one book per locale, written by `make messages`",
        "(scripts/messages.py) with the service's own composer; a test fails when a book differs",
        "from what the code says. How each language writes dates, zones, lists and texts:",
        "[languages](languages.md).",
        "",
        "| locale | language | book | texts | GSM-7 | UCS-2 | segments, average | most segments |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for code, tally in tallies.items():
        count = len(tally.segments)
        average = sum(tally.segments) / count if count else 0
        gsm = tally.encodings.count("GSM-7")
        out.append(
            f"| {code} | {BY_CODE[code].name} | [messages/{code}.md](messages/{code}.md) | {count} | {gsm} "
            f"| {count - gsm} | {average:.2f} | {max(tally.segments, default=0)} |"
        )
    out += [
        "",
        "Every text fits two segments in every locale (tests/unit/test_message_book.py). Texts in",
        "German, French, Spanish, Dutch, Portuguese and Italian go in GSM-7: letters GSM-7 lacks lose",
        "their accent in the SMS alone; Japanese and Chinese go in UCS-2.",
    ]
    return "\n".join(out) + "\n"


def books() -> dict[str, str]:
    """Every file of the book, by its path under the project root."""
    tallies: dict[str, Tally] = {}
    files: dict[str, str] = {}
    for code in CODES:
        tallies[code] = Tally([], [])
        files[f"docs/messages/{code}.md"] = render(code, tallies[code])
    files["docs/messages.md"] = index(tallies)
    return files


def _welcome_section(index: int, locale: str, tally: Tally) -> list[str]:
    """The welcome at registration: consent to texts on record (the operator's), and without it
    (the SMS asks for YES before any nudge is texted)."""
    from nudges.domain import service_messages
    from nudges.domain.calendars import PROVIDER_NAMES

    links = service_messages.WelcomeLinks(
        {p: f"https://nudges.example.com/connect/{p}/<token>" for p in PROVIDER_NAMES},
        preferences="https://nudges.example.com/preferences/<token>",
        forwarding_address="tP4oEznLazn_bxrNCmMAMJfj@inbox.example.com",
        preferences_short="https://nudges.example.com/p/<token>",
    )
    out = [
        f"## {index}. The welcome",
        "",
        "Sent at registration. With consent to texts on record (the operator's `sms_consent`), and",
        "without it: then the SMS asks for YES, and no nudge is texted before it arrives.",
        "",
    ]
    zone = HOME[locale][0]
    if True:
        for consent in (Consent(NOW, "web form"), None):
            candidate = replace(_candidate(locale, zone, ("email", "sms")), sms_consent=consent)
            store = BookStore()
            store.candidates[candidate.email] = candidate
            composer = store.composer(welcome_links=lambda _c: links)
            at = deliverable_at(NOW, candidate.zone, NudgeTimings())  # quiet hours, as the planner
            composed = composer.message("welcome", None, None, candidate, now=at)
            assert not isinstance(composed, str), composed
            _, message = composed
            local = at.astimezone(candidate.zone)
            said = "consent on record" if consent else "awaiting YES"
            out += [f"### welcome, {locale}, {said}, sent {local:%a %d %b %H:%M} {local.tzname()}", ""]
            if consent:
                out += [f"Email, subject: **{message.subject}**", "", _quote(message.text), ""]
            out += [f"SMS ({tally.add(message.sms)}):", "", _quote(message.sms), ""]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a book is stale")
    args = parser.parse_args()
    files = books()
    if args.check:
        stale = [
            p for p, text in files.items() if not (ROOT / p).exists() or (ROOT / p).read_text(encoding="utf-8") != text
        ]
        return 1 if stale else 0
    BOOKS.mkdir(exist_ok=True)
    for path, text in files.items():
        (ROOT / path).write_text(text, encoding="utf-8")
        print(f"wrote {path} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
