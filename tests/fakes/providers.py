"""Fake Google Calendar and Microsoft Graph servers on loopback, behaving as the real APIs do.

Both: the OAuth consent page (authorization-code flow: it checks the client, the redirect URI,
the scope and the PKCE S256 challenge, then sends the browser back with a code, or with
``error=access_denied``) and the token endpoint's code grant (single-use codes, the verifier
checked against the challenge).

Google: the OAuth token endpoint (refresh-token grant), calendars.get("primary") (its id: the
account's address), events.list with full and incremental
sync (sync tokens, pages, 410 ``fullSyncRequired`` for an invalidated token, cancelled events
in increments), events.watch (and its ``sync`` message), channels.stop, and push notifications
with the X-Goog-* headers.

Graph: the Microsoft identity token endpoint (which rotates refresh tokens), ``/me``,
subscriptions (created only after the notification and lifecycle URLs echo a validation token as
text/plain within 10 s; at most 4,230 minutes; PATCH to renew; DELETE), ``/me/events/{id}``,
``/me/calendarView`` with paging, change notifications and lifecycle notifications.

Both read "now" from a callable (the local stack's virtual clock) so expirations agree.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def post(
    url: str, body: bytes = b"", headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, str, str]:
    """POST and return (status, content type, body text), errors included."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("content-type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode()


class Answer(Exception):
    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class Redirect(Exception):
    """Answer 302 to ``location`` (the consent page sending the browser back)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class FakeServer:
    """A ThreadingHTTPServer whose requests go to ``handle(method, path, query, headers, body)``."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                split = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                query = dict(urllib.parse.parse_qsl(split.query))
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append((self.command, split.path))
                try:
                    status, payload = 200, fake.handle(self.command, split.path, query, headers, body)
                except Answer as answer:
                    status, payload = answer.status, answer.body
                except Redirect as redirect:
                    self.send_response(302)
                    self.send_header("Location", redirect.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = b"" if payload is None else json.dumps(payload).encode()
                if status in (201, 200) and payload is None:
                    status = 204
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ OAuth
    clients: dict[str, str]
    refresh_tokens: dict[str, str]  # refresh token -> account
    access_tokens: dict[str, str]  # access token -> account

    # The consent page (authorization-code flow with PKCE): who is signed in and what they answer.
    AUTH_PATH: str
    REQUIRED_AUTH_PARAMS: dict[str, str]
    consenting_account: str | None = None  # the account that signs in and allows access
    deny_consent = False  # the person clicks "Cancel": error=access_denied
    refuse_codes = False  # the token endpoint refuses every code (invalid_grant)

    def _init_consent(self) -> None:
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.pkce_verified: list[str] = []  # codes exchanged with a verifier matching their challenge

    def _authorize(self, query: dict[str, str]) -> Any:
        """The consent page: checks what the real one checks, then sends the browser back."""
        self.authorize_requests.append(dict(query))
        if query.get("client_id") not in self.clients:
            raise Answer(400, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
        for name, value in self.REQUIRED_AUTH_PARAMS.items():
            if query.get(name) != value:
                raise Answer(400, {"error": "invalid_request", "error_description": f"{name} must be {value}"})
        for name in ("redirect_uri", "scope", "state", "code_challenge"):
            if not query.get(name):
                raise Answer(400, {"error": "invalid_request", "error_description": f"{name} is required"})
        back = query["redirect_uri"]
        if self.deny_consent:
            raise Redirect(f"{back}?{urllib.parse.urlencode({'error': 'access_denied', 'state': query['state']})}")
        if not self.consenting_account:
            raise Answer(400, {"error": "no account signed in to the fake consent page"})
        code = "4/0A" + secrets.token_urlsafe(24)
        self.codes[code] = {
            "client_id": query["client_id"],
            "redirect_uri": back,
            "challenge": query["code_challenge"],
            "account": self.consenting_account,
            "used": False,
        }
        raise Redirect(f"{back}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}")

    def _code_grant(self, form: dict[str, str]) -> str:
        """The account a code was issued for, once; PKCE S256 checked against its challenge."""
        import base64
        import hashlib

        entry = self.codes.get(form.get("code", ""))
        if self.refuse_codes or entry is None or entry["used"] or entry["client_id"] != form.get("client_id"):
            raise Answer(400, {"error": "invalid_grant", "error_description": "Malformed auth code."})
        if entry["redirect_uri"] != form.get("redirect_uri"):
            raise Answer(400, {"error": "redirect_uri_mismatch"})
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or digest != entry["challenge"]:
            raise Answer(400, {"error": "invalid_grant", "error_description": "Invalid code verifier."})
        entry["used"] = True
        self.pkce_verified.append(form["code"])
        return entry["account"]

    def _token(self, body: bytes, rotate: bool) -> Any:
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if self.clients.get(form.get("client_id", "")) != form.get("client_secret") or not form.get("client_secret"):
            raise Answer(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
        if form.get("grant_type") == "authorization_code":
            account = self._code_grant(form)
            refresh = "1//0g" + secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = account
            access = "ya29." + secrets.token_urlsafe(24)
            self.access_tokens[access] = account
            return {"access_token": access, "refresh_token": refresh, "expires_in": 3599, "token_type": "Bearer"}
        if form.get("grant_type") != "refresh_token":
            raise Answer(400, {"error": "unsupported_grant_type"})
        account = self.refresh_tokens.get(form.get("refresh_token", ""))
        if account is None:
            raise Answer(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        access = "ya29." + secrets.token_urlsafe(24)
        self.access_tokens[access] = account
        answer = {"access_token": access, "expires_in": 3599, "token_type": "Bearer", "scope": form.get("scope", "")}
        if rotate:
            fresh = "M.C5" + secrets.token_urlsafe(24)
            self.refresh_tokens[fresh] = account
            answer["refresh_token"] = fresh
        return answer

    def _account(self, headers: dict[str, str]) -> str:
        auth = headers.get("authorization", "")
        account = self.access_tokens.get(auth.removeprefix("Bearer "))
        if account is None:
            raise Answer(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}})
        return account


class FakeGoogle(FakeServer):
    TOKEN_PATH = "/token"
    AUTH_PATH = "/o/oauth2/v2/auth"
    REQUIRED_AUTH_PARAMS = {  # noqa: RUF012
        "response_type": "code",
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",
        "scope": "https://www.googleapis.com/auth/calendar.readonly",
    }

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__(now)
        self._init_consent()
        self.clients = {}
        self.refresh_tokens = {}
        self.access_tokens = {}
        self.events: dict[tuple[str, str], dict[str, dict]] = {}  # (account, calendar) -> id -> event
        self.changed_at: dict[tuple[str, str, str], int] = {}  # (account, calendar, event id) -> seq
        self.seq = 0
        self.sync_tokens: dict[str, tuple[str, str, int]] = {}
        self.channels: dict[str, dict] = {}
        self.stopped: list[str] = []
        self.sync_message_status: list[int] = []

    @property
    def token_url(self) -> str:
        return self.url + self.TOKEN_PATH

    @property
    def auth_url(self) -> str:
        return self.url + self.AUTH_PATH

    def add_account(self, account: str) -> str:
        refresh = "1//0g" + secrets.token_urlsafe(24)
        self.refresh_tokens[refresh] = account
        return refresh

    def _resource_id(self, account: str, calendar: str) -> str:
        return "res-" + uuid.uuid5(uuid.NAMESPACE_URL, f"{account}/{calendar}").hex[:20]

    # ------------------------------------------------------------------ test controls
    def put_event(self, account: str, event: dict, calendar: str = "primary") -> dict:
        """Create or change an event (as the organiser's edits reach the candidate's calendar)."""
        with self.lock:
            self.seq += 1
            stored = {"kind": "calendar#event", "etag": f'"{self.seq}"', "status": "confirmed", **event}
            stored["updated"] = _rfc3339(self.now())
            self.events.setdefault((account, calendar), {})[event["id"]] = stored
            self.changed_at[(account, calendar, event["id"])] = self.seq
            return stored

    def cancel_event(self, account: str, event_id: str, calendar: str = "primary") -> None:
        with self.lock:
            event = self.events[(account, calendar)][event_id]
            self.put_event(account, {**event, "status": "cancelled"}, calendar)

    def invalidate_sync_tokens(self) -> None:
        """Google may expire any sync token; the next incremental list answers 410."""
        with self.lock:
            self.sync_tokens.clear()

    def notify(self, account: str, calendar: str = "primary", state: str = "exists") -> list[int]:
        """Push a notification on every open channel for that calendar, as Google does."""
        statuses = []
        for channel in [c for c in self.channels.values() if (c["account"], c["calendar"]) == (account, calendar)]:
            statuses.append(self._push(channel, state))
        return statuses

    def _push(self, channel: dict, state: str) -> int:
        channel["messages"] += 1
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Channel-Token": channel["token"],
            "X-Goog-Channel-Expiration": datetime.fromtimestamp(channel["expiration"] / 1000, UTC).strftime(
                "%a, %d %b %Y %H:%M:%S GMT"
            ),
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-URI": channel["resourceUri"],
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel["messages"]),
            "Content-Length": "0",
        }
        return post(channel["address"], b"", headers)[0]

    # ------------------------------------------------------------------ API
    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Any:
        if (method, path) == ("POST", self.TOKEN_PATH):
            return self._token(body, rotate=False)
        if (method, path) == ("GET", self.AUTH_PATH):
            return self._authorize(query)
        account = self._account(headers)
        parts = path.split("/")
        if (method, path) == ("POST", "/calendar/v3/channels/stop"):
            request = json.loads(body)
            channel = self.channels.get(request.get("id", ""))
            if channel is None or channel["resourceId"] != request.get("resourceId"):
                raise Answer(
                    404,
                    {
                        "error": {
                            "code": 404,
                            "message": "Channel '" + request.get("id", "") + "' not found for project",
                        }
                    },
                )
            del self.channels[request["id"]]
            self.stopped.append(request["id"])
            return None
        if (method, path) == ("GET", "/calendar/v3/calendars/primary"):
            # calendars.get("primary"): the primary calendar's id is the account's own address.
            return {"kind": "calendar#calendar", "id": account, "summary": account, "timeZone": "UTC"}
        if len(parts) >= 6 and parts[1:4] == ["calendar", "v3", "calendars"] and parts[5] == "events":
            calendar = urllib.parse.unquote(parts[4])
            if method == "GET" and len(parts) == 6:
                return self._list(account, calendar, query)
            if method == "POST" and parts[6:] == ["watch"]:
                return self._watch(account, calendar, json.loads(body))
        raise Answer(404, {"error": {"code": 404, "message": "Not Found"}})

    def _list(self, account: str, calendar: str, query: dict[str, str]) -> Any:
        with self.lock:
            key = (account, calendar)
            events = self.events.get(key, {})
            if query.get("syncToken"):
                if any(query.get(p) for p in ("timeMin", "timeMax", "q", "orderBy", "updatedMin")):
                    raise Answer(
                        400, {"error": {"code": 400, "message": "Invalid combination of syncToken and filters."}}
                    )
                found = self.sync_tokens.get(query["syncToken"])
                if found is None or found[:2] != key:
                    raise Answer(
                        410,
                        {
                            "error": {
                                "errors": [
                                    {
                                        "domain": "calendar",
                                        "reason": "fullSyncRequired",
                                        "message": "Sync token is no longer valid, a full sync is required.",
                                    }
                                ],
                                "code": 410,
                                "message": "Sync token is no longer valid, a full sync is required.",
                            }
                        },
                    )
                since = found[2]
                items = [
                    e
                    if e["status"] != "cancelled"
                    else {
                        "kind": "calendar#event",
                        "etag": e["etag"],
                        "id": e["id"],
                        "status": "cancelled",
                        "updated": e["updated"],
                    }
                    for eid, e in events.items()
                    if self.changed_at[(account, calendar, eid)] > since
                ]
            else:
                time_min = query.get("timeMin")
                items = [
                    e
                    for e in events.values()
                    if e["status"] != "cancelled"
                    and (not time_min or "dateTime" not in e["end"] or _parse(e["end"]["dateTime"]) >= _parse(time_min))
                ]
            offset = int(query.get("pageToken") or 0)
            size = int(query.get("maxResults") or 250)
            page = items[offset : offset + size]
            answer: dict[str, Any] = {
                "kind": "calendar#events",
                "etag": f'"{self.seq}"',
                "summary": account,
                "updated": _rfc3339(self.now()),
                "timeZone": "Europe/London",
                "accessRole": "owner",
                "items": page,
            }
            if offset + size < len(items):
                answer["nextPageToken"] = str(offset + size)
            else:
                token = "CPDAlvWDx70CEPDAlvWDx70CGAU" + secrets.token_hex(4)
                self.sync_tokens[token] = (account, calendar, self.seq)
                answer["nextSyncToken"] = token
            return answer

    def _watch(self, account: str, calendar: str, request: dict) -> Any:
        if request.get("type") != "web_hook" or not request.get("id") or not request.get("address"):
            raise Answer(400, {"error": {"code": 400, "message": "Invalid channel"}})
        if request["id"] in self.channels:
            raise Answer(400, {"error": {"code": 400, "message": f"Channel id {request['id']} not unique"}})
        channel = {
            "kind": "api#channel",
            "id": request["id"],
            "resourceId": self._resource_id(account, calendar),
            "resourceUri": f"{self.url}/calendar/v3/calendars/{calendar}/events?alt=json",
            "token": request.get("token"),
            "expiration": int(request.get("expiration") or (self.now() + timedelta(days=7)).timestamp() * 1000),
        }
        self.channels[channel["id"]] = {
            **channel,
            "account": account,
            "calendar": calendar,
            "address": request["address"],
            "messages": 0,
        }

        # Google sends a "sync" message on the new channel right after it is created (unless the
        # channel was stopped in between, as a quick erasure does).
        def sync_message() -> None:
            if (created := self.channels.get(channel["id"])) is not None:
                self.sync_message_status.append(self._push(created, "sync"))

        threading.Timer(0.05, sync_message).start()
        return {**channel, "expiration": str(channel["expiration"])}


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeGraph(FakeServer):
    TOKEN_PATH = "/common/oauth2/v2.0/token"
    AUTH_PATH = "/common/oauth2/v2.0/authorize"
    REQUIRED_AUTH_PARAMS = {  # noqa: RUF012
        "response_type": "code",
        "code_challenge_method": "S256",
        "scope": "offline_access Calendars.Read User.Read",
    }
    MAX_MINUTES = 4230

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__(now)
        self._init_consent()
        self.clients = {}
        self.refresh_tokens = {}
        self.access_tokens = {}
        self.events: dict[str, dict[str, dict]] = {}  # account -> id -> event
        self.subscriptions: dict[str, dict] = {}
        self.validations: list[tuple[str, int, str]] = []  # (url, status, content type)

    @property
    def token_url(self) -> str:
        return self.url + self.TOKEN_PATH

    @property
    def api_url(self) -> str:
        return self.url + "/v1.0"

    @property
    def auth_url(self) -> str:
        return self.url + self.AUTH_PATH

    def add_account(self, account: str) -> str:
        refresh = "M.C5" + secrets.token_urlsafe(24)
        self.refresh_tokens[refresh] = account
        return refresh

    # ------------------------------------------------------------------ test controls
    def put_event(self, account: str, event: dict) -> tuple[dict, str]:
        with self.lock:
            existed = event["id"] in self.events.get(account, {})
            stored = {
                "@odata.etag": 'W/"' + secrets.token_hex(8) + '"',
                "isCancelled": False,
                "isOrganizer": False,
                "isAllDay": False,
                "type": "singleInstance",
                "responseStatus": {"response": "accepted", "time": _rfc3339(self.now())},
                **event,
                "lastModifiedDateTime": _rfc3339(self.now()),
            }
            self.events.setdefault(account, {})[event["id"]] = stored
            return stored, "updated" if existed else "created"

    def delete_event(self, account: str, event_id: str) -> None:
        with self.lock:
            self.events.get(account, {}).pop(event_id, None)

    def subscription_for(self, account: str) -> dict:
        [subscription] = [s for s in self.subscriptions.values() if s["account"] == account]
        return subscription

    def notify(self, account: str, change_type: str, event_id: str, client_state: str | None = None) -> int:
        sub = self.subscription_for(account)
        item = {
            "subscriptionId": sub["id"],
            "subscriptionExpirationDateTime": sub["expirationDateTime"],
            "changeType": change_type,
            "resource": f"Users/{sub['creatorId']}/Events/{event_id}",
            "resourceData": {
                "@odata.type": "#Microsoft.Graph.Event",
                "@odata.id": f"Users/{sub['creatorId']}/Events/{event_id}",
                "@odata.etag": 'W/"' + secrets.token_hex(8) + '"',
                "id": event_id,
            },
            "clientState": sub["clientState"] if client_state is None else client_state,
            "tenantId": "bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f",
        }
        return self._deliver(sub["notificationUrl"], {"value": [item]})

    def lifecycle(self, account: str, event: str) -> int:
        sub = self.subscription_for(account)
        if event == "subscriptionRemoved":
            del self.subscriptions[sub["id"]]
        item = {
            "subscriptionId": sub["id"],
            "subscriptionExpirationDateTime": sub["expirationDateTime"],
            "tenantId": "bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f",
            "clientState": sub["clientState"],
            "lifecycleEvent": event,
        }
        return self._deliver(sub["lifecycleNotificationUrl"], {"value": [item]})

    @staticmethod
    def _deliver(url: str, payload: dict) -> int:
        return post(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})[0]

    # ------------------------------------------------------------------ API
    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Any:
        if (method, path) == ("POST", self.TOKEN_PATH):
            return self._token(body, rotate=True)
        if (method, path) == ("GET", self.AUTH_PATH):
            return self._authorize(query)
        account = self._account(headers)
        if not path.startswith("/v1.0/"):
            raise Answer(404, {"error": {"code": "ResourceNotFound", "message": "Resource not found"}})
        path = path.removeprefix("/v1.0")
        if (method, path) == ("GET", "/me"):
            return {
                "@odata.context": self.api_url + "/$metadata#users/$entity",
                "mail": account,
                "userPrincipalName": account,
            }
        if (method, path) == ("POST", "/subscriptions"):
            return self._subscribe(account, json.loads(body))
        if path.startswith("/subscriptions/"):
            sub = self.subscriptions.get(path.split("/")[2])
            if sub is None or sub["account"] != account:
                raise Answer(404, {"error": {"code": "ResourceNotFound", "message": "The object was not found."}})
            if method == "DELETE":
                del self.subscriptions[sub["id"]]
                return None
            if method == "PATCH":
                sub["expirationDateTime"] = self._expiration(json.loads(body).get("expirationDateTime"))
                return self._public(sub)
        if method == "GET" and path.startswith("/me/events/"):
            event = self.events.get(account, {}).get(urllib.parse.unquote(path.split("/")[3]))
            if event is None:
                raise Answer(
                    404,
                    {
                        "error": {
                            "code": "ErrorItemNotFound",
                            "message": "The specified object was not found in the store.",
                        }
                    },
                )
            return {"@odata.context": self.api_url + "/$metadata#users('me')/events/$entity", **event}
        if method == "GET" and path == "/me/calendarView":
            return self._calendar_view(account, query)
        raise Answer(404, {"error": {"code": "ResourceNotFound", "message": "Resource not found"}})

    def _expiration(self, text: str | None) -> str:
        if not text:
            raise Answer(400, {"error": {"code": "InvalidRequest", "message": "expirationDateTime is required."}})
        when = _parse(text)
        now = self.now()
        if when <= now or when > now + timedelta(minutes=self.MAX_MINUTES):
            raise Answer(
                400,
                {
                    "error": {
                        "code": "InvalidRequest",
                        "message": f"Subscription expiration can only be {self.MAX_MINUTES} minutes in the future.",
                    }
                },
            )
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")

    def _validate(self, url: str) -> bool:
        token = "Validation: Testing client application reachability for subscription Request-Id: " + str(uuid.uuid4())
        status, content_type, text = post(
            f"{url}?validationToken={urllib.parse.quote(token)}", b"", {"Content-Type": "text/plain; charset=utf-8"}
        )
        self.validations.append((url, status, content_type))
        return status == 200 and content_type.startswith("text/plain") and text == token

    def _subscribe(self, account: str, request: dict) -> Any:
        changes = set((request.get("changeType") or "").split(","))
        if not changes or not changes <= {"created", "updated", "deleted"}:
            raise Answer(400, {"error": {"code": "InvalidRequest", "message": "Invalid changeType."}})
        if len(request.get("clientState") or "") > 128:
            raise Answer(400, {"error": {"code": "InvalidRequest", "message": "clientState is too long."}})
        if request.get("resource") not in ("me/events", "/me/events"):
            raise Answer(400, {"error": {"code": "InvalidRequest", "message": "Unsupported resource."}})
        expiration = self._expiration(request.get("expirationDateTime"))
        urls = [request.get("notificationUrl"), request.get("lifecycleNotificationUrl")]
        for url in (u for u in urls if u):  # both endpoints are validated, even when they are one
            if not self._validate(url):
                raise Answer(
                    400,
                    {
                        "error": {
                            "code": "ValidationError",
                            "message": "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
                        }
                    },
                )
        sub = {
            "id": str(uuid.uuid4()),
            "resource": request["resource"],
            "applicationId": "24d3b144-21ae-4080-943f-7067b395b913",
            "changeType": request["changeType"],
            "clientState": request.get("clientState"),
            "notificationUrl": request["notificationUrl"],
            "lifecycleNotificationUrl": request.get("lifecycleNotificationUrl"),
            "expirationDateTime": expiration,
            "creatorId": uuid.uuid5(uuid.NAMESPACE_DNS, account).hex,
            "latestSupportedTlsVersion": "v1_2",
            "account": account,
        }
        self.subscriptions[sub["id"]] = sub
        raise Answer(201, self._public(sub))

    def _public(self, sub: dict) -> dict:
        return {
            "@odata.context": self.api_url + "/$metadata#subscriptions/$entity",
            **{k: v for k, v in sub.items() if k != "account"},
        }

    def _calendar_view(self, account: str, query: dict[str, str]) -> Any:
        start, end = _parse(query["startDateTime"]), _parse(query["endDateTime"])
        items = [
            e
            for e in self.events.get(account, {}).values()
            if _parse(e["start"]["dateTime"][:26] + "+00:00") < end
            and _parse(e["end"]["dateTime"][:26] + "+00:00") > start
        ]
        skip, top = int(query.get("$skip") or 0), int(query.get("$top") or 10)
        answer: dict[str, Any] = {
            "@odata.context": self.api_url + "/$metadata#users('me')/calendarView",
            "value": items[skip : skip + top],
        }
        if skip + top < len(items):
            answer["@odata.nextLink"] = f"{self.api_url}/me/calendarView?" + urllib.parse.urlencode(
                {**query, "$skip": str(skip + top)}
            )
        return answer
