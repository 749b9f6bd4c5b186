"""Every input providers really send, through the local stack's HTTP routes: extreme and
malformed-but-signed payloads answer 4xx naming the field (or 200 "ignored" with a reason),
outages answer 502/503 JSON, and no outcome matches the wrong application (issue 14).

Each test also holds the stack's own output to no traceback: every answer here is one the
service means to give, none is an unhandled error.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from local_stack.client import DEFAULT_SECRETS, JANE, LocalClient, _hmac_hex, calcom_booking

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2034, 5, 2, 9, 0, tzinfo=UTC)
_numbers = itertools.count(3000)


@pytest.fixture(scope="module")
def stack(stack_with_ats):
    return stack_with_ats


@pytest.fixture(scope="module")
def client(stack) -> LocalClient:
    return LocalClient(stack.base_url)


@pytest.fixture(autouse=True)
def no_traceback(capfd):
    """No traceback on the stack's output during the test: nothing answered was a crash."""
    yield
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err, (out + err)[-3000:]


def candidate(client, name: str = "Ada Lovelace") -> tuple[str, str, str]:
    """A fresh candidate: (email, candidate_id, inbox token)."""
    email = f"ada-{uuid.uuid4().hex[:10]}@example.org"
    reply = client.register(
        email=email,
        timezone="Europe/London",
        channels=["email", "sms"],
        phone=f"+4477009{next(_numbers):05d}",
        name=name,
    )
    assert reply.status == 201, reply
    return email, reply.body["candidate_id"], reply.body["ics_inbox_url"].rsplit("/", 1)[1]


def booking(email: str, uid: str, start: datetime, **extra) -> dict:
    return calcom_booking(
        "BOOKING_CREATED",
        uid=uid,
        start=start,
        end=extra.pop("end", start + timedelta(hours=1)),
        attendee=("Ada Lovelace", email),
        organizer=extra.pop("organizer", JANE),
        created_at=NOW,
        **extra,
    )


def ics(*lines: str, method: str = "REQUEST") -> bytes:
    return "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//probe//EN", f"METHOD:{method}", *lines, "END:VCALENDAR", ""]
    ).encode()


def vevent(
    uid: str | None,
    start: datetime,
    *extra: str,
    organizer: str = "ORGANIZER;CN=Jane Doe:mailto:jane.doe@acme-robotics.com",
) -> list[str]:
    return [
        "BEGIN:VEVENT",
        *([f"UID:{uid}"] if uid else []),
        f"DTSTAMP:{NOW:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
        *extra,
        organizer,
        "END:VEVENT",
    ]


# ---------------------------------------------------------------------- 1. bounds at the edge


@pytest.mark.parametrize("year", [9999, 1])
def test_a_booking_in_year_9999_or_0001_is_refused_naming_the_field_and_stores_nothing(client, year):
    client.set_clock(NOW)
    email, candidate_id, _ = candidate(client)
    body = booking(email, f"y{year}-{uuid.uuid4().hex}", NOW + timedelta(days=3))
    body["payload"]["startTime"] = f"{year:04d}-06-01T10:00:00.000Z"
    body["payload"]["endTime"] = f"{year:04d}-06-01T11:00:00.000Z"
    for _ in range(2):  # the provider's retry gets the same answer: nothing was half-stored
        reply = client.calcom(body)
        assert reply.status == 400 and reply.body["field"] == "startTime", reply
    assert client.interviews(candidate_id) == []


def test_a_calendly_booking_in_year_9999_is_refused_naming_the_field(client):
    client.set_clock(NOW)
    email, candidate_id, _ = candidate(client)
    body = {
        "event": "invitee.created",
        "created_at": NOW.isoformat(),
        "payload": {
            "uri": f"https://api.calendly.com/scheduled_events/E/invitees/{uuid.uuid4().hex}",
            "email": email,
            "name": "Ada Lovelace",
            "scheduled_event": {
                "name": "Interview",
                "start_time": "9999-06-01T10:00:00Z",
                "end_time": "9999-06-01T11:00:00Z",
                "event_memberships": [{"user_email": "jane.doe@acme-robotics.com", "user_name": "Jane Doe"}],
            },
        },
    }
    reply = client.calendly(body, signed_at=NOW)
    assert reply.status == 400 and reply.body["field"] == "scheduled_event.start_time", reply
    assert client.interviews(candidate_id) == []


def test_a_600_kb_title_is_cut_and_a_500_kb_summary_too(client):
    client.set_clock(NOW)
    email, candidate_id, token = candidate(client)
    body = booking(email, f"long-{uuid.uuid4().hex}", NOW + timedelta(days=3), title="Interview " + "x" * 600_000)
    reply = client.calcom(body)
    assert reply.status == 200, reply
    invite = ics(*vevent(f"long-{uuid.uuid4().hex}", NOW + timedelta(days=4), "SUMMARY:Onsite " + "y" * 500_000))
    assert client.ics(token, invite).status == 200
    titles = sorted(i["title"] for i in client.interviews(candidate_id))
    assert [len(t) for t in titles] == [300, 300] and all(t.endswith("…") for t in titles)


def test_9000_attendees_and_a_broken_sequence_are_refused_naming_the_property(client):
    client.set_clock(NOW)
    _, candidate_id, token = candidate(client)
    crowd = [f"ATTENDEE;CN=P{n}:mailto:p{n}@acme-robotics.com" for n in range(9000)]
    reply = client.ics(token, ics(*vevent("crowd", NOW + timedelta(days=3), *crowd)))
    assert reply.status == 400 and reply.body["field"] == "ATTENDEE" and "at most 100" in reply.body["message"]
    reply = client.ics(token, ics(*vevent("seq", NOW + timedelta(days=3), "SEQUENCE:one")))
    assert reply.status == 400 and reply.body["field"] == "SEQUENCE" and "VEVENT seq" in reply.body["message"]
    assert client.interviews(candidate_id) == []


# ---------------------------------------------------------------------- 2. errors as documented


def test_an_ats_outage_answers_502_json_and_the_retry_after_it_is_applied(client, ats):
    client.set_clock(NOW)
    email, _, _ = candidate(client)
    assert client.calcom(booking(email, f"gh-{uuid.uuid4().hex}", NOW + timedelta(days=3))).status == 200
    application_id, candidate_number, user_id = (next(_numbers) for _ in range(3))
    ats.greenhouse_application(
        application_id, candidate_number, emails=[email], user_id=user_id, user_email="offers@acme-robotics.com"
    )
    offer = {
        "action": "offer_created",
        "payload": {"id": 1, "application_id": application_id, "user_id": user_id, "offer_status": "Created"},
    }
    ats.down.add("greenhouse")
    try:
        down = client.greenhouse(offer, event_id=uuid.uuid4().hex)
    finally:
        ats.down.discard("greenhouse")
    assert down.status == 502 and "Greenhouse API answered 503" in down.body["message"], down
    assert {k.lower(): v for k, v in down.headers.items()}.get("retry-after") == "30"
    retried = client.greenhouse(offer, event_id=uuid.uuid4().hex)
    assert (retried.status, retried.body["status"]) == (200, "applied"), retried


# ---------------------------------------------------------------------- 3. company keys


def test_an_offer_for_a_non_latin_company_leaves_an_unrelated_application_untouched(client):
    client.set_clock(NOW)
    email, candidate_id, _ = candidate(client)
    # An interview arranged from a gmail address: its company is unknown
    gmail = ("Sam Recruiter", "sam.recruiter@gmail.com")
    reply = client.calcom(booking(email, f"gm-{uuid.uuid4().hex}", NOW + timedelta(days=4), organizer=gmail))
    assert reply.status == 200
    before = client.interviews(candidate_id)
    assert before[0]["company"] == "unknown"
    # An offer for Яндекс, and one for a "company" with no letter in it
    kept = client.outcome_event({"candidate_email": email, "company": "Яндекс", "outcome": "offer"}, at=NOW)
    assert kept.status == 202 and kept.body["status"] == "kept", kept  # no interview of Яндекс yet
    refused = client.outcome_event({"candidate_email": email, "company": "!!!", "outcome": "offer"}, at=NOW)
    assert refused.status == 400 and refused.body["field"] == "company"
    after = client.interviews(candidate_id)
    assert after == before  # research prompt, thank-you and follow-up still scheduled, no connect nudge
    assert {n["kind"]: n["status"] for n in after[0]["nudges"]} == {
        "research_prompt": "scheduled",
        "thank_you": "scheduled",
        "follow_up": "scheduled",
    }
    # Two gmail-organised interviews are two applications: an offer for one is not for the other
    second = client.calcom(booking(email, f"gm2-{uuid.uuid4().hex}", NOW + timedelta(days=6), organizer=gmail))
    assert client.outcome(second.body["interview_id"], "offer").status == 202
    first = next(i for i in client.interviews(candidate_id) if i["interview_id"] == reply.body["interview_id"])
    # its own application: not ended by the other's offer, its follow-up not moved to the other's
    assert {n["kind"]: n["status"] for n in first["nudges"]} == {
        "research_prompt": "scheduled",
        "thank_you": "scheduled",
        "follow_up": "scheduled",
    }


# ---------------------------------------------------------------------- 5. encodings


@pytest.mark.parametrize(
    ("charset", "name"),
    [
        ("iso-8859-1", "Lærke Brandhøj"),
        (None, "Lærke Brandhøj"),  # undeclared: not UTF-8, so read as Windows-1252
        ("iso-8859-2", "Łukasz Wróbel"),  # only the declared charset reads this one right
    ],
)
def test_a_latin1_invite_keeps_its_names(client, charset, name):
    client.set_clock(NOW)
    _, candidate_id, token = candidate(client)
    lines = vevent(
        f"l1-{uuid.uuid4().hex}",
        NOW + timedelta(days=3),
        f"SUMMARY:Samtale med {name}",
        f"ATTENDEE;CN={name}:mailto:someone@acme-robotics.com",
    )
    body = ics(*lines).decode().encode(charset or "iso-8859-1")
    declared = f"text/calendar; charset={charset}" if charset else "text/calendar"
    reply = client.request("POST", f"/webhooks/ics/{token}", raw=body, headers={"content-type": declared})
    assert reply.status == 200, reply
    [interview] = client.interviews(candidate_id)
    assert interview["title"] == f"Samtale med {name}"
    assert {"name": name, "email": "someone@acme-robotics.com"} in interview["interviewers"]


def test_a_mailed_invite_is_read_in_its_parts_charset(client):
    client.set_clock(NOW)
    _, candidate_id, token = candidate(client)
    lines = vevent(f"m1-{uuid.uuid4().hex}", NOW + timedelta(days=3), "SUMMARY:Rozmowa z Łukaszem")
    lines.insert(-1, "ATTENDEE;CN=Łukasz Wróbel:mailto:lukasz@acme-robotics.com")
    message = EmailMessage()
    message["From"] = "Ada <ada@example.org>"
    message["To"] = f"{token}@inbox.localhost"  # the local stack's InboxDomain
    message["Subject"] = "Fwd: Samtale"
    message.set_content("forwarded")
    latin2 = ics(*lines, method="REQUEST").decode().encode("iso-8859-2")
    message.add_attachment(latin2, maintype="text", subtype="calendar", params={"charset": "iso-8859-2"})
    assert client.email(bytes(message)).status == 202
    [interview] = client.interviews(candidate_id)
    assert interview["title"] == "Rozmowa z Łukaszem"  # by the MIME part's charset
    assert {"name": "Łukasz Wróbel", "email": "lukasz@acme-robotics.com"} in interview["interviewers"]


# ---------------------------------------------------------------------- 6. recurring invites


def test_a_weekly_series_plans_its_next_occurrence_and_the_one_after_takes_over(client):
    client.set_clock(NOW)
    _, candidate_id, token = candidate(client)
    began = NOW - timedelta(days=9) + timedelta(hours=5)  # two occurrences have passed
    reply = client.ics(
        token, ics(*vevent(f"wk-{uuid.uuid4().hex}", began, "RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:Pairing"))
    )
    assert reply.status == 200 and len(reply.body["interviews"]) == 2, reply
    interviews = sorted(client.interviews(candidate_id), key=lambda i: i["start"])
    nxt = began + timedelta(weeks=2)  # in five days
    assert [i["start"] for i in interviews] == [
        f"{nxt:%Y-%m-%dT%H:%M:%SZ}",
        f"{nxt + timedelta(weeks=1):%Y-%m-%dT%H:%M:%SZ}",
    ]
    assert [i["status"] for i in interviews] == ["scheduled", "scheduled"]
    planned = {n["kind"]: n["status"] for n in interviews[0]["nudges"]}
    assert (planned["research_prompt"], planned["thank_you"]) == ("scheduled", "scheduled")
    # When the next one has passed, the one after it is still ahead, with its nudges
    client.set_clock(nxt + timedelta(days=1))
    later = sorted(client.interviews(candidate_id), key=lambda i: i["start"])
    assert [i["status"] for i in later] == ["completed", "scheduled"]
    assert {n["kind"]: n["status"] for n in later[1]["nudges"]}["research_prompt"] == "scheduled"


# ---------------------------------------------------------------------- 7. offers that are not offers


def _greenhouse_application(ats, email):
    application_id, candidate_number, user_id = (next(_numbers) for _ in range(3))
    ats.greenhouse_application(
        application_id, candidate_number, emails=[email], user_id=user_id, user_email="offers@acme-robotics.com"
    )
    return application_id, user_id


def test_greenhouse_offers_that_are_not_offers_and_a_deleted_offer(client, ats):
    client.set_clock(NOW)
    email, candidate_id, _ = candidate(client)
    start = NOW + timedelta(days=1)
    assert client.calcom(booking(email, f"gho-{uuid.uuid4().hex}", start)).status == 200
    client.set_clock(start + timedelta(hours=3))
    application_id, user_id = _greenhouse_application(ats, email)

    def send(action, status):
        payload = {"id": 7, "application_id": application_id, "user_id": user_id, "offer_status": status}
        return client.greenhouse({"action": action, "payload": payload}, event_id=uuid.uuid4().hex)

    for status in ("Rejected", "Deprecated"):
        reply = send("offer_updated", status)
        assert (reply.status, reply.body["status"]) == (200, "ignored"), reply
    assert all(n["kind"] != "connect" for i in client.interviews(candidate_id) for n in i["nudges"])
    assert send("offer_updated", "Accepted").body["status"] == "applied"
    [connect] = [n for i in client.interviews(candidate_id) for n in i["nudges"] if n["kind"] == "connect"]
    assert connect["status"] == "scheduled"
    # Greenhouse's offer_deleted names no offering user: the company comes from ?company=
    deleted = {
        "action": "offer_deleted",
        "payload": {"id": 7, "application_id": application_id, "offer_status": "Created"},
    }
    unnamed = client.greenhouse(deleted, event_id=uuid.uuid4().hex)
    assert (unnamed.status, unnamed.body["status"]) == (200, "ignored") and "?company=" in unnamed.body["reason"]
    withdrawn = client.greenhouse(deleted, event_id=uuid.uuid4().hex, query="?company=acme-robotics.com")
    assert (withdrawn.status, withdrawn.body["status"]) == (200, "withdrawn"), withdrawn
    [connect] = [n for i in client.interviews(candidate_id) for n in i["nudges"] if n["kind"] == "connect"]
    assert connect["status"] == "cancelled"
    client.set_clock(start + timedelta(days=2))
    assert not [m for m in client.outbox() if m["kind"] == "connect" and m["to"] == email]


@pytest.mark.parametrize("event", ["contactCreated", "contactUpdated"])
def test_lever_contact_events_without_an_opportunity_are_ignored(client, event):
    client.set_clock(NOW)
    reply = client.lever(event, {"contactId": "contact-1"}, token=uuid.uuid4().hex, triggered_at=NOW)
    assert (reply.status, reply.body["status"]) == (200, "ignored"), reply


# ---------------------------------------------------------------------- 8. no silent drops


def test_an_unusable_event_says_so_and_events_without_uid_are_read_one_by_one(client):
    client.set_clock(NOW)
    _, candidate_id, token = candidate(client)
    broken = ["BEGIN:VEVENT", "UID:bad-start", "DTSTART:2034-13-45", "END:VEVENT"]
    reply = client.ics(token, ics(*broken))
    assert reply.status == 400 and reply.body["field"] == "DTSTART" and "VEVENT bad-start" in reply.body["message"]
    twice = vevent("two-starts", NOW + timedelta(days=3))
    twice.insert(3, f"DTSTART:{NOW + timedelta(days=4):%Y%m%dT%H%M%SZ}")
    reply = client.ics(token, ics(*twice))
    assert reply.status == 400 and reply.body["field"] == "DTSTART" and "more than once" in reply.body["message"]
    all_day = ["BEGIN:VEVENT", "UID:day", "DTSTART;VALUE=DATE:20340510", "END:VEVENT"]
    file = ics(
        *vevent(None, NOW + timedelta(days=3), "SUMMARY:No UID"), *vevent("with-uid", NOW + timedelta(days=5)), *all_day
    )
    reply = client.ics(token, file)
    assert reply.status == 200 and len(reply.body["interviews"]) == 2, reply
    assert reply.body["ignored"] == [{"event": "day", "reason": "an all-day event whose title names no interview"}]
    assert client.ics(token, file).body == reply.body  # the UID-less event is the same one again
    assert len(client.interviews(candidate_id)) == 2


def test_the_webhook_answer_says_the_stored_status_of_a_booking_that_ended(client):
    client.set_clock(NOW)
    email, candidate_id, _ = candidate(client)
    reply = client.calcom(booking(email, f"past-{uuid.uuid4().hex}", NOW - timedelta(days=10)))
    assert reply.status == 200 and reply.body["interview_status"] == "completed", reply
    [interview] = client.interviews(candidate_id)
    assert interview["status"] == reply.body["interview_status"]


# ---------------------------------------------------------------------- 9. the local stack under load


def test_100_simultaneous_requests_all_get_answers(stack):
    """100 connections opened at the same instant (a barrier), each allowed under a second to
    connect: a dropped SYN is retried only after a second, so a connection the listen backlog
    did not hold fails here (with socketserver's default backlog of 5, 91 of 100 did)."""
    barrier = threading.Barrier(100)

    def one(n: int) -> str:
        path = "/_local/health" if n % 2 else f"/candidates/c_{n:032d}"
        barrier.wait()
        try:
            connection = socket.create_connection((stack.host, stack.port), timeout=0.9)
        except OSError as exc:
            return f"not connected: {type(exc).__name__}"
        with connection:
            connection.settimeout(60)
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        return answer.split(b" ", 2)[1].decode() if answer else "no answer"

    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(one, range(100)))
    assert sorted(statuses) == ["200"] * 50 + ["404"] * 50, statuses


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT"])
def test_a_method_no_route_serves_gets_api_gateways_json(client, method):
    reply = client.request(method, "/candidates")
    assert reply.status == 404 and reply.body == {"message": "Not Found"}, reply
    assert {k.lower(): v for k, v in reply.headers.items()}["content-type"].startswith("application/json")


def test_a_signed_timestamp_no_clock_can_show_is_a_bad_signature_not_a_crash(client):
    client.set_clock(NOW)
    millis = 10**20  # year 3,168,808,781
    token = uuid.uuid4().hex
    body = {
        "triggeredAt": millis,
        "event": "candidateHired",
        "token": token,
        "signature": _hmac_hex(DEFAULT_SECRETS["lever"], f"{token}{millis}".encode()),
        "data": {"opportunityId": "opp-1"},
    }
    reply = client.request("POST", "/webhooks/lever", body)
    assert reply.status == 401 and "no time" in reply.body["message"], reply
    raw = b'{"candidate_email": "ada@example.org", "company": "Acme", "outcome": "offer"}'
    t = "99999999999999999"
    signature = _hmac_hex(DEFAULT_SECRETS["outcome"], f"{t}.".encode() + raw)
    reply = client.request("POST", "/webhooks/outcome", raw=raw, headers={"Nudges-Signature": f"t={t},v1={signature}"})
    assert reply.status == 401 and "no time" in reply.body["message"], reply
