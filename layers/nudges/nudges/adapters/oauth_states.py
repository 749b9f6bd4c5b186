"""OAuth consent in flight: one item per ``state``, bound to the candidate and provider, holding
the PKCE verifier; taken (deleted) exactly once by the callback, and expired by a short TTL.

| item          | PK                     | SK    |
|---------------|------------------------|-------|
| oauth state   | OAUTH_STATE#<sha256>   | STATE |

Only the state's hash is a key, so the table never holds a value the browser could replay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.adapters.aws import error_code
from nudges.adapters.dynamo import DynamoTable
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime


@dataclass(frozen=True)
class PendingConsent:
    candidate_id: str
    provider: str
    code_verifier: str
    expires_at: datetime

    def __repr__(self) -> str:  # never print the verifier
        return f"PendingConsent({self.candidate_id}, {self.provider})"


def _key(state: str) -> str:
    return "OAUTH_STATE#" + hashlib.sha256(state.encode()).hexdigest()


class OAuthStates(DynamoTable):
    def put(self, state: str, pending: PendingConsent) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=self._item(
                {
                    "PK": _key(state),
                    "SK": "STATE",
                    "candidate_id": pending.candidate_id,
                    "provider": pending.provider,
                    "code_verifier": pending.code_verifier,
                    "valid_until": iso(pending.expires_at),
                    # DynamoDB's TTL removes it eventually; ``valid_until`` is what is checked.
                    "expires_at": int(pending.expires_at.timestamp()),
                }
            ),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def take(self, state: str) -> PendingConsent | None:
        """The pending consent for this state, deleted in the same call: a second callback with
        the same state (a replay, a double click) finds nothing."""
        try:
            old = self._db.delete_item(
                TableName=self._table,
                Key=self._key(_key(state), "STATE"),
                ConditionExpression="attribute_exists(PK)",
                ReturnValues="ALL_OLD",
            ).get("Attributes")
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        if not old:
            return None
        data = self._plain(old)
        return PendingConsent(
            data["candidate_id"], data["provider"], data["code_verifier"], parse_iso(data["valid_until"])
        )
