"""The table's plumbing shared by the repositories: plain dicts in and out, consistent reads,
paging, batch reads, and conditional writes that answer ``Refused`` instead of raising.

One table holds every aggregate (``keys`` builds every key); each repository is a small class
on this base, over the same injectable client.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from nudges.adapters.aws import Refused, attempt
from nudges.errors import InvalidInput

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.keys import Key

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELLED = "TransactionCanceledException"

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def serialize(value: Any) -> dict[str, Any]:
    return _SERIALIZER.serialize(value)


# DynamoDB refuses an item over 400 KB (names and values, UTF-8) with a ValidationException.
MAX_ITEM_BYTES = 400 * 1024


class ItemTooLarge(InvalidInput):
    """What a request would store is over DynamoDB's item size: refused before the write."""


def item_size(item: dict[str, Any]) -> int:
    """An upper bound of an item's size as DynamoDB counts it, from its wire form."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind in ("S", "N"):
        return len(str(data).encode())
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS"):
        return sum(len(str(v).encode()) for v in data)
    if kind == "BS":
        return sum(len(v) for v in data)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in data.items())
    return len(repr(data))


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item from plain values; None values are left out, not stored as NULL.
    Over DynamoDB's 400 KB it is refused here (400), not by DynamoDB after other writes."""
    item = {k: serialize(v) for k, v in data.items() if v is not None}
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ItemTooLarge(f"the record to store would be {size} bytes; DynamoDB's item limit is {MAX_ITEM_BYTES}")
    return item


def plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _DESERIALIZER.deserialize(v) for k, v in item.items()}


def dynamo_key(key: Key) -> dict[str, Any]:
    pk, sk = key
    return {"PK": {"S": pk}, "SK": {"S": sk}}


class DynamoTable:
    def __init__(self, client: Any, table_name: str, retention: timedelta = timedelta(0)) -> None:
        self._db = client
        self._table = table_name
        self._retention = retention

    def _expires(self, after: datetime) -> int:
        """``expires_at`` (DynamoDB TTL, epoch seconds) of data kept the retention period after ``after``."""
        return int((after + self._retention).timestamp())

    def _get(self, key: Key | str, sk: str | None = None) -> dict[str, Any] | None:
        """GetItem (consistent) by ``keys.<item>(...)``; ``_get(pk, sk)`` reads the same."""
        full = (key, sk) if isinstance(key, str) and sk is not None else key
        assert isinstance(full, tuple)
        item = self._db.get_item(TableName=self._table, Key=dynamo_key(full), ConsistentRead=True).get("Item")
        return plain(item) if item else None

    # The helpers by the names repositories written before ``keys`` used (a key as PK, SK).
    _ser = _SERIALIZER
    _item = staticmethod(to_item)
    _plain = staticmethod(plain)

    @staticmethod
    def _key(pk: str, sk: str) -> dict[str, Any]:
        return dynamo_key((pk, sk))

    def _put(self, data: dict[str, Any], **request: Any) -> Any:
        """PutItem of ``data`` (with PK and SK); with a ``ConditionExpression``, ``Refused`` when it fails."""
        return attempt(self._db.put_item, (CONDITION_FAILED,), TableName=self._table, Item=to_item(data), **request)

    def _update(self, key: Key, **request: Any) -> Any:
        """UpdateItem; ``Refused`` when its condition fails."""
        return attempt(self._db.update_item, (CONDITION_FAILED,), TableName=self._table, Key=dynamo_key(key), **request)

    def _delete(self, key: Key, **request: Any) -> Any:
        """DeleteItem; ``Refused`` when its condition fails."""
        return attempt(self._db.delete_item, (CONDITION_FAILED,), TableName=self._table, Key=dynamo_key(key), **request)

    def _transact(self, items: list[dict[str, Any]]) -> Any:
        """TransactWriteItems of ``Put``/``Update``/... entries (the table name filled in);
        ``Refused`` (with its reasons) when DynamoDB cancels it."""
        entries = [{action: {"TableName": self._table, **body}} for entry in items for action, body in entry.items()]
        return attempt(self._db.transact_write_items, (TRANSACTION_CANCELLED,), TransactItems=entries)

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self._db.get_paginator("query").paginate(TableName=self._table, **kwargs):
            items.extend(plain(i) for i in page.get("Items", []))
        return items

    def _batch_get(self, keys: list[Key]) -> dict[Key, dict[str, Any]]:
        """Several items in one BatchGetItem (consistent), by (PK, SK); missing ones are left out."""
        found: dict[Key, dict[str, Any]] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 100):
            pending: dict[str, Any] = {
                self._table: {"Keys": [dynamo_key(k) for k in wanted[start : start + 100]], "ConsistentRead": True}
            }
            while pending:
                reply = self._db.batch_get_item(RequestItems=pending)
                for item in reply.get("Responses", {}).get(self._table, []):
                    data = plain(item)
                    found[(data["PK"], data["SK"])] = data
                pending = reply.get("UnprocessedKeys") or {}
        return found

    def _batch_delete(self, keys: list[Key]) -> None:
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": dynamo_key(k)}} for k in keys[start : start + 25]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


__all__ = ["CONDITION_FAILED", "DynamoTable", "Refused", "dynamo_key", "plain", "serialize", "to_item"]
