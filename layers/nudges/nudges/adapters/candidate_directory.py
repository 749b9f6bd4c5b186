"""Finding registered candidates: a paged listing, newest registration first.

Every candidate profile carries ``GSI1PK = CANDIDATES#<shard>`` (``keys.shard``: registrations
spread over ``keys.SHARDS`` partitions) and ``GSI1SK = CANDIDATE#<created>#<id>``
(``keys.candidate_listing``), so a page is one Query on GSI1 (descending) a shard, merged newest
first, never a Scan. Only profile items count: an item elsewhere carrying the same GSI1 keys (an
email pointer written before pointers stopped copying them) is skipped, so each candidate is
listed once. The cursor is the last listed candidate's index position (unique: it ends in the
id), opaque to callers; each shard's Query starts below it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.candidates import read_candidate
from nudges.adapters.dynamo import DynamoTable, plain
from nudges.errors import InvalidInput

if TYPE_CHECKING:
    from nudges.domain.candidate import Candidate

PAGE_SIZE = 100


def _cursor(item: dict[str, Any]) -> str:
    position = json.dumps({"sk": item["GSI1SK"], "pk": item["PK"]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def _position(cursor: str) -> str:
    """The GSI1SK a cursor stands at."""
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        sk, pk = position["sk"], position["pk"]
        if not (isinstance(sk, str) and isinstance(pk, str) and pk.startswith(keys.CANDIDATE_PREFIX)):
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise InvalidInput("cursor: not a cursor this API gave out", field="cursor") from None
    return sk


class CandidateDirectory(DynamoTable):
    def page(
        self, cursor: str | None = None, size: int = PAGE_SIZE, join_code: str | None = None
    ) -> tuple[list[Candidate], str | None]:
        """Up to ``size`` candidates after ``cursor`` and the cursor of the next page (None: last);
        with ``join_code``, only that cohort's."""
        below = _position(cursor) if cursor else None
        profiles = [
            item for shard in keys.shards(keys.CANDIDATES) for item in self._shard(shard, below, size + 1, join_code)
        ]
        profiles.sort(key=lambda item: str(item["GSI1SK"]), reverse=True)
        listed = profiles[:size]
        more = len(profiles) > size  # one more than a page tells whether another page follows
        return [read_candidate(i) for i in listed], (_cursor(listed[-1]) if more and listed else None)

    def _shard(self, shard: str, below: str | None, wanted: int, join_code: str | None = None) -> list[dict[str, Any]]:
        """Up to ``wanted`` profiles of one shard, newest first, below the cursor's position."""
        condition = "GSI1PK = :pk AND GSI1SK < :below" if below else "GSI1PK = :pk"
        values: dict[str, Any] = {":pk": {"S": shard}}
        if below:
            values[":below"] = {"S": below}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": wanted,
        }
        if join_code:
            request["FilterExpression"] = "join_code = :code"
            values[":code"] = {"S": join_code}
        profiles: list[dict[str, Any]] = []
        while len(profiles) < wanted:
            reply = self._db.query(**request)
            for raw in reply.get("Items", []):
                item = plain(raw)
                if item.get("SK") == keys.PROFILE and str(item.get("PK", "")).startswith(keys.CANDIDATE_PREFIX):
                    profiles.append(item)
            if not reply.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = reply["LastEvaluatedKey"]
        return profiles[:wanted]

    def cohort_sizes(self) -> dict[str, int]:
        """How many registered candidates carry each join code (one Query a shard, three attributes read)."""
        sizes: dict[str, int] = {}
        for shard in keys.shards(keys.CANDIDATES):
            for item in self._query(
                IndexName=keys.GSI1,
                KeyConditionExpression="GSI1PK = :pk",
                ExpressionAttributeValues={":pk": {"S": shard}},
                ProjectionExpression="PK, SK, join_code",
            ):
                code = item.get("join_code")
                if (
                    code
                    and item.get("SK") == keys.PROFILE
                    and str(item.get("PK", "")).startswith(keys.CANDIDATE_PREFIX)
                ):
                    sizes[str(code)] = sizes.get(str(code), 0) + 1
        return sizes
