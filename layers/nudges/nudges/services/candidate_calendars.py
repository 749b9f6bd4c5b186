"""Candidates' own calendars (Google Calendar, Microsoft 365): connect, be told, sync, renew.

Webhooks only verify and hand off: each accepted notification becomes a job on the calendar
sync queue, and the sync function does the provider calls (token refresh, events list or event
fetch) and applies what it finds through BookingService, like every other source. Jobs are
idempotent (they read the calendar as it is now), so a duplicate or late notification changes
nothing that a newer one already said.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from nudges.adapters.calendar_apis import ProviderError
from nudges.adapters.calendar_connections import CalendarConnection
from nudges.domain.booking import BookingChange
from nudges.domain.calendars import GOOGLE, MICROSOFT
from nudges.domain.candidate import own_addresses
from nudges.domain.interview import interview_id_for
from nudges.errors import InvalidInput, NotConfigured, NotFound, NudgesError, Unauthorized
from nudges.models.calendar_events import EventReading
from nudges.observability import logger
from nudges.services.addresses import interviews_of
from nudges.services.calendar_providers import SYNC_LOOKBACK
from nudges.services.calendar_providers import CalendarSettings as CalendarSettings
from nudges.services.calendar_providers import providers as all_providers
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.calendar_apis import OAuthClient, OAuthClientSecrets
    from nudges.adapters.calendar_connections import CalendarConnections, Provider
    from nudges.domain.candidate import Candidate
    from nudges.models.calendar_events import CalendarConnect, MicrosoftNotifications
    from nudges.services.bookings import BookingService
    from nudges.services.calendar_providers import CalendarProvider
    from nudges.services.ports import Candidates, Interviews

# The renewal function runs every few hours; anything expiring within this is renewed.
RENEWAL_MARGIN = timedelta(hours=24)

JobAction = Literal["sync", "full_sync", "event", "renew", "resubscribe"]


class ProviderUnavailable(NudgesError):
    status_code = 502


@dataclass(frozen=True)
class SyncJob:
    candidate_id: str
    provider: Provider
    calendar_id: str
    action: JobAction
    event_id: str | None = None

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v is not None}, sort_keys=True)

    @classmethod
    def from_json(cls, body: str) -> SyncJob:
        data = json.loads(body)
        return cls(
            candidate_id=data["candidate_id"],
            provider=data["provider"],
            calendar_id=data["calendar_id"],
            action=data["action"],
            event_id=data.get("event_id"),
        )


class SyncQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._url = queue_url

    def send(self, jobs: list[SyncJob]) -> None:
        for start in range(0, len(jobs), 10):
            batch = jobs[start : start + 10]
            entries = [{"Id": str(i), "MessageBody": job.to_json()} for i, job in enumerate(batch)]
            failed = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries).get("Failed") or []
            if failed:
                raise RuntimeError(f"{len(failed)} sync jobs were not queued")


def _same(given: str | None, expected: str | None) -> bool:
    """Constant-time equality that is False when either side is missing."""
    return hmac.compare_digest((given or "").encode(), (expected or "").encode()) and bool(given) and bool(expected)


class CalendarService:
    def __init__(
        self,
        candidates: Candidates,
        interviews: Interviews,
        calendars: CalendarConnections,
        bookings: BookingService,
        queue: SyncQueue,
        oauth: OAuthClientSecrets,
        settings: CalendarSettings,
        providers: dict[str, CalendarProvider] | None = None,  # default: every one (calendar_providers)
    ) -> None:
        self._candidates = candidates
        self._interviews = interviews
        self._calendars = calendars
        self._bookings = bookings
        self._queue = queue
        self._oauth = oauth
        self._settings = settings
        # By name: every per-provider call goes there (a test hands in its own).
        self._providers = providers or all_providers(settings, calendars)

    def provider(self, name: str) -> CalendarProvider:
        return self._providers[name]

    # ------------------------------------------------------------------ access
    def oauth_client(self, provider: str, *, fresh: bool = False) -> OAuthClient:
        """The operator's OAuth client for the provider: the one check every route that needs it
        makes (NotConfigured, a 503 naming the secret to fill in, never a 500)."""
        return self._oauth.require(provider, fresh=fresh)

    def _access(self, provider: str, refresh_token: str, *, fresh: bool = False) -> tuple[str, str | None]:
        """An access token (and a rotated refresh token, if the provider gave one)."""
        grant = self.provider(provider).refresh(self.oauth_client(provider, fresh=fresh), refresh_token)
        rotated = grant.refresh_token if grant.refresh_token and grant.refresh_token != refresh_token else None
        return grant.access_token, rotated

    def _connection_access(self, connection: CalendarConnection) -> tuple[str, CalendarConnection]:
        access, rotated = self._access(connection.provider, connection.refresh_token)
        if rotated:
            connection = self._calendars.set_refresh_token(connection, rotated)
        return access, connection

    # ------------------------------------------------------------------ connect
    def connect(self, candidate_id: str, request: CalendarConnect, base_url: str, now: datetime) -> CalendarConnection:
        if self._candidates.get(candidate_id) is None:
            raise NotFound(f"no candidate {candidate_id}", field="candidate_id")
        provider = request.provider
        try:
            access, rotated = self._access(provider, request.refresh_token, fresh=True)  # a connect: rare
        except ProviderError as exc:
            if exc.status in (400, 401):
                raise InvalidInput(
                    f"refresh_token: {provider} refused it ({exc.code or exc.status})", field="refresh_token"
                ) from None
            raise ProviderUnavailable(str(exc), dependency=provider) from None
        previous = self._calendars.get(candidate_id, provider, request.calendar_id)
        connection = CalendarConnection(
            candidate_id=candidate_id,
            provider=provider,
            calendar_id=request.calendar_id,
            refresh_token=rotated or request.refresh_token,
            connected_at=now,
            callback_url=f"{base_url.rstrip('/')}/webhooks/{provider}",
        )
        try:
            account_email = self.provider(provider).account_email(access)
            if account_email is not None:
                connection = replace(connection, account_email=account_email)
            connection = self.provider(provider).open_watch(connection, access, now)
        except ProviderError as exc:
            if exc.status == 404:
                raise InvalidInput(
                    f"calendar_id: {provider} has no calendar {request.calendar_id}", field="calendar_id"
                ) from None
            raise ProviderUnavailable(str(exc), dependency=provider) from None
        self._calendars.save(connection)
        if previous and previous.watch_id:
            self._close_watch(previous, access)
        self._queue.send([self._job(connection, "full_sync")])
        logger.info(
            "calendar connected",
            extra={
                "candidate_id": candidate_id,
                "provider": provider,
                "watch_expires": iso(connection.watch_expires or now),
            },
        )
        return connection

    def _learn_account(self, connection: CalendarConnection, access: str) -> CalendarConnection:
        """The account's address for a connection made before it was asked for at connect time."""
        try:
            account_email = self.provider(connection.provider).account_email(access)
        except ProviderError as exc:
            logger.info("calendar account not read", extra={"provider": connection.provider, "status": exc.status})
            return connection
        return self._calendars.set_account_email(connection, account_email) if account_email else connection

    @staticmethod
    def _job(connection: CalendarConnection, action: JobAction, event_id: str | None = None) -> SyncJob:
        return SyncJob(connection.candidate_id, connection.provider, connection.calendar_id, action, event_id)

    # ------------------------------------------------------------------ erasure
    def connections(self, candidate_id: str) -> list[CalendarConnection]:
        return self._calendars.connections(candidate_id)

    def disconnect(self, candidate_id: str, provider: str, calendar_id: str) -> bool:
        """Stop watching one calendar: ours first (the connection and its watch), then the watch
        at the provider (best effort, as at erasure). False if it was not connected."""
        connection = self._calendars.get(candidate_id, provider, calendar_id)
        if connection is None:
            return False
        self._calendars.delete(connection)
        logger.info("calendar disconnected", extra={"candidate_id": candidate_id, "provider": provider})
        self.stop_watches([connection])
        return True

    def stop_watches(self, connections: list[CalendarConnection]) -> None:
        """Stop an erased candidate's Google channels and Graph subscriptions at the provider,
        with the refresh tokens read before the erasure. Best effort: a watch the provider no
        longer knows (404/410) is done with; one it cannot stop now (an outage, a revoked grant)
        lapses by itself at its expiry (Google at most 7 days, Graph about 3), and until then
        its notifications find no watch here and are refused (401)."""
        for connection in connections:
            if not connection.watch_id:
                continue
            facts: dict[str, Any] = {"provider": connection.provider}
            try:
                access, _ = self._access(connection.provider, connection.refresh_token)
                self.provider(connection.provider).stop_watch(connection, access)
            except ProviderError as exc:
                facts.update(status=exc.status, error=exc.code)
                if exc.status in (404, 410):
                    logger.info("calendar watch already gone at the provider", extra=facts)
                else:
                    expires = iso(connection.watch_expires) if connection.watch_expires else None
                    logger.warning("calendar watch not stopped at the provider", extra={**facts, "lapses_at": expires})
                continue
            except (ProviderUnavailable, NotConfigured) as exc:
                logger.warning("calendar watch not stopped at the provider", extra={**facts, "error": str(exc)})
                continue
            logger.info("calendar watch stopped at the provider", extra=facts)

    def _close_watch(self, connection: CalendarConnection, access: str) -> None:
        """Stop an old channel / delete an old subscription; gone already is fine."""
        assert connection.watch_id
        try:
            self.provider(connection.provider).stop_watch(connection, access)
        except ProviderError as exc:
            if exc.status != 404:
                logger.warning("old watch not stopped", extra={"provider": connection.provider, "error": str(exc)})
        self._calendars.delete_watch(connection.provider, connection.watch_id)

    # ------------------------------------------------------------------ notifications
    def google_notification(self, headers: dict[str, str]) -> str:
        """Verify a push notification against its channel; queue a sync for ``exists``."""
        channel_id = headers.get("x-goog-channel-id")
        watch = self._calendars.get_watch(GOOGLE.name, channel_id) if channel_id else None
        state = headers.get("x-goog-resource-state")
        token_ok = _same(headers.get("x-goog-channel-token"), watch.secret if watch else None)
        if watch and watch.resource_id is None:
            # The channel is being opened: only its own "sync" message can come before its resource id.
            resource_ok = state == "sync" and bool(headers.get("x-goog-resource-id"))
        else:
            resource_ok = _same(headers.get("x-goog-resource-id"), watch.resource_id if watch else None)
        if not (watch and token_ok and resource_ok):
            raise Unauthorized("unknown Google channel or bad channel token")
        if state == "sync":
            return "ignored"
        if state not in ("exists", "not_exists"):
            raise InvalidInput(f"unknown X-Goog-Resource-State {state!r}", field="X-Goog-Resource-State")
        self._queue.send([SyncJob(watch.candidate_id, GOOGLE.name, watch.calendar_id, "sync")])
        return "queued"

    def microsoft_notifications(self, notifications: MicrosoftNotifications) -> int:
        """Verify every notification's clientState first (all or nothing), then queue their jobs."""
        jobs: list[SyncJob] = []
        for item in notifications.value:
            watch = self._calendars.get_watch(MICROSOFT.name, item.subscriptionId)
            if not (watch and _same(item.clientState, watch.secret)):
                raise Unauthorized("unknown subscription or bad clientState")
            job = SyncJob(watch.candidate_id, MICROSOFT.name, watch.calendar_id, "sync")
            if item.lifecycleEvent == "reauthorizationRequired":
                jobs.append(replace(job, action="renew"))
            elif item.lifecycleEvent == "subscriptionRemoved":
                jobs.append(replace(job, action="resubscribe"))
            elif item.lifecycleEvent == "missed":
                jobs.append(replace(job, action="full_sync"))
            else:
                event_id = (item.resourceData.id if item.resourceData else None) or (item.resource or "").rsplit(
                    "/", 1
                )[-1]
                if not event_id:
                    raise InvalidInput("value: a change notification without resourceData.id", field="value")
                jobs.append(replace(job, action="event", event_id=event_id))
        self._queue.send(jobs)
        return len(jobs)

    # ------------------------------------------------------------------ jobs
    def run(self, job: SyncJob, now: datetime) -> None:
        connection = self._calendars.get(job.candidate_id, job.provider, job.calendar_id)
        candidate = self._candidates.get(job.candidate_id)
        if connection is None or candidate is None:
            logger.info("calendar job for a connection that is gone", extra={"action": job.action})
            return
        access, connection = self._connection_access(connection)
        if connection.account_email is None and job.action in ("full_sync", "renew", "resubscribe"):
            # A connection made before its address was asked for: learnt on a full sync or a
            # renewal (rare), not on every notification.
            connection = self._learn_account(connection, access)
        if job.action == "renew":
            self._renew(connection, access, now)
        elif job.action == "resubscribe":
            self._resubscribe(connection, access, now)
            self._sync(connection, candidate, access, now, full=True)
        else:
            event_id = job.event_id if job.action == "event" else None
            self._sync(connection, candidate, access, now, full=job.action == "full_sync", event_id=event_id)

    def _sync(
        self,
        connection: CalendarConnection,
        candidate: Candidate,
        access: str,
        now: datetime,
        *,
        full: bool,
        event_id: str | None = None,
    ) -> None:
        """Read the calendar (what changed, one event, or all of it) and apply what it shows; after
        a read of the whole calendar, interviews from it that it no longer shows are stopped."""
        # Every address of the candidate's is theirs, this calendar's and the others' they connected.
        connected = self._calendars.account_emails(candidate.candidate_id)
        own = own_addresses(candidate, connected=[connection.account_email, *connected])
        found = self.provider(connection.provider).read(
            connection, candidate, access, now, full=full, event_id=event_id, own=own
        )
        seen = set()
        for reading in found.readings:
            seen.add(reading.ref)
            self._apply(connection, reading, now)
        if found.complete:
            for interview in interviews_of(self._interviews, candidate):
                if (
                    interview.source == connection.provider
                    and interview.status == "scheduled"
                    and interview.end > now - SYNC_LOOKBACK
                    and interview.source_ref not in seen
                ):
                    self._apply(connection, EventReading(interview.source_ref, None, None), now)
        if found.sync_token:
            self._calendars.set_sync_token(connection, found.sync_token)
        if found.complete:
            logger.info("calendar fully synced", extra={"provider": connection.provider, "events": len(found.readings)})

    def _apply(self, connection: CalendarConnection, reading: EventReading, now: datetime) -> None:
        source = connection.provider
        if reading.interview is not None:
            try:
                self._bookings.apply(BookingChange("booked", reading.interview), now)
            except InvalidInput as exc:
                # An event no interview can be (year 9999, 500 guests): skipped, the sync goes on.
                logger.info("calendar event out of bounds skipped", extra={"provider": source, "reason": exc.message})
            return
        # Not (or no longer) an interview: stop it if it was one.
        interview_id = self._interviews.for_source(source, reading.ref) or interview_id_for(source, reading.ref)
        found = self._interviews.get(interview_id)
        if found is None or found[0].status == "cancelled":
            return
        told = replace(found[0], updated_at=reading.updated_at or now)
        self._bookings.apply(BookingChange("cancelled", told), now)

    # ------------------------------------------------------------------ renewal
    def renew_due(self, now: datetime) -> dict[str, int]:
        """Renew every watch expiring within the margin; one failure does not stop the others."""
        renewed = failed = 0
        for connection in self._calendars.due_for_renewal(now + RENEWAL_MARGIN):
            try:
                access, connection = self._connection_access(connection)
                self._renew(connection, access, now)
                renewed += 1
            except Exception:
                failed += 1
                logger.exception("calendar watch renewal failed", extra={"provider": connection.provider})
        logger.info("calendar watches renewed", extra={"renewed": renewed, "failed": failed})
        return {"renewed": renewed, "failed": failed}

    def _renew(self, connection: CalendarConnection, access: str, now: datetime) -> CalendarConnection:
        """Extend the watch (Graph), or open a new one and stop the old (Google; a Graph
        subscription that is gone, then read afresh)."""
        renewal = self.provider(connection.provider).renew(connection, access, now)
        self._calendars.save(renewal.connection)
        if renewal.replaced and connection.watch_id:
            self._close_watch(connection, access)
        if renewal.full_sync:
            self._queue.send([self._job(renewal.connection, "full_sync")])
        return renewal.connection

    def _resubscribe(self, connection: CalendarConnection, access: str, now: datetime) -> CalendarConnection:
        fresh = self.provider(connection.provider).open_watch(connection, access, now)
        self._calendars.save(fresh)
        if connection.watch_id:
            self._close_watch(connection, access)
        return fresh
