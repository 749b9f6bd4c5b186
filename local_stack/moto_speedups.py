"""Keeps the embedded moto server's cost per call flat as the table grows.

moto's TransactWriteItems deep-copies every table the transaction names, whole, to roll back
on failure: O(items in the table) per transaction, so registering n candidates (one
transaction each) took O(n^2) and a load run of 1,000 slowed to a crawl. Here the rollback
copy keeps the table's other partitions by reference and deep-copies only the partitions
(hash keys) the transaction can touch, which is all a rollback needs to restore. Semantics
are moto's own (the same code runs, all-or-nothing); only the copy is narrower. Installed for
the moto server the local stack embeds (same process), never for an external endpoint.

Likewise moto's Query starts from every item of the table, sorted (a Python sort of the whole
table per call). A Query on the table's own key now starts from the one partition it names
(still sorted), and a Query on an index from the items unsorted (moto sorts the matches by the
index's keys afterwards): the same results, without the per-call sort of the whole table.

And moto answers every DynamoDB call through its generic, shape-driven serializer, which walks
each attribute value's ten possible members through alias lookups: for an item-heavy answer it
was the single largest cost of the whole test suite. The item operations' answers are already
DynamoDB's wire JSON (moto's ``dynamo_to_dict``), so they are written with ``json.dumps``, the
top level kept to the operation's output members as the serializer keeps it; anything that is
not plain JSON (bytes, a datetime) still goes through moto's serializer.

Last, a fix rather than a speed-up: DynamoDB applies each write atomically with its condition,
but moto's backend checks a condition and then writes without a lock, so two racing writes can
both pass a ``version = :v`` check (and a Query can see an item moto is still building). Every
read and write of the DynamoDB backend here holds one lock, so a race test finds the service's
races, not moto's.
"""

from __future__ import annotations

import copy as _copy
import json
import threading
from typing import Any

_installed = False
_touched = threading.local()
_narrow = threading.local()  # the items a Query in this thread starts from, by table


def _snapshot(table: Any, hash_keys: set[Any]) -> Any:
    snap = _copy.copy(table)
    snap.items = _copy.copy(table.items)  # the partition map; untouched partitions shared
    for hash_key in hash_keys:
        if hash_key in table.items:
            snap.items[hash_key] = _copy.deepcopy(table.items[hash_key])
        else:
            snap.items.pop(hash_key, None)
    return snap


class _CopyModule:
    """``copy`` as moto.dynamodb.models sees it: a table in a transaction copied narrowly."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_copy, name)

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        keys = getattr(_touched, "keys", None)
        if keys is not None and getattr(obj, "name", None) in keys and hasattr(obj, "items"):
            return _snapshot(obj, keys[obj.name])
        return _copy.deepcopy(obj, memo)


def install() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType

    global _installed
    if _installed:
        return
    _installed = True
    backend = models.DynamoDBBackend
    original = backend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        keys: dict[str, set[Any]] = {}
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            key = op.get("Key") or op.get("Item") or {}
            if table is None or table.hash_key_attr not in key:
                return original(self, transact_items)  # moto's own whole-table copy
            keys.setdefault(table.name, set()).add(DynamoType(key[table.hash_key_attr]))
        _touched.keys = keys
        try:
            return original(self, transact_items)
        finally:
            _touched.keys = None

    _narrow_queries(models)
    _plain_item_answers()
    backend.transact_write_items = transact_write_items
    models.copy = _CopyModule()  # type: ignore[assignment]
    _atomic_items(backend)


def _narrow_queries(models: Any) -> None:
    import inspect

    from moto.dynamodb.models.table import Table

    all_items, query = Table.all_items, Table.query
    signature = inspect.signature(query)

    def narrowed_all_items(self: Any) -> Any:
        starts = getattr(_narrow, "tables", {}).get(id(self))
        return starts(self) if starts is not None else all_items(self)

    def unsorted(table: Any) -> list[Any]:
        if table.range_key_attr:
            return [item for partition in table.items.values() for item in partition.values()]
        return list(table.items.values())

    def narrowed_query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        hash_key = arguments.get("hash_key")
        if arguments.get("index_name"):
            starts = unsorted
        elif hash_key is not None and self.range_key_attr:

            def starts(table: Any) -> list[Any]:
                partition = table.items.get(hash_key) or {}
                return sorted(
                    partition.values(), key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key
                )
        else:
            return query(self, *args, **kwargs)
        tables = _narrow.__dict__.setdefault("tables", {})
        tables[id(self)] = starts
        try:
            return query(self, *args, **kwargs)
        finally:
            tables.pop(id(self), None)

    Table.all_items = narrowed_all_items
    Table.query = narrowed_query


# The operations whose answers are items, keys, counts and consumed capacity: plain wire JSON.
PLAIN_ANSWERS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _plain_item_answers() -> None:
    from moto.dynamodb.responses import DynamoResult

    serialized = DynamoResult.execute_result
    if hasattr(serialized, "moto"):
        return

    def execute_result(self: Any, context: Any) -> Any:
        operation = context.operation_model
        result = self.result
        if operation.name in PLAIN_ANSWERS and isinstance(result, dict):
            members = operation.output_shape.members
            try:
                body = json.dumps({k: v for k, v in result.items() if k in members and v is not None})
            except (TypeError, ValueError):  # not plain JSON: moto's own serializer knows it
                return serialized(self, context)
            version = context.service_model.metadata.get("jsonVersion", "1.0")
            return 200, {"Content-Type": f"application/x-amz-json-{version}"}, body
        return serialized(self, context)

    execute_result.moto = serialized  # type: ignore[attr-defined]  (tests compare the two)
    DynamoResult.execute_result = execute_result


# (moto's batch and transactional reads live in its responses module and call get_item per item)
ATOMIC = ("put_item", "get_item", "update_item", "delete_item", "transact_write_items", "query", "scan")


def _atomic_items(backend: Any) -> None:
    lock = threading.RLock()

    def locked(method: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return call

    for name in ATOMIC:
        setattr(backend, name, locked(getattr(backend, name)))
