"""In-memory fakes for the services that the repositories' fakes do not cover: the consent
records, calendar connections, the calendar sync queue, a calendar provider, the OAuth client
secrets and a booking sink. Each keeps the promise its real counterpart keeps (a YES is kept
once, a watch is found by provider and id), so the service tests need no AWS emulator."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.adapters.calendar_apis import AccessGrant, OAuthClient
from nudges.domain.channels import phone_key
from nudges.domain.interview import normalise_email
from nudges.services.calendar_providers import Reading, Renewal

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.calendar_connections import CalendarConnection, Watch
    from nudges.adapters.oauth_states import PendingConsent
    from nudges.domain.booking import BookingChange
    from nudges.domain.candidate import Candidate, Consent
    from nudges.models.calendar_events import EventReading
    from nudges.services.calendar_providers import CalendarProvider
    from nudges.services.candidate_calendars import SyncJob
    from tests.fakes.repositories import FakeCandidates, FakePreferences


class FakeConsent:
    """The consent records (adapters.consent.ConsentStore): phone pointers, YES, resubscribe."""

    def __init__(self, candidates: FakeCandidates, preferences: FakePreferences | None = None) -> None:
        self._candidates = candidates
        self._preferences = preferences
        self.pointers: dict[str, set[str]] = {}

    def point(self, candidate: Candidate) -> None:
        if candidate.phone:
            self.pointers.setdefault(phone_key(candidate.phone), set()).add(candidate.candidate_id)

    def candidates_for_phone(self, phone_hash: str) -> list[str]:
        return sorted(self.pointers.get(phone_hash, set()))

    def record_sms_yes(self, candidate: Candidate, consent: Consent) -> bool:
        stored = self._candidates.get(candidate.candidate_id)
        if stored is None or stored.sms_yes is not None:
            return False
        self._candidates.update(replace(stored, sms_yes=consent))
        return True

    def move_phone(self, candidate: Candidate, old_phone: str | None, now: datetime) -> None:
        if old_phone:
            self.pointers.get(phone_key(old_phone), set()).discard(candidate.candidate_id)
        self.point(candidate)

    def resubscribe_email(self, email: str) -> bool:
        """Only an unsubscribe of the candidate's own is lifted (never a bounce or a complaint)."""
        if self._preferences is None:
            return False
        address = normalise_email(email)
        if self._preferences.suppressed.get(address) != "unsubscribed":
            return False
        del self._preferences.suppressed[address]
        return True


class FakeCalendarConnections:
    def __init__(self) -> None:
        self.items: dict[str, CalendarConnection] = {}
        self.watches: dict[tuple[str, str], tuple[Watch, datetime]] = {}

    def save(self, connection: CalendarConnection) -> None:
        self.items[connection.key] = connection

    def get(self, candidate_id: str, provider: str, calendar_id: str) -> CalendarConnection | None:
        return self.items.get(f"{candidate_id}#{provider}#{calendar_id}")

    def connections(self, candidate_id: str) -> list[CalendarConnection]:
        return [c for c in self.items.values() if c.candidate_id == candidate_id]

    def account_emails(self, candidate_id: str) -> list[str]:
        return [c.account_email for c in self.connections(candidate_id) if c.account_email]

    def set_account_email(self, connection: CalendarConnection, account_email: str) -> CalendarConnection:
        updated = replace(self.items.get(connection.key, connection), account_email=account_email)
        self.items[connection.key] = updated
        return updated

    def delete(self, connection: CalendarConnection) -> None:
        self.items.pop(connection.key, None)
        if connection.watch_id:
            self.delete_watch(connection.provider, connection.watch_id)

    def set_sync_token(self, connection: CalendarConnection, sync_token: str) -> CalendarConnection:
        updated = replace(self.items.get(connection.key, connection), sync_token=sync_token)
        self.items[connection.key] = updated
        return updated

    def set_refresh_token(self, connection: CalendarConnection, refresh_token: str) -> CalendarConnection:
        updated = replace(self.items.get(connection.key, connection), refresh_token=refresh_token)
        self.items[connection.key] = updated
        return updated

    def due_for_renewal(self, before: datetime) -> list[CalendarConnection]:
        return [c for c in self.items.values() if c.watch_expires is not None and c.watch_expires <= before]

    def put_watch(self, watch: Watch, expires: datetime) -> None:
        self.watches[(watch.provider, watch.watch_id)] = (watch, expires)

    def get_watch(self, provider: str, watch_id: str) -> Watch | None:
        found = self.watches.get((provider, watch_id))
        return found[0] if found else None

    def delete_watch(self, provider: str, watch_id: str) -> None:
        self.watches.pop((provider, watch_id), None)


class FakeQueue:
    def __init__(self) -> None:
        self.jobs: list[SyncJob] = []

    def send(self, jobs: list[SyncJob]) -> None:
        self.jobs += jobs


class FakeOAuth:
    def require(self, provider: str, *, fresh: bool = False) -> OAuthClient:
        return OAuthClient(f"{provider}-client", "secret")

    def for_provider(self, provider: str, *, fresh: bool = False) -> OAuthClient | None:
        return self.require(provider)


class FakeBookings:
    """BookingService's one method the calendar sync calls: what it was told, in order."""

    def __init__(self) -> None:
        self.applied: list[BookingChange] = []

    def apply(self, change: BookingChange, now: datetime) -> Any:
        self.applied.append(change)
        return change.interview


@dataclass
class FakeCalendarProvider:
    """A provider whose calendar is a list of readings; it counts what was asked of it."""

    name: str
    connections: FakeCalendarConnections
    readings: list[EventReading] = field(default_factory=list)
    rotate_to: str | None = None  # the refresh token the next refresh hands back
    watches_opened: int = 0
    stopped: list[str] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)
    owns: list[frozenset[str]] = field(default_factory=list)  # the candidate's addresses each read was given
    renew_replaces: bool = True

    def refresh(self, client: OAuthClient, refresh_token: str) -> AccessGrant:
        return AccessGrant(f"access-for-{refresh_token}", self.rotate_to)

    def account_email(self, access: str) -> str | None:
        return f"owner@{self.name}.example"

    def open_watch(self, connection: CalendarConnection, access: str, now: datetime) -> CalendarConnection:
        from nudges.adapters.calendar_connections import Watch

        self.watches_opened += 1
        watch_id = f"{self.name}-watch-{self.watches_opened}"
        expires = now + timedelta(days=7)
        self.connections.put_watch(
            Watch(self.name, watch_id, connection.candidate_id, connection.calendar_id, "secret", None),  # type: ignore[arg-type]
            expires,
        )
        return replace(connection, watch_id=watch_id, watch_secret="secret", watch_expires=expires)

    def stop_watch(self, connection: CalendarConnection, access: str) -> None:
        assert connection.watch_id
        self.stopped.append(connection.watch_id)

    def renew(self, connection: CalendarConnection, access: str, now: datetime) -> Renewal:
        if self.renew_replaces:
            return Renewal(self.open_watch(connection, access, now), replaced=True)
        return Renewal(replace(connection, watch_expires=now + timedelta(days=3)), replaced=False)

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
        self.reads.append({"full": full, "event_id": event_id})
        self.owns.append(own)
        return Reading(list(self.readings), complete=full, sync_token="next-token")


class FakeOAuthStates:
    """Consent states, each taken once (adapters.oauth_states.OAuthStates)."""

    def __init__(self) -> None:
        self.pending: dict[str, PendingConsent] = {}

    def put(self, state: str, pending: PendingConsent) -> None:
        self.pending[state] = pending

    def take(self, state: str) -> PendingConsent | None:
        return self.pending.pop(state, None)


if TYPE_CHECKING:  # mypy checks each fake keeps its Protocol's shape
    from nudges.services import ports

    _provider: CalendarProvider = FakeCalendarProvider("google", FakeCalendarConnections())
    _consent: ports.PhoneConsent = FakeConsent(FakeCandidates())
