"""Google Calendar and Microsoft Graph over HTTPS: small urllib adapters, base URLs injectable.

Every call has a timeout; errors carry the status and the provider's error code but never a
token, and nothing here logs a request or response body.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar

from nudges.errors import NotConfigured

TIMEOUT_SECONDS = 5.0


class ProviderError(Exception):
    """A provider answered with an error (or not at all)."""

    def __init__(self, provider: str, status: int, code: str = "") -> None:
        super().__init__(f"{provider} answered {status}{f' ({code})' if code else ''}")
        self.provider = provider
        self.status = status
        self.code = code


def _error_code(raw: bytes) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str):
        return error  # OAuth: {"error": "invalid_grant", ...}
    if isinstance(error, dict):  # Google and Graph: {"error": {"code": ..., "message": ...}}
        code = error.get("code")
        errors = error.get("errors") or [{}]
        return str(errors[0].get("reason") or code or "")
    return ""


def request_json(
    provider: str,
    method: str,
    url: str,
    *,
    body: Any = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> Any:
    """One HTTP call; the parsed JSON answer (None for an empty one), ProviderError otherwise."""
    all_headers = {"Accept": "application/json", **(headers or {})}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise ProviderError(provider, exc.code, _error_code(exc.read())) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ProviderError(provider, 0, type(exc).__name__) from None
    return json.loads(raw) if raw else None


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class AccessGrant:
    access_token: str
    refresh_token: str | None  # Microsoft rotates refresh tokens: store the new one when given


def refresh_access(
    provider: str, token_url: str, client: OAuthClient, refresh_token: str, scope: str | None
) -> AccessGrant:
    """The OAuth 2.0 refresh-token grant (RFC 6749 section 6)."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }
    if scope:
        form["scope"] = scope
    answer = request_json(provider, "POST", token_url, form=form)
    return AccessGrant(answer["access_token"], answer.get("refresh_token"))


class OAuthClientSecrets:
    """OAuth client ids and secrets from Secrets Manager: ``{"google": {"client_id", "client_secret"},
    "microsoft": {...}}``, cached for a few minutes per process."""

    CACHE_SECONDS = 300

    def __init__(self, secretsmanager_client: Any, secret_id: str) -> None:
        self._client = secretsmanager_client
        self._secret_id = secret_id
        self._cached: dict[str, Any] | None = None
        self._fetched_at = 0.0

    def for_provider(self, provider: str, *, fresh: bool = False) -> OAuthClient | None:
        """``fresh``: read the secret now (a person connecting a calendar: the operator who has just
        filled the secret in must not wait for the cache)."""
        if fresh or self._cached is None or time.monotonic() - self._fetched_at > self.CACHE_SECONDS:
            self._cached = json.loads(self._client.get_secret_value(SecretId=self._secret_id)["SecretString"])
            self._fetched_at = time.monotonic()
        entry = self._cached.get(provider) or {}
        if not entry.get("client_id") or not entry.get("client_secret"):
            return None
        return OAuthClient(entry["client_id"], entry["client_secret"])

    def require(self, provider: str, *, fresh: bool = False) -> OAuthClient:
        """The provider's OAuth client, or NotConfigured (503) naming the secret to fill in: the
        one check every calendar OAuth use goes through (connecting, consent pages, callbacks)."""
        client = self.for_provider(provider, fresh=fresh) if self._secret_id else None
        if client is None:
            raise NotConfigured(
                f"calendar OAuth is not configured for {provider}: put its client_id and client_secret in the "
                f"CalendarOAuthClients secret ({self._secret_id or 'stack output CalendarOAuthClientsArn'}); "
                "docs/operations.md section 6",
                field="provider",
            )
        return client


class GoogleCalendarApi:
    """Calendar API v3: calendars.get (the primary calendar: the account's address), events.list
    (with sync tokens), events.watch, channels.stop."""

    def __init__(self, base_url: str, access_token: str) -> None:
        self._base = base_url.rstrip("/") + "/calendar/v3"
        self._token = access_token

    def primary_calendar(self) -> dict:
        """calendars.get("primary"): its ``id`` is the account's own email address."""
        return request_json("google", "GET", f"{self._base}/calendars/primary", token=self._token)

    def _events_url(self, calendar_id: str) -> str:
        return f"{self._base}/calendars/{urllib.parse.quote(calendar_id, safe='')}/events"

    def list_events(self, calendar_id: str, *, sync_token: str | None, time_min: str | None) -> tuple[list[dict], str]:
        """Every page of a full (``time_min``) or incremental (``sync_token``) sync; the events and
        the next sync token. A 410 (``fullSyncRequired``) is raised as ProviderError for the caller."""
        params: dict[str, str] = {"singleEvents": "true", "maxResults": "250"}
        if sync_token:
            params["syncToken"] = sync_token
        elif time_min:
            params["timeMin"] = time_min
        events: list[dict] = []
        page_token = None
        while True:
            query = {**params, **({"pageToken": page_token} if page_token else {})}
            page = request_json(
                "google", "GET", f"{self._events_url(calendar_id)}?{urllib.parse.urlencode(query)}", token=self._token
            )
            events.extend(page.get("items") or [])
            page_token = page.get("nextPageToken")
            if not page_token:
                return events, page["nextSyncToken"]

    def watch(self, calendar_id: str, *, channel_id: str, address: str, token: str, expiration_ms: int) -> dict:
        return request_json(
            "google",
            "POST",
            f"{self._events_url(calendar_id)}/watch",
            token=self._token,
            body={
                "id": channel_id,
                "type": "web_hook",
                "address": address,
                "token": token,
                "expiration": str(expiration_ms),
            },
        )

    def stop(self, channel_id: str, resource_id: str) -> None:
        request_json(
            "google",
            "POST",
            f"{self._base}/channels/stop",
            token=self._token,
            body={"id": channel_id, "resourceId": resource_id},
        )


class MicrosoftCalendarApi:
    """Microsoft Graph v1.0: subscriptions on me/events, event reads, calendar view."""

    # Times in UTC, whatever the mailbox's zone.
    _PREFER: ClassVar[dict[str, str]] = {"Prefer": 'outlook.timezone="UTC"'}

    def __init__(self, base_url: str, access_token: str) -> None:
        self._base = base_url.rstrip("/")
        self._token = access_token

    def create_subscription(self, *, resource: str, notification_url: str, client_state: str, expiration: str) -> dict:
        return request_json(
            "microsoft",
            "POST",
            f"{self._base}/subscriptions",
            token=self._token,
            # Graph calls the notification URLs back to validate them before it answers.
            timeout=30,
            body={
                "changeType": "created,updated,deleted",
                "notificationUrl": notification_url,
                "lifecycleNotificationUrl": notification_url,
                "resource": resource,
                "expirationDateTime": expiration,
                "clientState": client_state,
            },
        )

    def renew_subscription(self, subscription_id: str, expiration: str) -> dict:
        return request_json(
            "microsoft",
            "PATCH",
            f"{self._base}/subscriptions/{urllib.parse.quote(subscription_id, safe='')}",
            token=self._token,
            body={"expirationDateTime": expiration},
        )

    def delete_subscription(self, subscription_id: str) -> None:
        request_json(
            "microsoft",
            "DELETE",
            f"{self._base}/subscriptions/{urllib.parse.quote(subscription_id, safe='')}",
            token=self._token,
        )

    def me(self) -> dict:
        return request_json("microsoft", "GET", f"{self._base}/me?$select=mail,userPrincipalName", token=self._token)

    def get_event(self, event_id: str) -> dict | None:
        """The event now; None when it no longer exists (deleted)."""
        try:
            return request_json(
                "microsoft",
                "GET",
                f"{self._base}/me/events/{urllib.parse.quote(event_id, safe='')}",
                token=self._token,
                headers=self._PREFER,
            )
        except ProviderError as exc:
            if exc.status == 404:
                return None
            raise

    def calendar_view(self, calendar_path: str, start: str, end: str) -> list[dict]:
        """Every event occurring between ``start`` and ``end`` (following @odata.nextLink)."""
        url: str | None = f"{self._base}/{calendar_path}/calendarView?" + urllib.parse.urlencode(
            {"startDateTime": start, "endDateTime": end, "$top": "100"}
        )
        events: list[dict] = []
        while url:
            page = request_json("microsoft", "GET", url, token=self._token, headers=self._PREFER)
            events.extend(page.get("value") or [])
            url = page.get("@odata.nextLink")
        return events
