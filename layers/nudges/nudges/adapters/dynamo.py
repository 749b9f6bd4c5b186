"""The table's plumbing shared by the stores: plain dicts in and out, consistent reads, paging."""

from __future__ import annotations

from typing import Any

from nudges.errors import InvalidInput

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


class DynamoTable:
    def __init__(self, client: Any, table_name: str) -> None:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self._db = client
        self._table = table_name
        self._ser = TypeSerializer()
        self._de = TypeDeserializer()

    def _item(self, data: dict[str, Any]) -> dict[str, Any]:
        """A DynamoDB item from plain values; None values are left out, not stored as NULL.
        Over DynamoDB's 400 KB it is refused here (400), not by DynamoDB after other writes."""
        item = {k: self._ser.serialize(v) for k, v in data.items() if v is not None}
        size = item_size(item)
        if size > MAX_ITEM_BYTES:
            raise ItemTooLarge(f"the record to store would be {size} bytes; DynamoDB's item limit is {MAX_ITEM_BYTES}")
        return item

    def _plain(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: self._de.deserialize(v) for k, v in item.items()}

    @staticmethod
    def _key(pk: str, sk: str) -> dict[str, Any]:
        return {"PK": {"S": pk}, "SK": {"S": sk}}

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self._db.get_item(TableName=self._table, Key=self._key(pk, sk), ConsistentRead=True).get("Item")
        return self._plain(item) if item else None

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self._db.get_paginator("query").paginate(TableName=self._table, **kwargs):
            items.extend(self._plain(i) for i in page.get("Items", []))
        return items

    def _batch_get(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Several items in one BatchGetItem (consistent), by (PK, SK); missing ones are left out."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 100):
            pending: dict[str, Any] = {
                self._table: {
                    "Keys": [self._key(pk, sk) for pk, sk in wanted[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            while pending:
                reply = self._db.batch_get_item(RequestItems=pending)
                for item in reply.get("Responses", {}).get(self._table, []):
                    plain = self._plain(item)
                    found[(plain["PK"], plain["SK"])] = plain
                pending = reply.get("UnprocessedKeys") or {}
        return found
