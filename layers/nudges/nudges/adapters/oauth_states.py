"""OAuth consent in flight: one item per ``state`` (``keys.oauth_state``, by the state's hash),
bound to the candidate and provider, holding the PKCE verifier; taken (deleted) exactly once by
the callback, and expired by a short TTL. Only the state's hash is a key, so the table never
holds a value the browser could replay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, plain
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


def _key(state: str) -> keys.Key:
    return keys.oauth_state(hashlib.sha256(state.encode()).hexdigest())


class OAuthStates(DynamoTable):
    def put(self, state: str, pending: PendingConsent) -> None:
        pk, sk = _key(state)
        self._put(
            {
                "PK": pk,
                "SK": sk,
                "candidate_id": pending.candidate_id,
                "provider": pending.provider,
                "code_verifier": pending.code_verifier,
                "valid_until": iso(pending.expires_at),
                # DynamoDB's TTL removes it eventually; ``valid_until`` is what is checked.
                "expires_at": int(pending.expires_at.timestamp()),
            },
            ConditionExpression="attribute_not_exists(PK)",
        )

    def take(self, state: str) -> PendingConsent | None:
        """The pending consent for this state, deleted in the same call: a second callback with
        the same state (a replay, a double click) finds nothing."""
        answer = self._delete(_key(state), ConditionExpression="attribute_exists(PK)", ReturnValues="ALL_OLD")
        if isinstance(answer, Refused) or not answer.get("Attributes"):
            return None
        data = plain(answer["Attributes"])
        return PendingConsent(
            data["candidate_id"], data["provider"], data["code_verifier"], parse_iso(data["valid_until"])
        )
