"""Candidates' own calendar connections (Google watch channels, Microsoft subscriptions) in the
nudges table: a connection under its candidate's key, a watch item per channel (keys in ``keys``).

A connection holds the candidate's refresh token (the table is KMS-encrypted and only the
calendar functions may read it; it is never logged or returned) and the current watch: the
Google channel or Microsoft subscription id, its secret (channel token / clientState), its expiry
and, for Google, the sync token. The watch item lets a notification find its connection and
its secret with one GetItem. Renewal finds connections by expiry on GSI1 with one Query.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, dynamo_key, plain
from nudges.domain.calendars import CalendarProviderName
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime

Provider = CalendarProviderName  # nudges.domain.calendars


@dataclass(frozen=True)
class CalendarConnection:
    candidate_id: str
    provider: Provider
    calendar_id: str
    refresh_token: str
    connected_at: datetime
    callback_url: str  # where the provider posts notifications (PUBLIC_BASE_URL/webhooks/<provider>)
    account_email: str | None = None  # the calendar owner's own address, as the provider knows it
    watch_id: str | None = None
    watch_secret: str | None = None
    resource_id: str | None = None
    watch_expires: datetime | None = None
    sync_token: str | None = None

    @property
    def key(self) -> str:
        return f"{self.candidate_id}#{self.provider}#{self.calendar_id}"

    def __repr__(self) -> str:  # never print the secrets
        return f"CalendarConnection({self.key}, watch={self.watch_id}, expires={self.watch_expires})"


@dataclass(frozen=True)
class Watch:
    """What a notification is checked against."""

    provider: Provider
    watch_id: str
    candidate_id: str
    calendar_id: str
    secret: str
    resource_id: str | None

    def __repr__(self) -> str:
        return f"Watch({self.provider}, {self.watch_id})"


class CalendarConnections(DynamoTable):
    # ------------------------------------------------------------------ connections
    def save(self, connection: CalendarConnection) -> None:
        expires = connection.watch_expires
        pk, sk = keys.calendar(connection.candidate_id, connection.provider, connection.calendar_id)
        self._put(
            {
                "PK": pk,
                "SK": sk,
                "GSI1PK": keys.shard(keys.RENEWAL, connection.key) if expires else None,
                "GSI1SK": f"{iso(expires)}#{connection.key}" if expires else None,
                "candidate_id": connection.candidate_id,
                "provider": connection.provider,
                "calendar_id": connection.calendar_id,
                "refresh_token": connection.refresh_token,
                "connected_at": iso(connection.connected_at),
                "callback_url": connection.callback_url,
                "account_email": connection.account_email,
                "watch_id": connection.watch_id,
                "watch_secret": connection.watch_secret,
                "resource_id": connection.resource_id,
                "watch_expires": iso(expires) if expires else None,
                "watch_key": keys.watch(connection.provider, connection.watch_id)[0] if connection.watch_id else None,
                "sync_token": connection.sync_token,
            }
        )

    @staticmethod
    def _connection(data: dict[str, Any]) -> CalendarConnection:
        return CalendarConnection(
            candidate_id=data["candidate_id"],
            provider=data["provider"],
            calendar_id=data["calendar_id"],
            refresh_token=data["refresh_token"],
            connected_at=parse_iso(data["connected_at"]),
            callback_url=data["callback_url"],
            account_email=data.get("account_email"),
            watch_id=data.get("watch_id"),
            watch_secret=data.get("watch_secret"),
            resource_id=data.get("resource_id"),
            watch_expires=parse_iso(data["watch_expires"]) if data.get("watch_expires") else None,
            sync_token=data.get("sync_token"),
        )

    def get(self, candidate_id: str, provider: str, calendar_id: str) -> CalendarConnection | None:
        data = self._get(keys.calendar(candidate_id, provider, calendar_id))
        return self._connection(data) if data else None

    def connections(self, candidate_id: str) -> list[CalendarConnection]:
        """Every calendar the candidate connected (one Query on their own key)."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :calendar)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.candidate(candidate_id)[0]},
                ":calendar": {"S": keys.CALENDAR_PREFIX},
            },
            ConsistentRead=True,
        )
        return [self._connection(i) for i in items]

    def account_emails(self, candidate_id: str) -> list[str]:
        """The accounts of the calendars the candidate connected (their own addresses, as Google
        and Microsoft know them): one Query on their own key that reads that attribute alone, so a
        function that only needs the addresses never holds a refresh token."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :calendar)",
            ProjectionExpression="account_email",
            ExpressionAttributeValues={
                ":pk": {"S": keys.candidate(candidate_id)[0]},
                ":calendar": {"S": keys.CALENDAR_PREFIX},
            },
            ConsistentRead=True,
        )
        return [str(i["account_email"]) for i in items if i.get("account_email")]

    def set_account_email(self, connection: CalendarConnection, account_email: str) -> CalendarConnection:
        """The calendar owner's address, learnt after the connection was made (one connected before
        it was asked for at connect time)."""
        self._set(connection, "account_email", account_email)
        return replace(connection, account_email=account_email)

    def delete(self, connection: CalendarConnection) -> None:
        """The connection and its watch item (a disconnect)."""
        self._delete(keys.calendar(connection.candidate_id, connection.provider, connection.calendar_id))
        if connection.watch_id:
            self.delete_watch(connection.provider, connection.watch_id)

    def set_sync_token(self, connection: CalendarConnection, sync_token: str) -> CalendarConnection:
        self._set(connection, "sync_token", sync_token)
        return replace(connection, sync_token=sync_token)

    def set_refresh_token(self, connection: CalendarConnection, refresh_token: str) -> CalendarConnection:
        self._set(connection, "refresh_token", refresh_token)  # providers may rotate it on use
        return replace(connection, refresh_token=refresh_token)

    def _set(self, connection: CalendarConnection, attribute: str, value: str) -> None:
        """Change one attribute of a connection that still exists (an erased one stays erased)."""
        self._db.update_item(
            TableName=self._table,
            Key=dynamo_key(keys.calendar(connection.candidate_id, connection.provider, connection.calendar_id)),
            UpdateExpression="SET #a = :v",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#a": attribute},
            ExpressionAttributeValues={":v": {"S": value}},
        )

    def due_for_renewal(self, before: datetime) -> list[CalendarConnection]:
        """Connections whose watch expires before ``before`` (soonest first)."""
        due: list[dict] = []
        paginator = self._db.get_paginator("query")
        for shard in keys.shards(keys.RENEWAL):  # one Query a shard of CALENDAR_WATCH
            for page in paginator.paginate(
                TableName=self._table,
                IndexName=keys.GSI1,
                KeyConditionExpression="GSI1PK = :pk AND GSI1SK < :before",
                ExpressionAttributeValues={":pk": {"S": shard}, ":before": {"S": iso(before)}},
            ):
                due.extend(plain(item) for item in page.get("Items", []))
        due.sort(key=lambda data: str(data["GSI1SK"]))
        found = []
        for data in due:
            connection = self.get(data["candidate_id"], data["provider"], data["calendar_id"])
            if connection:
                found.append(connection)
        return found

    # ------------------------------------------------------------------ watches
    def put_watch(self, watch: Watch, expires: datetime) -> None:
        pk, sk = keys.watch(watch.provider, watch.watch_id)
        self._put(
            {
                "PK": pk,
                "SK": sk,
                "provider": watch.provider,
                "watch_id": watch.watch_id,
                "candidate_id": watch.candidate_id,
                "calendar_id": watch.calendar_id,
                "secret": watch.secret,
                "resource_id": watch.resource_id,
                "expires_at": int((expires + timedelta(days=1)).timestamp()),
            }
        )

    def get_watch(self, provider: str, watch_id: str) -> Watch | None:
        data = self._get(keys.watch(provider, watch_id))
        if not data:
            return None
        return Watch(
            provider=data["provider"],
            watch_id=data["watch_id"],
            candidate_id=data["candidate_id"],
            calendar_id=data["calendar_id"],
            secret=data["secret"],
            resource_id=data.get("resource_id"),
        )

    def delete_watch(self, provider: str, watch_id: str) -> None:
        self._delete(keys.watch(provider, watch_id))
