"""Forged, replayed, oversized and malformed requests on every webhook route of the template.

Each answers 401, 401, 413, 400, and the candidate's interviews (with their nudges) are exactly
as before. The routes come from template.yaml, so a new webhook without a case here fails.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local_stack.client import calcom_booking
from local_stack.stack import webhook_secrets

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2034, 3, 6, 9, 0, tzinfo=UTC)
EMAIL = "abuse-target@example.org"
BIG = b"{" + b" " * (2 * 1024 * 1024) + b"}"  # 2 MiB
SECRETS = webhook_secrets()


def _hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def _event_body(name: str) -> dict:
    return json.loads(json.loads((ROOT / "events" / f"{name}.json").read_text())["body"])


def calcom(case: str, _token: str) -> tuple[str, bytes, dict] | None:
    body = json.dumps(
        calcom_booking(
            "BOOKING_CANCELLED",
            uid="abuse-uid",
            start=NOW + timedelta(days=2),
            end=NOW + timedelta(days=2, hours=1),
            attendee=("Ada", EMAIL),
            organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
            created_at=NOW,
        )
    ).encode()
    if case == "replayed":
        return None  # Cal.com signs no timestamp: no replay window by design; a replay is a duplicate, applied once
    raw = {"forged": body, "oversized": BIG, "malformed": b'{"triggerEvent": 7'}[case]
    secret = "not-the-secret" if case == "forged" else SECRETS["calcom"]
    return "/webhooks/calcom", raw, {"x-cal-signature-256": _hex(secret, raw)}


def _stamped(header: str, secret_key: str, case: str, body: bytes, millis: bool = False):
    raw = {"forged": body, "replayed": body, "oversized": BIG, "malformed": b'{"event": '}[case]
    at = NOW - timedelta(hours=1) if case == "replayed" else NOW
    t = str(int(at.timestamp()))
    secret = "not-the-secret" if case == "forged" else SECRETS[secret_key]
    return raw, {header: f"t={t},v1={_hex(secret, t.encode() + b'.' + raw)}"}


def calendly(case: str, _token: str):
    body = _event_body("calendly_webhook-invitee_created")
    body["payload"]["email"] = EMAIL
    raw, headers = _stamped("calendly-webhook-signature", "calendly", case, json.dumps(body).encode())
    return "/webhooks/calendly", raw, headers


def outcome(case: str, _token: str):
    body = json.dumps({"candidate_email": EMAIL, "company": "acme-robotics.com", "outcome": "offer"}).encode()
    raw, headers = _stamped("Nudges-Signature", "outcome", case, body)
    return "/webhooks/outcome", raw, headers


def greenhouse(case: str, _token: str):
    if case == "replayed":
        return None  # Greenhouse signs no timestamp; a repeated Greenhouse-Event-ID is remembered and ignored
    body = json.dumps(_event_body("greenhouse_webhook-hire_candidate")).encode()
    raw = {"forged": body, "oversized": BIG, "malformed": b'{"action": '}[case]
    secret = "not-the-secret" if case == "forged" else SECRETS["greenhouse"]
    return "/webhooks/greenhouse", raw, {"Signature": f"sha256 {_hex(secret, raw)}", "Greenhouse-Event-ID": "abuse-1"}


def lever(case: str, _token: str):
    body = _event_body("lever_webhook-candidate_stage_change")
    at = NOW - timedelta(hours=1) if case == "replayed" else NOW
    body["triggeredAt"] = int(at.timestamp() * 1000)
    secret = "not-the-secret" if case == "forged" else SECRETS["lever"]
    body["signature"] = _hex(secret, f"{body['token']}{body['triggeredAt']}".encode())
    if case == "malformed":
        body.pop("data")  # signed (Lever signs token + triggeredAt, not the body) but without its data
    raw = BIG if case == "oversized" else json.dumps(body).encode()
    return "/webhooks/lever", raw, {}


def google(case: str, _token: str):
    # Google signs nothing: the channel token it echoes is the credential, there is no body and
    # no timestamp (no replay window by design; X-Goog-Message-Number only orders messages).
    if case in ("replayed", "malformed"):
        return None  # a well-formed channel needs a connected calendar: tests/e2e/test_calendars.py
    headers = {
        "X-Goog-Channel-ID": "abuse-channel",
        "X-Goog-Channel-Token": "forged",
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "2",
    }
    return "/webhooks/google", (BIG if case == "oversized" else b""), headers


def microsoft(case: str, _token: str):
    # Graph puts its shared secret (clientState) inside the body and signs no timestamp.
    if case == "replayed":
        return None
    body = _event_body("calendar_webhook-microsoft_notification")
    raw = {"forged": json.dumps(body).encode(), "oversized": BIG, "malformed": b'{"value": [{"subscriptionId": '}[case]
    return "/webhooks/microsoft", raw, {}


def ics(case: str, token: str):
    # The inbox token in the URL is the credential; an .ics carries no signature or timestamp.
    if case == "replayed":
        return None
    calendar = (ROOT / "events" / "ics_webhook-google_request.json").read_text()
    raw_calendar = json.loads(calendar)["body"].encode()
    if case == "forged":
        return "/webhooks/ics/not-a-real-inbox-token", raw_calendar, {"content-type": "text/calendar"}
    raw = BIG if case == "oversized" else b"BEGIN:VCALENDAR\r\nthis is not a calendar\r\n"
    return f"/webhooks/ics/{token}", raw, {"content-type": "text/calendar"}


CASES = {
    "/webhooks/calcom": calcom,
    "/webhooks/calendly": calendly,
    "/webhooks/outcome": outcome,
    "/webhooks/greenhouse": greenhouse,
    "/webhooks/lever": lever,
    "/webhooks/google": google,
    "/webhooks/microsoft": microsoft,
    "/webhooks/ics/{inbox_token}": ics,
}
EXPECTED = {"forged": 401, "replayed": 401, "oversized": 413, "malformed": 400}


@pytest.fixture(scope="module")
def target(stack, client):
    client.set_clock(NOW)
    reply = client.register(email=EMAIL, timezone="Europe/London", channels=["email"], name="Ada")
    assert reply.status == 201, reply
    booking = calcom_booking(
        "BOOKING_CREATED",
        uid="abuse-uid",
        start=NOW + timedelta(days=2),
        end=NOW + timedelta(days=2, hours=1),
        attendee=("Ada", EMAIL),
        organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
        created_at=NOW,
    )
    assert client.calcom(booking).status == 200
    return reply.body["candidate_id"], reply.body["ics_inbox_url"].rstrip("/").rsplit("/", 1)[-1]


def test_every_webhook_route_in_the_template_has_cases(stack):
    routes = {r.path for r in stack.routes if r.path.startswith("/webhooks/")}
    assert routes == set(CASES)


@pytest.mark.parametrize("case", list(EXPECTED))
@pytest.mark.parametrize("route", list(CASES))
def test_bad_requests_are_refused_and_store_nothing(client, target, route, case):
    candidate_id, inbox_token = target
    request = CASES[route](case, inbox_token)
    if request is None:
        pytest.skip(f"{route}: no {case} request applies (see the comment in its case)")
    path, raw, headers = request
    before = client.interviews(candidate_id)
    reply = client.request("POST", path, raw=raw, headers={"content-type": "application/json", **headers})
    assert reply.status == EXPECTED[case], (route, case, reply)
    assert client.interviews(candidate_id) == before


# ---------------------------------------------------------------- hostile JSON on every route

DEEP = b"[" * 10_000 + b"]" * 10_000
HUGE_NUMBER = b'{"triggerEvent": "BOOKING_CREATED", "n": ' + b"7" * 5_000 + b"}"
FORM_ROUTES = ("/unsubscribe/", "/preferences/")  # forms, not JSON: a bad token is their 4xx


def _signed_as_the_provider(path: str, raw: bytes) -> dict[str, str]:
    """Headers that pass the route's own verification, so the body really reaches the reader."""
    t = str(int(NOW.timestamp()))
    stamped = lambda key: f"t={t},v1={_hex(SECRETS[key], t.encode() + b'.' + raw)}"  # noqa: E731
    return {
        "/webhooks/calcom": lambda: {"x-cal-signature-256": _hex(SECRETS["calcom"], raw)},
        "/webhooks/greenhouse": lambda: {"Signature": f"sha256 {_hex(SECRETS['greenhouse'], raw)}"},
        "/webhooks/calendly": lambda: {"calendly-webhook-signature": stamped("calendly")},
        "/webhooks/outcome": lambda: {"Nudges-Signature": stamped("outcome")},
    }.get(path, dict)()


@pytest.mark.parametrize("body", [DEEP, HUGE_NUMBER], ids=["10000-deep", "5000-digit"])
def test_deep_json_and_huge_numbers_answer_4xx_on_every_route(stack, client, target, function_logs, body):
    candidate_id, inbox_token = target
    values = collections.defaultdict(
        lambda: "x" * 40, {"candidate_id": candidate_id, "inbox_token": inbox_token, "interview_id": "i-1"}
    )
    before = client.interviews(candidate_id)
    routes = [r for r in stack.routes if r.method in ("POST", "PUT", "PATCH") and not r.path.startswith("/_")]
    assert len(routes) >= 14, [r.path for r in routes]
    for route in routes:
        path = route.path.format_map(values)
        headers = {"content-type": "application/json", **_signed_as_the_provider(route.path, body)}
        reply = client.request(route.method, path, raw=body, headers=headers)
        assert 400 <= reply.status < 500, (route.method, route.path, reply)
        if reply.status == 400 and not path.startswith(FORM_ROUTES):
            assert reply.body.get("field"), (route.path, reply)
    assert client.interviews(candidate_id) == before
    logged = json.dumps(function_logs)
    assert "Traceback" not in logged and '"level": "ERROR"' not in logged


def test_a_url_too_long_answers_414_with_a_json_body(stack, client):
    reply = client.request(
        "POST", "/webhooks/ics/" + "x" * 70_000, raw=b"{}", headers={"content-type": "text/calendar"}
    )
    assert reply.status == 414, reply
    assert isinstance(reply.body, dict) and reply.body.get("message"), reply
