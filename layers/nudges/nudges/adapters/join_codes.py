"""Join codes (one per cohort: a careers fair, a course, an agency's intake), the sign-ups waiting
for the click on their verification link, and the rate-limit windows that keep the join page from
being used to mail strangers. Keys in ``keys``: a verification token and a rate-limited address
are stored only as their hashes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, serialize, to_item
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from datetime import datetime


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class JoinCode:
    join_code: str
    label: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Verification:
    """A sign-up (``purpose`` ``join``) or an email change (``email``) waiting for its click."""

    token_hash: str
    purpose: str
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    join_code: str | None = None
    registration: dict[str, Any] | None = None  # NewCandidate's fields, consent evidence included
    candidate_id: str | None = None  # an email change: whose
    locale: str | None = None


def _read_code(data: dict[str, Any]) -> JoinCode:
    return JoinCode(
        join_code=data["join_code"],
        label=data.get("label", ""),
        created_at=parse_iso(data["created_at"]),
        revoked_at=parse_iso(data["revoked_at"]) if data.get("revoked_at") else None,
    )


class JoinCodes(DynamoTable):
    # ------------------------------------------------------------------ codes
    def create(self, code: str, label: str, now: datetime) -> JoinCode | None:
        """None when the code exists already (the caller draws another)."""
        pk, sk = keys.join_code(code)
        answer = self._put(
            {
                "PK": pk,
                "SK": sk,
                "GSI1PK": keys.JOIN_CODES,
                "GSI1SK": keys.join_code_listing(now, code),
                "join_code": code,
                "label": label,
                "created_at": iso(now),
            },
            ConditionExpression="attribute_not_exists(PK)",
        )
        return None if isinstance(answer, Refused) else JoinCode(code, label, now)

    def get(self, code: str) -> JoinCode | None:
        data = self._get(keys.join_code(code)) if code else None
        return _read_code(data) if data else None

    def all(self) -> list[JoinCode]:
        items = self._query(
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.JOIN_CODES}},
        )
        return [_read_code(i) for i in items]

    def revoke(self, code: str, now: datetime) -> bool:
        """False when there is no such code; revoking twice keeps the first time."""
        answer = self._update(
            keys.join_code(code),
            UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :now)",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":now": {"S": iso(now)}},
        )
        return not isinstance(answer, Refused)

    # ------------------------------------------------------------------ verifications
    def add_verification(self, token: str, verification: Verification) -> None:
        self._put(self._verification_item(token, verification))

    def add_email_change(self, token: str, verification: Verification) -> bool:
        """An email change's verification, and its pointer in the candidate's partition (what
        erasure finds it by), in one transaction while the candidate is still registered; False,
        and nothing written, once they are not (erased meanwhile)."""
        assert verification.candidate_id is not None
        item = self._verification_item(token, verification)
        pk, sk = keys.email_change(verification.candidate_id, digest(token))
        pointer = {"PK": pk, "SK": sk, "verify_key": item["PK"], "expires_at": item["expires_at"]}
        answer = self._transact(
            [
                {
                    "ConditionCheck": {
                        "Key": dynamo_key(keys.candidate(verification.candidate_id)),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {"Put": {"Item": to_item(pointer)}},
                {"Put": {"Item": to_item(item)}},
            ]
        )
        return not isinstance(answer, Refused)

    @staticmethod
    def _verification_item(token: str, verification: Verification) -> dict[str, Any]:
        pk, sk = keys.verification(digest(token))
        return {
            "PK": pk,
            "SK": sk,
            "purpose": verification.purpose,
            "email": verification.email,
            "created_at": iso(verification.created_at),
            "valid_until": iso(verification.expires_at),
            "join_code": verification.join_code,
            "registration": verification.registration,
            "candidate_id": verification.candidate_id,
            "locale": verification.locale,
            # Gone from the table a day after it stops working.
            "expires_at": int((verification.expires_at + timedelta(days=1)).timestamp()),
        }

    def verification(self, token: str) -> Verification | None:
        if not token or len(token) > 200:
            return None
        token_hash = digest(token)
        data = self._get(keys.verification(token_hash))
        if not data:
            return None
        return Verification(
            token_hash=token_hash,
            purpose=data.get("purpose", "join"),
            email=data["email"],
            created_at=parse_iso(data["created_at"]),
            expires_at=parse_iso(data["valid_until"]),
            used_at=parse_iso(data["used_at"]) if data.get("used_at") else None,
            join_code=data.get("join_code"),
            registration=data.get("registration"),
            candidate_id=data.get("candidate_id"),
            locale=data.get("locale"),
        )

    def use(self, token_hash: str, now: datetime) -> bool:
        """Mark the link used; False when it was used already (single use)."""
        answer = self._update(
            keys.verification(token_hash),
            UpdateExpression="SET used_at = :now",
            ConditionExpression="attribute_exists(PK) AND attribute_not_exists(used_at)",
            ExpressionAttributeValues={":now": {"S": iso(now)}},
        )
        return not isinstance(answer, Refused)

    def record_send(self, token_hash: str, part: str, message_id: str, now: datetime) -> None:
        """What went out for this verification (``send_<part>``, kind ``verification``): the
        message log of a person who is not a candidate (yet), as the outbox reads it."""
        self._update(
            keys.verification(token_hash),
            UpdateExpression="SET kind = :kind, #send = :send",
            ExpressionAttributeNames={"#send": f"send_{part}"},
            ExpressionAttributeValues={
                ":kind": {"S": "verification"},
                ":send": serialize({"message_id": message_id, "sent_at": iso(now), "sent_order": 0}),
            },
        )

    # ------------------------------------------------------------------ rate limits
    def within_limit(self, scope: str, key: str, window: str, limit: int, keep_until: datetime) -> bool:
        """Count one attempt in this window; False (and nothing counted) once ``limit`` were."""
        answer = self._update(
            keys.rate_window(scope, digest(key), window),
            UpdateExpression="ADD attempts :one SET expires_at = :exp",
            ConditionExpression="attribute_not_exists(attempts) OR attempts < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":exp": {"N": str(int(keep_until.timestamp()))},
            },
        )
        return not isinstance(answer, Refused)
