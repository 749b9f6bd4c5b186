"""Each calendar provider once, behind one protocol: token refresh, opening and stopping a watch
(a Google channel, a Graph subscription), renewing it, and reading the calendar. The calendar
service (services/candidate_calendars.py) holds them by name and never asks which one it has.

Adding a provider: a class here with :class:`CalendarProvider`'s methods, listed in
``providers``; its API client in ``adapters/calendar_apis.py``; its event reader in
``models/calendar_events.py``; its webhook route (the notification's own shape) in
``CalendarService`` and ``functions/calendar_webhook``; its record (name, label, the consent's
scopes and URLs) in ``domain/calendars.py``, which every list of providers and the consent read.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from nudges.adapters.calendar_apis import GoogleCalendarApi, MicrosoftCalendarApi, ProviderError, refresh_access
from nudges.adapters.calendar_connections import Watch
from nudges.domain.calendars import GOOGLE, MICROSOFT, CalendarProviderName
from nudges.models.calendar_events import EventReading, read_google_event, read_microsoft_event
from nudges.observability import logger
from nudges.timefmt import iso

if TYPE_CHECKING:
    import re

    from nudges.adapters.calendar_apis import AccessGrant, OAuthClient
    from nudges.adapters.calendar_connections import CalendarConnection, CalendarConnections
    from nudges.domain.candidate import Candidate

GOOGLE_CHANNEL_TTL = timedelta(days=7)
# Graph: a subscription on Outlook events lives at most 4,230 minutes; ask for a little less.
MICROSOFT_SUBSCRIPTION_TTL = timedelta(minutes=4230 - 30)
# A full sync reads this far back (a thank-you is due after an interview ends) and, for Graph's
# calendar view, this far ahead.
SYNC_LOOKBACK = timedelta(days=2)
SYNC_LOOKAHEAD = timedelta(days=365)
MICROSOFT_SCOPE = MICROSOFT.scope  # nudges.domain.calendars


@dataclass(frozen=True)
class CalendarSettings:
    google_api_base_url: str
    google_token_url: str
    microsoft_api_base_url: str
    microsoft_token_url: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Reading:
    """What one read of a calendar found: its events as readings; whether it was the whole
    calendar (then interviews it no longer shows are stopped); the sync token to keep."""

    readings: list[EventReading]
    complete: bool
    sync_token: str | None = None


@dataclass(frozen=True)
class Renewal:
    connection: CalendarConnection
    replaced: bool  # a new watch was opened: the old one is to be stopped
    full_sync: bool = False  # the watch was lost: read the calendar afresh


class CalendarProvider(Protocol):
    name: CalendarProviderName

    def refresh(self, client: OAuthClient, refresh_token: str) -> AccessGrant: ...
    def account_email(self, access: str) -> str | None: ...
    def open_watch(self, connection: CalendarConnection, access: str, now: datetime) -> CalendarConnection: ...
    def stop_watch(self, connection: CalendarConnection, access: str) -> None: ...
    def renew(self, connection: CalendarConnection, access: str, now: datetime) -> Renewal: ...
    def read(
        self,
        connection: CalendarConnection,
        candidate: Candidate,
        access: str,
        now: datetime,
        *,
        full: bool,
        event_id: str | None = None,
        own: frozenset[str] = frozenset(),
    ) -> Reading: ...


class GoogleCalendar:
    """Google Calendar: push channels (they cannot be extended: renewing opens a new one) and
    incremental reads with a sync token."""

    name = GOOGLE.name

    def __init__(self, settings: CalendarSettings, calendars: CalendarConnections) -> None:
        self._settings = settings
        self._calendars = calendars

    def _api(self, access: str) -> GoogleCalendarApi:
        return GoogleCalendarApi(self._settings.google_api_base_url, access)

    def refresh(self, client: OAuthClient, refresh_token: str) -> AccessGrant:
        return refresh_access(self.name, self._settings.google_token_url, client, refresh_token, None)

    def account_email(self, access: str) -> str | None:
        """The account's own address: the primary calendar's id, which Google makes the account's
        email (calendars.get, allowed by the calendar.readonly scope the candidate granted)."""
        try:
            found = self._api(access).primary_calendar().get("id")
        except ProviderError as exc:
            if exc.status in (403, 404):  # a calendar-only grant that cannot see it: not known
                return None
            raise
        return found if isinstance(found, str) and "@" in found else None

    def open_watch(self, connection: CalendarConnection, access: str, now: datetime) -> CalendarConnection:
        channel_id = str(uuid.uuid4())
        token = secrets.token_urlsafe(32)
        expires = now + GOOGLE_CHANNEL_TTL
        watch = Watch(self.name, channel_id, connection.candidate_id, connection.calendar_id, token, None)
        # Stored first: Google sends its "sync" message as soon as the channel exists.
        self._calendars.put_watch(watch, expires)
        channel = self._api(access).watch(
            connection.calendar_id,
            channel_id=channel_id,
            address=connection.callback_url,
            token=token,
            expiration_ms=int(expires.timestamp() * 1000),
        )
        if channel.get("expiration"):
            expires = datetime.fromtimestamp(int(channel["expiration"]) / 1000, UTC)
        watch = replace(watch, resource_id=channel["resourceId"])
        self._calendars.put_watch(watch, expires)
        return replace(
            connection,
            watch_id=channel_id,
            watch_secret=token,
            resource_id=channel["resourceId"],
            watch_expires=expires,
        )

    def stop_watch(self, connection: CalendarConnection, access: str) -> None:
        assert connection.watch_id
        self._api(access).stop(connection.watch_id, connection.resource_id or "")

    def renew(self, connection: CalendarConnection, access: str, now: datetime) -> Renewal:
        return Renewal(self.open_watch(connection, access, now), replaced=True)

    def read(
        self,
        connection: CalendarConnection,
        candidate: Candidate,
        access: str,
        now: datetime,
        *,
        full: bool,
        event_id: str | None = None,
        own: frozenset[str] = frozenset(),
    ) -> Reading:
        api, pattern = self._api(access), self._settings.pattern
        if not full and connection.sync_token:
            try:
                events, token = api.list_events(connection.calendar_id, sync_token=connection.sync_token, time_min=None)
                return Reading([read_google_event(e, candidate, pattern, own) for e in events], False, token)
            except ProviderError as exc:
                if exc.status != 410:
                    raise
                logger.info("Google sync token expired: full sync", extra={"candidate_id": connection.candidate_id})
        events, token = api.list_events(connection.calendar_id, sync_token=None, time_min=iso(now - SYNC_LOOKBACK))
        return Reading([read_google_event(e, candidate, pattern, own) for e in events], True, token)


def _microsoft_calendar_path(calendar_id: str) -> str:
    return "me" if calendar_id == "primary" else f"me/calendars/{calendar_id}"


def _graph_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class MicrosoftCalendar:
    """Microsoft 365 through Graph: subscriptions (renewed in place; one that is gone is made
    anew) and reads of one changed event or of the calendar view."""

    name = MICROSOFT.name

    def __init__(self, settings: CalendarSettings, calendars: CalendarConnections) -> None:
        self._settings = settings
        self._calendars = calendars

    def _api(self, access: str) -> MicrosoftCalendarApi:
        return MicrosoftCalendarApi(self._settings.microsoft_api_base_url, access)

    def refresh(self, client: OAuthClient, refresh_token: str) -> AccessGrant:
        return refresh_access(self.name, self._settings.microsoft_token_url, client, refresh_token, MICROSOFT_SCOPE)

    def account_email(self, access: str) -> str | None:
        me = self._api(access).me()
        return me.get("mail") or me.get("userPrincipalName")

    def open_watch(self, connection: CalendarConnection, access: str, now: datetime) -> CalendarConnection:
        client_state = secrets.token_urlsafe(32)
        path = _microsoft_calendar_path(connection.calendar_id)
        subscription = self._api(access).create_subscription(
            resource=f"{path}/events",
            notification_url=connection.callback_url,
            client_state=client_state,
            expiration=iso(now + MICROSOFT_SUBSCRIPTION_TTL),
        )
        expires = _graph_time(subscription["expirationDateTime"])
        watch = Watch(
            self.name, subscription["id"], connection.candidate_id, connection.calendar_id, client_state, None
        )
        self._calendars.put_watch(watch, expires)
        return replace(connection, watch_id=subscription["id"], watch_secret=client_state, watch_expires=expires)

    def stop_watch(self, connection: CalendarConnection, access: str) -> None:
        assert connection.watch_id
        self._api(access).delete_subscription(connection.watch_id)

    def renew(self, connection: CalendarConnection, access: str, now: datetime) -> Renewal:
        assert connection.watch_id
        try:
            answer = self._api(access).renew_subscription(connection.watch_id, iso(now + MICROSOFT_SUBSCRIPTION_TTL))
        except ProviderError as exc:
            if exc.status != 404:
                raise
            # Gone: make a new one and read afresh.
            return Renewal(self.open_watch(connection, access, now), replaced=True, full_sync=True)
        expires = _graph_time(answer["expirationDateTime"])
        watch = Watch(
            self.name,
            connection.watch_id,
            connection.candidate_id,
            connection.calendar_id,
            connection.watch_secret or "",
            None,
        )
        self._calendars.put_watch(watch, expires)
        return Renewal(replace(connection, watch_expires=expires), replaced=False)

    def read(
        self,
        connection: CalendarConnection,
        candidate: Candidate,
        access: str,
        now: datetime,
        *,
        full: bool,
        event_id: str | None = None,
        own: frozenset[str] = frozenset(),
    ) -> Reading:
        api, pattern, account = self._api(access), self._settings.pattern, connection.account_email
        if event_id and not full:
            data = api.get_event(event_id)
            reading = (
                read_microsoft_event(data, candidate, account, pattern, own)
                if data
                else EventReading(event_id, None, None)
            )
            return Reading([reading], False)
        path = _microsoft_calendar_path(connection.calendar_id)
        events = api.calendar_view(path, iso(now - SYNC_LOOKBACK), iso(now + SYNC_LOOKAHEAD))
        return Reading([read_microsoft_event(e, candidate, account, pattern, own) for e in events], True)


PROVIDER_NAMES = (GoogleCalendar.name, MicrosoftCalendar.name)


def providers(settings: CalendarSettings, calendars: CalendarConnections) -> dict[str, CalendarProvider]:
    """Every calendar provider, by the name used in routes, keys and logs."""
    return {p.name: p for p in (GoogleCalendar(settings, calendars), MicrosoftCalendar(settings, calendars))}
