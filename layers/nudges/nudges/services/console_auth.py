"""Signing advisers in and out of the console, and finding who a request is from.

Sign-in: the pool checks the password (and asks its challenges: a new password the first time,
an authenticator code where the adviser turned MFA on); its tokens are verified before a session
is made; only members of ``admins`` or ``advisers`` get one. Each request: the session by its
cookie, its tokens verified again (an expired access token refreshed once with the refresh
token); anything that fails verification is no session. Sign-out: the session deleted and the
person's tokens revoked at the pool (``GlobalSignOut``). Everything here follows the wall clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.adapters.adviser_pool import RETRYABLE, Challenge, SignInRefused, Tokens
from nudges.adapters.tokens import TokenRefused
from nudges.domain.advisers import EVERYONE
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from nudges.adapters.adviser_pool import AdviserPool
    from nudges.adapters.console_sessions import ConsoleSession, ConsoleSessions, PendingSignIn
    from nudges.adapters.tokens import TokenVerifier, Verified
    from nudges.domain.advisers import Adviser

SESSION_SECONDS = 12 * 3600  # the console client's refresh token lifetime: sign in once a working day
CHALLENGE_SECONDS = 3 * 60  # Cognito's challenge session lasts three minutes
CHALLENGES = ("NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA")
NO_ROLE = "This account is not an adviser or an admin of this console: ask an admin to add you."
UNVERIFIED = "The sign-in could not be completed: try again."
UNSUPPORTED = "This account needs a kind of sign-in the console does not offer: ask an admin."


@dataclass(frozen=True)
class SignedIn:
    session: ConsoleSession
    adviser: Adviser


@dataclass(frozen=True)
class Current:
    session: ConsoleSession
    adviser: Adviser


class ConsoleAuth:
    def __init__(
        self,
        pool: AdviserPool,
        verifier: TokenVerifier,
        sessions: ConsoleSessions,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._pool = pool
        self._verifier = verifier
        self._sessions = sessions
        self._now = now

    def sign_in(self, email: str, password: str) -> SignedIn | PendingSignIn:
        if not email.strip() or not password:
            raise SignInRefused("Enter your email address and password.", field="email")
        return self._next(self._pool.sign_in(email.strip(), password))

    def answer(self, pending: PendingSignIn, responses: dict[str, str]) -> SignedIn | PendingSignIn:
        """The answer to a held challenge (a new password, a code); the next step."""
        self._sessions.drop_pending(pending.pending_id)  # each challenge session is used once
        challenge = Challenge(pending.challenge_name, pending.cognito_session, pending.username)
        try:
            step = self._pool.respond(challenge, responses)
        except SignInRefused as refused:
            if refused.details.get("code") in RETRYABLE:
                # Cognito keeps the challenge open for another try: hold it again.
                raise SignInRetry(refused.message, self._sessions.hold(challenge, self._deadline())) from None
            raise
        return self._next(step)

    def pending(self, pending_id: str) -> PendingSignIn | None:
        return self._sessions.pending(pending_id, self._now())

    def _deadline(self) -> int:
        return int(self._now()) + CHALLENGE_SECONDS

    def _next(self, step: Tokens | Challenge) -> SignedIn | PendingSignIn:
        if isinstance(step, Challenge):
            if step.name not in CHALLENGES:
                logger.info("console sign-in challenge not offered", extra={"challenge": step.name})
                raise SignInRefused(UNSUPPORTED, field="email")
            return self._sessions.hold(step, self._deadline())
        try:
            verified = self._verifier.verify(step.access_token, step.id_token)
        except TokenRefused as refused:
            logger.warning("console tokens refused at sign-in", extra={"reason": refused.reason})
            raise SignInRefused(UNVERIFIED, field="email") from None
        if not verified.adviser.may(EVERYONE):
            self._pool.sign_out(step.access_token, verified.adviser.sub)
            raise SignInRefused(NO_ROLE, field="email")
        session = self._sessions.create(verified.adviser.sub, step, int(self._now()) + SESSION_SECONDS)
        logger.info("console sign-in", extra={"adviser": verified.adviser.sub})
        return SignedIn(session, verified.adviser)

    def current(self, session_id: str) -> Current | None:
        """Who this session is, with its tokens verified now; None for no (or no longer a) session."""
        session = self._sessions.get(session_id, self._now())
        if session is None:
            return None
        try:
            return Current(session, self._verified(session).adviser)
        except TokenRefused as refused:
            if refused.reason == "expired" and session.refresh_token:
                tokens = self._pool.refresh(session.refresh_token)
                if tokens is not None:
                    try:
                        renewed = self._sessions.renew_tokens(session, tokens)
                        return Current(renewed, self._verified(renewed).adviser)
                    except TokenRefused as again:
                        refused = again
            logger.info("console session refused", extra={"reason": refused.reason})
            return None

    def _verified(self, session: ConsoleSession) -> Verified:
        verified = self._verifier.verify(session.access_token, session.id_token)
        if verified.adviser.sub != session.sub:
            raise TokenRefused("the tokens are someone else's")
        return verified

    def sign_out(self, current: Current) -> None:
        self._sessions.delete(current.session.session_id)
        self._pool.sign_out(current.session.access_token, current.adviser.sub)
        logger.info("console sign-out", extra={"adviser": current.adviser.sub})


class SignInRetry(SignInRefused):
    """The answer was refused but the pool lets the person try again: the challenge held anew."""

    def __init__(self, message: str, pending: PendingSignIn) -> None:
        super().__init__(message, field="answer")
        self.pending = pending
