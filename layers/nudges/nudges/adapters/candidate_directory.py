"""Finding registered candidates: a paged listing, newest registration first.

Every candidate profile carries ``GSI1PK = CANDIDATES`` and ``GSI1SK = CANDIDATE#<created>#<id>``
(``keys.candidate_listing``), so a page is one Query on GSI1 (descending), never a Scan. Only
profile items count: an item elsewhere carrying the same GSI1 keys (an email pointer written
before pointers stopped copying them) is skipped, so each candidate is listed once. The cursor
is the last listed candidate's index position, opaque to callers.
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


def _start_key(cursor: str) -> dict[str, Any]:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        sk, pk = position["sk"], position["pk"]
        if not (isinstance(sk, str) and isinstance(pk, str) and pk.startswith(keys.CANDIDATE_PREFIX)):
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise InvalidInput("cursor: not a cursor this API gave out", field="cursor") from None
    return {
        "GSI1PK": {"S": keys.CANDIDATES},
        "GSI1SK": {"S": sk},
        "PK": {"S": pk},
        "SK": {"S": keys.PROFILE},
    }


class CandidateDirectory(DynamoTable):
    def page(
        self, cursor: str | None = None, size: int = PAGE_SIZE, join_code: str | None = None
    ) -> tuple[list[Candidate], str | None]:
        """Up to ``size`` candidates after ``cursor`` and the cursor of the next page (None: last);
        with ``join_code``, only that cohort's."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.CANDIDATES}},
            "ScanIndexForward": False,
            "Limit": size + 1,
        }
        if cursor:
            request["ExclusiveStartKey"] = _start_key(cursor)
        if join_code:
            request["FilterExpression"] = "join_code = :code"
            request["ExpressionAttributeValues"][":code"] = {"S": join_code}
        profiles: list[dict[str, Any]] = []
        while len(profiles) <= size:  # one more than a page tells whether another page follows
            reply = self._db.query(**request)
            for raw in reply.get("Items", []):
                item = plain(raw)
                if item.get("SK") == keys.PROFILE and str(item.get("PK", "")).startswith(keys.CANDIDATE_PREFIX):
                    profiles.append(item)
            if not reply.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = reply["LastEvaluatedKey"]
        listed = profiles[:size]
        more = len(profiles) > size
        return [read_candidate(i) for i in listed], (_cursor(listed[-1]) if more and listed else None)
