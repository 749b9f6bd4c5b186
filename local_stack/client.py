"""A small HTTP client for the local stack, playing the outside world: an operator, Cal.com,
and the person moving the clock. Used by the demo and the end-to-end tests.

Cal.com payloads are built from the real-shaped event in ``events/``, so the demo, the tests
and ``sam local invoke -e`` all send the same shape.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parent.parent / "events"
DEFAULT_CALCOM_SECRET = "local-calcom-secret"
DEFAULT_CALENDLY_SECRET = "local-calendly-secret"
DEFAULT_SECRETS = {
    "greenhouse": "local-greenhouse-secret",
    "lever": "local-lever-secret",
    "outcome": "local-outcome-secret",
}


def _hmac_hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def calcom_booking(
    trigger: str,
    *,
    uid: str,
    start: datetime,
    end: datetime,
    attendee: tuple[str, str],
    organizer: tuple[str, str],
    created_at: datetime,
    reschedule_uid: str | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """A Cal.com booking webhook body, from the recorded example with these values in it."""
    example = json.loads(json.loads((EVENTS / "calcom_webhook-booking_created.json").read_text())["body"])
    body = copy.deepcopy(example)
    body["triggerEvent"] = trigger
    body["createdAt"] = _iso(created_at)
    payload = body["payload"]
    (attendee_name, attendee_email), (organizer_name, organizer_email) = attendee, organizer
    payload.update(
        uid=uid,
        startTime=_iso(start),
        endTime=_iso(end),
        title=title or f"Interview between {organizer_name} and {attendee_name}",
    )
    payload["organizer"].update(name=organizer_name, email=organizer_email)
    payload["attendees"] = [{**payload["attendees"][0], "name": attendee_name, "email": attendee_email}]
    payload["responses"]["name"]["value"], payload["responses"]["email"]["value"] = attendee_name, attendee_email
    if reschedule_uid:
        payload["rescheduleUid"] = reschedule_uid
    if trigger == "BOOKING_CANCELLED":
        payload["status"] = "CANCELLED"
    return body


# What the operator of the stories tells registration about SMS consent.
STORY_SMS_CONSENT = {"obtained_at": "2026-01-05T09:00:00Z", "method": "sign-up form, SMS box ticked"}

# The interviewer of the stories: an organiser at a company domain (not free mail).
JANE = ("Jane Doe", "jane.doe@acme-robotics.com")


class LocalClient:
    def __init__(self, base_url: str, calcom_secret: str = DEFAULT_CALCOM_SECRET) -> None:
        self.base_url = base_url.rstrip("/")
        self.calcom_secret = calcom_secret

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"content-type": "application/json", **(headers or {})},
        )
        # A clock call answers once every delivery it caused is done: under injected faults
        # (botocore's backoff, function timeouts and their retries) that can take minutes.
        timeout = 900 if path.startswith("/_local/clock") else 60
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, _decode(response.read()), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, _decode(error.read()), dict(error.headers))

    # -- operator
    def register(self, **candidate: Any) -> Reply:
        """``POST /candidates``. The operator of the stories collected SMS consent on their own
        sign-up form, so a candidate with a phone is registered with ``sms_consent`` unless the
        caller says otherwise (``sms_consent=None``: the welcome SMS then asks for a YES)."""
        if "phone" in candidate and "sms_consent" not in candidate:
            candidate["sms_consent"] = STORY_SMS_CONSENT
        if candidate.get("sms_consent", ...) is None:
            del candidate["sms_consent"]
        return self.request("POST", "/candidates", candidate)

    def interviews(self, candidate_id: str) -> list[dict[str, Any]]:
        reply = self.request("GET", f"/candidates/{candidate_id}/interviews")
        assert reply.status == 200, reply
        return reply.body

    def outcome(self, interview_id: str, outcome: str) -> Reply:
        return self.request("POST", f"/interviews/{interview_id}/outcome", {"outcome": outcome})

    # -- Cal.com
    def calcom(self, body: dict[str, Any] | bytes, *, signature: str | None = None) -> Reply:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        signature = signature or hmac.new(self.calcom_secret.encode(), raw, hashlib.sha256).hexdigest()
        return self.request("POST", "/webhooks/calcom", raw=raw, headers={"x-cal-signature-256": signature})

    def book(
        self,
        email: str,
        uid: str,
        start: datetime,
        said_at: datetime,
        *,
        trigger: str = "BOOKING_CREATED",
        name: str = "Ada Lovelace",
        organizer: tuple[str, str] = JANE,
        **extra: Any,
    ) -> Reply:
        """A signed one-hour Cal.com booking for this attendee (``extra``: reschedule_uid, title)."""
        body = calcom_booking(
            trigger,
            uid=uid,
            start=start,
            end=start + timedelta(hours=1),
            attendee=(name, email),
            organizer=organizer,
            created_at=said_at,
            **extra,
        )
        return self.calcom(body)

    # -- Calendly
    def calendly(
        self, body: dict[str, Any] | bytes, *, signed_at: datetime, secret: str = DEFAULT_CALENDLY_SECRET
    ) -> Reply:
        """POST a webhook signed as Calendly signs: ``t=<unix>,v1=<hmac of "<t>." + body>``."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        stamp = str(int(signed_at.timestamp()))
        digest = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        return self.request(
            "POST", "/webhooks/calendly", raw=raw, headers={"calendly-webhook-signature": f"t={stamp},v1={digest}"}
        )

    # -- .ics invites
    def ics(self, inbox_token: str, calendar: bytes) -> Reply:
        return self.request(
            "POST", f"/webhooks/ics/{inbox_token}", raw=calendar, headers={"content-type": "text/calendar"}
        )

    def email(self, message: bytes) -> Reply:
        """Mail a raw MIME message to the stack's inbound SES (``POST /_local/email``)."""
        return self.request("POST", "/_local/email", raw=message, headers={"content-type": "message/rfc822"})

    # -- Greenhouse, Lever, the generic outcome webhook (signed as each provider signs)
    def greenhouse(
        self, body: dict[str, Any], *, event_id: str, secret: str = DEFAULT_SECRETS["greenhouse"], query: str = ""
    ) -> Reply:
        raw = json.dumps(body).encode()
        headers = {"Signature": f"sha256 {_hmac_hex(secret, raw)}", "Greenhouse-Event-ID": event_id}
        return self.request("POST", "/webhooks/greenhouse" + query, raw=raw, headers=headers)

    def lever(
        self,
        event: str,
        data: dict[str, Any],
        *,
        token: str,
        triggered_at: datetime,
        secret: str = DEFAULT_SECRETS["lever"],
    ) -> Reply:
        """A Lever webhook: ``signature`` is the HMAC of ``token + triggeredAt`` (ms) under the
        webhook's signature token; the rest of the body is not signed."""
        millis = int(triggered_at.timestamp() * 1000)
        body = {
            "triggeredAt": millis,
            "event": event,
            "signature": _hmac_hex(secret, f"{token}{millis}".encode()),
            "token": token,
            "data": data,
        }
        return self.request("POST", "/webhooks/lever", body)

    def outcome_event(
        self, body: dict[str, Any] | bytes, *, at: datetime, secret: str = DEFAULT_SECRETS["outcome"]
    ) -> Reply:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        t = int(at.timestamp())
        headers = {"Nudges-Signature": f"t={t},v1={_hmac_hex(secret, f'{t}.'.encode() + raw)}"}
        return self.request("POST", "/webhooks/outcome", raw=raw, headers=headers)

    # -- local controls
    def set_clock(self, now: datetime, *, deliver_twice: bool = False) -> dict[str, Any]:
        reply = self.request("POST", "/_local/clock", {"now": now.isoformat(), "deliver_twice": deliver_twice})
        assert reply.status == 200, reply
        return reply.body

    def outbox(self) -> list[dict[str, Any]]:
        reply = self.request("GET", "/_local/outbox")
        assert reply.status == 200, reply
        return reply.body


def _decode(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")
