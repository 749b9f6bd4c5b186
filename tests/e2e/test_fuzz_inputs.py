"""Fuzzing every provider's webhook, signed as the provider signs, through the local stack.

Hypothesis builds each payload from the service's own pydantic models (``strategy_for``: every
field of the model, with values that are valid, extreme or of the wrong type: years 0001 to
9999, 600 KB strings, every script, lists of thousands) and from an .ics grammar of the
properties ``models/ics.py`` reads; the request is signed (Cal.com, Calendly, Greenhouse,
Lever, the generic outcome webhook) or posted to a real inbox. Whatever is sent, the answer is
never a 5xx, and neither the stack's output nor the functions' log holds a traceback or an
error line.

In ``make test`` each provider gets a bounded, derandomized run (``FUZZ_EXAMPLES``, default 25);
``make fuzz`` sets ``NUDGES_FUZZ=1``: random seeds and ``FUZZ_EXAMPLES`` (default 300) each.
"""

from __future__ import annotations

import json
import os
import time
import types
import typing
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from local_stack import LocalStack
from local_stack.client import JANE, LocalClient, calcom_booking
from nudges.models.calcom import BOOKING_TRIGGERS, CalcomBooking
from nudges.models.calendly import INVITEE_EVENTS, CalendlyInvitee
from nudges.models.outcomes import (
    GREENHOUSE_ACTIONS,
    LEVER_EVENTS,
    GreenhouseApplicationEvent,
    GreenhouseOffer,
    LeverData,
    OutcomeEvent,
)
from tests.fakes.ats import FakeAts

ROOT = Path(__file__).resolve().parents[2]
RANDOM = os.environ.get("NUDGES_FUZZ") == "1"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or (300 if RANDOM else 25))
NOW = datetime(2036, 1, 5, 9, 0, tzinfo=UTC)
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


# ---------------------------------------------------------------------- strategies from the models

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), timezone(timedelta(minutes=330))]
)
INSTANTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES)
NEAR = st.datetimes(min_value=datetime(2035, 1, 1), max_value=datetime(2037, 1, 1), timezones=ZONES)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="Яндекс株式会社ソニーLærkeØß!@#.-_ \u200b\U0001f600", max_size=60),
    st.integers(min_value=1000, max_value=700_000).map(lambda n: "x" * n),
)
EMAILS = st.one_of(
    st.sampled_from(["jane.doe@acme-robotics.com", "no-reply@zoom.us", "sam@gmail.com", "Ада@пример.рф"]),
    st.emails(),
    TEXT,
)
WRONG = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _for_annotation(annotation: Any, name: str) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _for_annotation(typing.get_args(annotation)[0], name)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_for_annotation(a, name) for a in typing.get_args(annotation)))
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(typing.get_args(annotation)), TEXT)
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        small = st.lists(_for_annotation(item, name), max_size=4)
        return st.one_of(
            small,
            small,
            st.integers(min_value=101, max_value=9000).map(lambda n: [f"p{i}@acme.example" for i in range(n)]),
        )
    if origin is dict or annotation is dict:
        return st.dictionaries(st.text(max_size=8), st.one_of(TEXT, st.integers()), max_size=4)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return strategy_for(annotation)
    if annotation is type(None):
        return st.none()
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.one_of(st.integers(min_value=-(2**63), max_value=2**63), st.integers(min_value=0, max_value=10**6))
    text = str(annotation)
    if "datetime" in text.lower():
        return st.one_of(
            INSTANTS.map(datetime.isoformat), NEAR.map(datetime.isoformat), NEAR.map(datetime.isoformat), TEXT
        )
    if "email" in text.lower() or "email" in name.lower():
        return EMAILS
    return TEXT


def mutated(base: dict[str, Any], model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """``base`` (a valid body) with one or two of ``model``'s fields drawn as ``strategy_for`` does."""
    names = sorted(model.model_fields)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        body = dict(base)
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
            info = model.model_fields[name]
            body[name] = draw(st.one_of(_for_annotation(info.annotation, name), WRONG))
        return body

    return build()


def strategy_for(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies shaped by ``model``: each field present or left out, with values of its type
    (valid and extreme) or, now and then, of another type."""
    fields = {
        name: st.one_of(_for_annotation(info.annotation, name), _for_annotation(info.annotation, name), WRONG)
        for name, info in model.model_fields.items()
    }
    required = {n: s for n, s in fields.items() if model.model_fields[n].is_required()}
    optional = {n: s for n, s in fields.items() if n not in required}
    return st.fixed_dictionaries(required, optional=optional)


# ---------------------------------------------------------------------- an .ics grammar


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


ICS_VALUES = {
    "UID": st.one_of(st.uuids().map(str), TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " "))),
    "DTSTART": st.one_of(
        INSTANTS.map(_stamp),
        NEAR.map(_stamp),
        NEAR.map(_stamp),
        st.dates().map(lambda d: f";VALUE=DATE:{d:%Y%m%d}"),
        st.just("2036-13-45"),
    ),
    "DTEND": st.one_of(NEAR.map(_stamp), st.just("soon")),
    "DURATION": st.sampled_from(["PT1H", "P1D", "-PT1H", "PT", "forever"]),
    "SEQUENCE": st.one_of(st.integers(min_value=-5, max_value=2**40).map(str), st.sampled_from(["one", ""])),
    "RRULE": st.sampled_from(
        [
            "FREQ=WEEKLY;COUNT=4",
            "FREQ=DAILY",
            "FREQ=SECONDLY",
            "FREQ=MONTHLY;BYDAY=1MO",
            "FREQ=SOMETIMES",
            "FREQ=YEARLY;UNTIL=99991231T000000Z",
        ]
    ),
    "EXDATE": NEAR.map(_stamp),
    "RDATE": NEAR.map(_stamp),
    "RECURRENCE-ID": NEAR.map(_stamp),
    "SUMMARY": st.one_of(
        TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " ")),
        st.just("Interview \u202egnp.exe\u202c \x07at Acme\u2066"),  # bidi overrides and a control
    ),
    "STATUS": st.sampled_from(["CONFIRMED", "CANCELLED", "TENTATIVE", "?"]),
    "ORGANIZER": st.one_of(
        EMAILS.map(lambda e: f";CN=Jane:mailto:{str(e).replace(chr(10), '')[:2000]}"),
        st.sampled_from(
            [
                ";CN=Jane Doe:mailto:2_GQ3TMNBVGU2DMNRXGQ3TMNBVG4ZQ@imip.me.com",  # iCloud's relay
                ";CN=Sam Park:mailto:outlook_5A1B2C3D4E5F6A7B@outlook.com",  # Outlook.com's
                ';CN="Jane Doe":"mailto:jane@acme-robotics.com"',  # quoted
                ";CN=Jane Doe:mailto:jane doe@acme-robotics.com",  # a space in the address
            ]
        ),
    ),
    "ATTENDEE": st.sampled_from(
        [
            ";CN=Lærke Brandhøj:mailto:laerke@acme-robotics.com",
            ";CUTYPE=ROOM:mailto:room@acme-robotics.com",
            ":mailto:bob@acme-robotics.com",
        ]
    ),
}


@st.composite
def calendars(draw: st.DrawFn) -> tuple[bytes, str]:
    events = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        names = draw(st.lists(st.sampled_from(sorted(ICS_VALUES)), max_size=10))
        lines = ["BEGIN:VEVENT"]
        for name in ["UID", "DTSTART", *names]:
            value = draw(ICS_VALUES[name])
            lines.append(f"{name}{value}" if value.startswith((";", ":")) else f"{name}:{value}")
        lines += [f"ATTENDEE;CN=P{i}:mailto:p{i}@acme.example" for i in range(draw(st.sampled_from([0, 0, 0, 150])))]
        events += [*lines, "END:VEVENT"]
    method = draw(st.sampled_from(["REQUEST", "CANCEL", "PUBLISH", "REPLY", "NONSENSE"]))
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", f"METHOD:{method}", *events, "END:VCALENDAR", ""])
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1", "windows-1252", "shift_jis", "x-unknown", ""]))
    codec = charset if charset in ("utf-8", "iso-8859-1", "windows-1252", "shift_jis") else "utf-8"
    return text.encode(codec, "replace"), f"text/calendar; charset={charset}" if charset else "text/calendar"


# ---------------------------------------------------------------------- the stack


@pytest.fixture(scope="module")
def ats():
    fake = FakeAts()
    fake.base = fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def logged(ats, tmp_path_factory):
    log_file = tmp_path_factory.mktemp("fuzz") / "functions.log"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NUDGES_LOCAL_LOG_FILE", str(log_file))
        env.setenv("LEVER_API_BASE_URL", f"{ats.base}/lever/v1")
        env.setenv("GREENHOUSE_API_BASE_URL", f"{ats.base}/greenhouse/v1")
        stack = LocalStack(ROOT)
        stack.start()
    try:
        client = _TimedClient(stack.base_url)
        client.set_clock(NOW)
        reply = client.register(
            email="fuzz.target@example.org", timezone="Asia/Tokyo", channels=["email"], name="Fuzz Target"
        )
        assert reply.status == 201, reply
        yield client, log_file, reply.body["ics_inbox_url"].rsplit("/", 1)[1]
    finally:
        stack.stop()


class _TimedClient(LocalClient):
    """Each request must answer within ``SLOW_SECONDS``."""

    def request(self, *args, **kwargs):
        started = time.monotonic()
        reply = super().request(*args, **kwargs)
        took = time.monotonic() - started
        assert took < SLOW_SECONDS, (f"{took:.1f} s", args[:2], str(reply)[:300])
        return reply


@pytest.fixture(autouse=True)
def clean(capfd, logged):
    """After each provider's run: no traceback on the stack's output, no error in the log."""
    _, log_file, _ = logged
    start = log_file.stat().st_size if log_file.exists() else 0
    yield
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err, (out + err)[-4000:]
    with log_file.open(encoding="utf-8") as lines:
        lines.seek(start)
        errors = [line for line in lines if '"level":"ERROR"' in line or '"exception"' in line]
    assert errors == [], errors[:3]


# Far above any answer's time, even on a loaded machine: a request this slow is a denial of service
# (a 700 KB field once took minutes in the log redactor; a rule matching no date, seconds).
SLOW_SECONDS = 20.0


def _answered(reply, statuses: list[int]) -> None:
    statuses.append(reply.status)
    assert reply.status < 500, reply
    assert isinstance(reply.body, dict) and reply.body, reply  # JSON with a message or a status


def _report(name: str, statuses: list[int]) -> None:
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"\nfuzz {name}: {len(statuses)} signed requests, answers {counts}")


def _examples(seeds: list[Any], name: str):
    """Hypothesis ``@example`` for each seed: tried before the generated inputs, in every run."""

    def apply(test):
        for seed in reversed(seeds):
            test = example(**{name: seed})(test)
        return test

    return apply


def test_calcom(logged):
    client, _, _ = logged
    statuses: list[int] = []
    start = NOW + timedelta(days=3)
    valid = calcom_booking(
        "BOOKING_CREATED",
        uid="fuzz",
        start=start,
        end=start + timedelta(hours=1),
        attendee=("Fuzz Target", "fuzz.target@example.org"),
        organizer=JANE,
        created_at=NOW,
    )["payload"]
    payloads = st.one_of(strategy_for(CalcomBooking), mutated(valid, CalcomBooking), mutated(valid, CalcomBooking))
    envelope = st.fixed_dictionaries(
        {"triggerEvent": st.one_of(st.sampled_from(sorted(BOOKING_TRIGGERS)), TEXT), "payload": payloads},
        optional={"createdAt": st.one_of(NEAR.map(datetime.isoformat), TEXT)},
    )

    seated = {**valid, "seatsPerTimeSlot": 4, "attendeeSeatId": "seat-1"}
    seeds = [
        {"triggerEvent": "BOOKING_CREATED", "payload": seated},
        {"triggerEvent": "BOOKING_CANCELLED", "payload": {**seated, "attendeeSeatId": None}},
        {"triggerEvent": "BOOKING_CREATED", "payload": {**valid, "endTime": valid["startTime"]}},  # zero length
        {"triggerEvent": "BOOKING_CREATED", "payload": {**seated, "seatsPerTimeSlot": 10**39}},  # a huge number
    ]

    @FUZZ
    @given(body=envelope)
    @_examples(seeds, "body")
    def send(body):
        _answered(client.calcom(json.dumps(body).encode()), statuses)

    send()
    _report("calcom", statuses)
    assert 200 in statuses and 400 in statuses  # the writing path was reached, not only refusals


def test_calendly(logged):
    client, _, _ = logged
    statuses: list[int] = []
    envelope = st.fixed_dictionaries(
        {"event": st.one_of(st.sampled_from(INVITEE_EVENTS), TEXT), "payload": strategy_for(CalendlyInvitee)},
        optional={"created_at": st.one_of(NEAR.map(datetime.isoformat), TEXT)},
    )

    @FUZZ
    @given(body=envelope)
    def send(body):
        _answered(client.calendly(json.dumps(body).encode(), signed_at=NOW), statuses)

    send()
    _report("calendly", statuses)


# Seeds: the shapes of issue 22 (real calendars and hostile bodies), tried first in every run.
def _seed(*events: list[str], method: str = "REQUEST") -> tuple[bytes, str]:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"METHOD:{method}"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event, "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode(), "text/calendar"


_WEEKLY = ["UID:seed-series", "DTSTART:20360112T140000Z", "DTEND:20360112T150000Z", "RRULE:FREQ=WEEKLY;COUNT=4"]
ICS_SEEDS = [
    _seed([*_WEEKLY, "SEQUENCE:0"]),
    # the series moved (a new SEQUENCE, a moved DTSTART) with an override and an EXDATE
    _seed(
        [
            "UID:seed-series",
            "SEQUENCE:1",
            "DTSTART:20360114T100000Z",
            "DTEND:20360114T110000Z",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXDATE:20360121T100000Z",
        ],
        [
            "UID:seed-series",
            "SEQUENCE:1",
            "RECURRENCE-ID:20360128T100000Z",
            "DTSTART:20360129T090000Z",
            "DTEND:20360129T100000Z",
        ],
    ),
    _seed([*_WEEKLY, "SEQUENCE:0"]),  # the older revision, late
    _seed(["UID:seed-series", "SEQUENCE:2"], method="CANCEL"),  # a series cancelled without DTSTART
    _seed(
        [
            "UID:seed-two-summaries",
            "DTSTART:20360115T100000Z",
            "SUMMARY:Interview",
            "SUMMARY:Entretien",
            "SEQUENCE:4294967296",
            "ORGANIZER;CN=Jane Doe:mailto:2_ABC@imip.me.com",
            "ATTENDEE;CN=Jane Doe:mailto:jane@acme-robotics.com",
            "ATTENDEE;CN=Gr\u202eace:mailto:grace @acme.example",
        ]
    ),
    _seed(
        ["UID:seed-reply", "DTSTART:20360115T100000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:x@y.example"], method="REPLY"
    ),
    _seed(*[[f"UID:seed-big-{k}", f"DTSTART:203601{10 + k // 8:02d}T{8 + k % 8:02d}0000Z"] for k in range(60)]),
]


def test_ics(logged):
    client, _, token = logged
    statuses: list[int] = []

    @FUZZ
    @given(calendar=calendars())
    @_examples(ICS_SEEDS, "calendar")
    def send(calendar):
        body, content_type = calendar
        reply = client.request("POST", f"/webhooks/ics/{token}", raw=body, headers={"content-type": content_type})
        _answered(reply, statuses)

    send()
    _report("ics", statuses)


def test_greenhouse(logged, ats):
    client, _, _ = logged
    statuses: list[int] = []
    ats.greenhouse_application(
        4242, 4243, emails=["fuzz.target@example.org"], user_id=4244, user_email="offers@acme-robotics.com"
    )
    payloads = st.one_of(
        strategy_for(GreenhouseOffer),
        strategy_for(GreenhouseApplicationEvent),
        st.just({"id": 1, "application_id": 4242, "user_id": 4244, "offer_status": "Accepted"}),
    )
    bodies = st.fixed_dictionaries(
        {
            "action": st.one_of(st.sampled_from([*GREENHOUSE_ACTIONS, "ping"]), TEXT),
            "payload": st.one_of(payloads, WRONG),
        }
    )

    @FUZZ
    @given(
        body=bodies,
        query=st.sampled_from(
            ["", "?company=%D0%AF%D0%BD%D0%B4%D0%B5%D0%BA%D1%81", "?company=!!!", "?company=" + "a" * 3000]
        ),
    )
    def send(body, query):
        _answered(client.greenhouse(body, event_id=uuid.uuid4().hex, query=query), statuses)

    send()
    _report("greenhouse", statuses)


def test_lever(logged):
    client, _, _ = logged
    statuses: list[int] = []

    @FUZZ
    @given(
        event=st.one_of(st.sampled_from([*LEVER_EVENTS, "contactCreated", "contactUpdated"]), TEXT),
        data=st.one_of(strategy_for(LeverData), WRONG),
    )
    def send(event, data):
        _answered(client.lever(event, data, token=uuid.uuid4().hex, triggered_at=NOW), statuses)

    send()
    _report("lever", statuses)


def test_outcome(logged):
    client, _, _ = logged
    statuses: list[int] = []

    valid = {"candidate_email": "fuzz.target@example.org", "company": "Acme Robotics", "outcome": "offer"}

    @FUZZ
    @given(body=st.one_of(strategy_for(OutcomeEvent), mutated(valid, OutcomeEvent)))
    def send(body):
        _answered(client.outcome_event(json.dumps(body).encode(), at=NOW), statuses)

    send()
    _report("outcome", statuses)


HOSTILE_JSON = [
    b"[" * 10_000 + b"]" * 10_000,
    b'{"triggerEvent": "BOOKING_CREATED", "payload": {"n": ' + b"9" * 5_000 + b"}}",
    b'{"triggerEvent": "BOOKING_CREATED", "payload": {"n": 1e999}}',
    b'{"event": NaN}',
    b'{"triggerEvent": "\xff\xfe"}',
    b'{"a":' * 70 + b"1" + b"}" * 70,
]


def test_hostile_json_signed_as_the_provider_is_a_4xx_naming_the_body(logged):
    """Seeds: bodies that once gave 500s (recursion, Python's int digit limit) and their kin,
    each signed so that it reaches the reader."""
    client, _, _ = logged
    for raw in HOSTILE_JSON:
        for reply in (client.calcom(raw), client.calendly(raw, signed_at=NOW)):
            assert reply.status == 400 and reply.body.get("field") == "body", (raw[:40], reply)
