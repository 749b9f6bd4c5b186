"""The console's server-side sessions, its sign-ins in progress and each adviser's settings.

The browser holds only a random id (an HttpOnly, Secure, SameSite=Lax cookie); the table holds
that id's SHA-256 with the pool's tokens (a refresh token does not fit a cookie, and tokens in
a cookie would outlive a sign-out), the CSRF token of the session's forms and an expiry by the
wall clock (DynamoDB's TTL removes what is left over). Sessions are not candidate data: they
follow the wall clock and the pool's token lifetimes, not the service's clock or retention.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused

if TYPE_CHECKING:
    from nudges.adapters.adviser_pool import Challenge, Tokens


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_id() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ConsoleSession:
    session_id: str
    sub: str
    access_token: str
    id_token: str
    refresh_token: str | None
    csrf: str
    expires_at: int  # epoch seconds, wall clock


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in waiting for the answer to the pool's challenge."""

    pending_id: str
    challenge_name: str
    cognito_session: str
    username: str
    csrf: str
    expires_at: int


class ConsoleSessions(DynamoTable):
    # ------------------------------------------------------------------ sessions
    def create(self, sub: str, tokens: Tokens, expires_at: int) -> ConsoleSession:
        session = ConsoleSession(
            session_id=new_id(),
            sub=sub,
            access_token=tokens.access_token,
            id_token=tokens.id_token,
            refresh_token=tokens.refresh_token,
            csrf=secrets.token_urlsafe(32),
            expires_at=expires_at,
        )
        self.put(session)
        return session

    def put(self, session: ConsoleSession) -> None:
        pk, sk = keys.console_session(_hash(session.session_id))
        self._put(
            {
                "PK": pk,
                "SK": sk,
                "GSI1PK": keys.adviser_sessions(session.sub),  # found when the adviser is disabled
                "GSI1SK": pk,
                "sub": session.sub,
                "access_token": session.access_token,
                "id_token": session.id_token,
                "refresh_token": session.refresh_token,
                "csrf": session.csrf,
                "expires_at": session.expires_at,
            }
        )

    def get(self, session_id: str, now: float) -> ConsoleSession | None:
        if not session_id:
            return None
        item = self._get(keys.console_session(_hash(session_id)))
        if not item or int(item["expires_at"]) <= now:
            return None  # TTL removes expired items only eventually
        return ConsoleSession(
            session_id=session_id,
            sub=item["sub"],
            access_token=item["access_token"],
            id_token=item["id_token"],
            refresh_token=item.get("refresh_token"),
            csrf=item["csrf"],
            expires_at=int(item["expires_at"]),
        )

    def renew_tokens(self, session: ConsoleSession, tokens: Tokens) -> ConsoleSession:
        """Store refreshed tokens, only while the session still exists (not signed out meanwhile)."""
        answer = self._update(
            keys.console_session(_hash(session.session_id)),
            UpdateExpression="SET access_token = :a, id_token = :i",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":a": {"S": tokens.access_token}, ":i": {"S": tokens.id_token}},
        )
        if isinstance(answer, Refused):
            return session
        return ConsoleSession(
            session.session_id,
            session.sub,
            tokens.access_token,
            tokens.id_token,
            session.refresh_token,
            session.csrf,
            session.expires_at,
        )

    def delete(self, session_id: str) -> None:
        self._delete(keys.console_session(_hash(session_id)))

    def delete_all(self, sub: str) -> int:
        """Every session of one adviser (disabled or removed): how many there were."""
        found = self._query(
            IndexName=keys.GSI1,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.adviser_sessions(sub)}},
        )
        for item in found:
            self._delete((item["PK"], item["SK"]))
        return len(found)

    # ------------------------------------------------------------------ sign-ins in progress
    def hold(self, challenge: Challenge, expires_at: int) -> PendingSignIn:
        pending = PendingSignIn(
            new_id(), challenge.name, challenge.session, challenge.username, secrets.token_urlsafe(32), expires_at
        )
        pk, sk = keys.sign_in_challenge(_hash(pending.pending_id))
        self._put(
            {
                "PK": pk,
                "SK": sk,
                "challenge_name": pending.challenge_name,
                "cognito_session": pending.cognito_session,
                "username": pending.username,
                "csrf": pending.csrf,
                "expires_at": expires_at,
            }
        )
        return pending

    def pending(self, pending_id: str, now: float) -> PendingSignIn | None:
        if not pending_id:
            return None
        item = self._get(keys.sign_in_challenge(_hash(pending_id)))
        if not item or int(item["expires_at"]) <= now:
            return None
        return PendingSignIn(
            pending_id,
            item["challenge_name"],
            item["cognito_session"],
            item["username"],
            item["csrf"],
            int(item["expires_at"]),
        )

    def drop_pending(self, pending_id: str) -> None:
        self._delete(keys.sign_in_challenge(_hash(pending_id)))

    # ------------------------------------------------------------------ settings
    def time_zone(self, sub: str) -> str | None:
        item = self._get(keys.adviser_settings(sub))
        return str(item["timezone"]) if item and item.get("timezone") else None

    def set_time_zone(self, sub: str, zone: str) -> None:
        pk, sk = keys.adviser_settings(sub)
        self._put({"PK": pk, "SK": sk, "timezone": zone})
