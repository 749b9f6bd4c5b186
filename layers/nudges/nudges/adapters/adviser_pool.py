"""The advisers' Cognito user pool, as the console's sign-in form uses it.

The function authenticates on the person's behalf (``AdminInitiateAuth`` with
``ADMIN_USER_PASSWORD_AUTH``), answers the pool's challenges (a new password on first sign-in,
an authenticator code where the adviser turned MFA on), refreshes tokens and signs out
everywhere (``GlobalSignOut`` with the access token; ``AdminUserGlobalSignOut`` when that token
has expired already). Cognito's error codes become ``SignInRefused`` with words for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from nudges.errors import NudgesError


class SignInRefused(NudgesError):
    """The pool refused the sign-in or the answer to its challenge (shown beside the form)."""

    status_code = 400


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str
    refresh_token: str | None


@dataclass(frozen=True)
class Challenge:
    """What the pool asks before it gives tokens: ``NEW_PASSWORD_REQUIRED``, ``SOFTWARE_TOKEN_MFA``..."""

    name: str
    session: str
    username: str


# What the person is told; never Cognito's own text (it may name the pool or the client).
_WORDS = {
    "NotAuthorizedException": "The email address or password is not right.",
    "UserNotFoundException": "The email address or password is not right.",
    "PasswordResetRequiredException": "Your password must be reset: ask an admin to reset it.",
    "UserNotConfirmedException": "This account is not confirmed yet: ask an admin.",
    "CodeMismatchException": "That code is not right: try the newest one from your authenticator app.",
    "ExpiredCodeException": "That code has expired: try the newest one.",
    "InvalidPasswordException": "The new password does not meet the rules: at least 12 characters, "
    "with lower-case letters and numbers.",
    "TooManyRequestsException": "Too many attempts: wait a minute and try again.",
    "LimitExceededException": "Too many attempts: wait a minute and try again.",
    "TooManyFailedAttemptsException": "Too many attempts: wait a minute and try again.",
}
SESSION_EXPIRED = "The sign-in took too long: start again."


def _refused(exc: ClientError) -> SignInRefused:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if code not in _WORDS and code not in ("InvalidParameterException", "ResourceNotFoundException"):
        raise exc  # throttling, an outage: the HTTP edge answers 503
    return SignInRefused(_WORDS.get(code, SESSION_EXPIRED), field="password", code=code)


# Refusals after which the same challenge may be answered again (Cognito keeps its session).
RETRYABLE = frozenset({"InvalidPasswordException", "CodeMismatchException"})


def _step(answer: dict[str, Any], username: str) -> Tokens | Challenge:
    result = answer.get("AuthenticationResult")
    if result:
        return Tokens(result["AccessToken"], result["IdToken"], result.get("RefreshToken"))
    params = answer.get("ChallengeParameters") or {}
    # For an email-as-username pool the challenge names the user by its own id (USER_ID_FOR_SRP).
    who = params.get("USER_ID_FOR_SRP") or params.get("USERNAME") or username
    return Challenge(str(answer.get("ChallengeName")), str(answer.get("Session") or ""), who)


class AdviserPool:
    def __init__(self, client: Any, pool_id: str, client_id: str) -> None:
        self._idp = client
        self.pool_id = pool_id
        self.client_id = client_id

    def sign_in(self, email: str, password: str) -> Tokens | Challenge:
        try:
            answer = self._idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as exc:
            raise _refused(exc) from None
        return _step(answer, email)

    def respond(self, challenge: Challenge, responses: dict[str, str]) -> Tokens | Challenge:
        try:
            answer = self._idp.admin_respond_to_auth_challenge(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                ChallengeName=challenge.name,
                Session=challenge.session,
                ChallengeResponses={"USERNAME": challenge.username, **responses},
            )
        except ClientError as exc:
            raise _refused(exc) from None
        return _step(answer, challenge.username)

    def refresh(self, refresh_token: str) -> Tokens | None:
        """New access and id tokens, or None when the refresh token is no longer good."""
        try:
            answer = self._idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NotAuthorizedException", "UserNotFoundException"):
                return None
            raise
        except (KeyError, TypeError):
            return None
        result = answer.get("AuthenticationResult") or {}
        if not result.get("AccessToken"):
            return None
        return Tokens(result["AccessToken"], result["IdToken"], refresh_token)

    def sign_out(self, access_token: str, username: str) -> None:
        """Revoke every token of the person's (all their devices)."""
        try:
            self._idp.global_sign_out(AccessToken=access_token)
            return
        except ClientError:
            pass  # an expired token, or an endpoint that wants the call signed (an IAM-checking emulator)
        try:  # by name instead, with the function's own (IAM) credentials
            self._idp.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=username)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "UserNotFoundException":
                raise
