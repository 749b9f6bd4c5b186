"""Calendar connect by OAuth, hosted: the candidate follows their connect link, consents at
Google or Microsoft, and comes back to the callback; the code is exchanged (with its PKCE
verifier) for a refresh token, and the calendar is connected exactly as the operator's
``POST /candidates/{id}/calendars`` connects it (a watch or subscription, then a first sync).

The ``state`` sent to the provider is random, stored (as its hash) with a short TTL, bound to
the candidate and the provider, and taken once: a replayed, expired or foreign state connects
nothing. Nothing is stored before the provider has handed over a refresh token and the watch
is open.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from nudges.adapters.calendar_apis import ProviderError, request_json
from nudges.adapters.oauth_states import PendingConsent
from nudges.domain.calendars import CALENDAR_PROVIDERS
from nudges.errors import InvalidInput, NotFound, NudgesError
from nudges.observability import logger
from nudges.services.calendar_providers import PROVIDER_NAMES
from nudges.services.candidate_calendars import ProviderUnavailable

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from nudges.adapters.calendar_connections import CalendarConnection
    from nudges.adapters.oauth_states import OAuthStates
    from nudges.services.candidate_calendars import CalendarService
    from nudges.services.ports import Candidates

# Long enough to read a consent screen and sign in; short enough that a leaked URL goes stale.
STATE_TTL = timedelta(minutes=10)
PROVIDERS = PROVIDER_NAMES  # nudges.services.calendar_providers


class ConsentRefused(NudgesError):
    """The candidate declined, the state is bad or spent, or the provider refused the code.
    ``reason``: the page's words for it (``page.refusal.<reason>``); the message is for the log."""

    status_code = 400

    def __init__(self, message: str, *, field: str, reason: str) -> None:
        super().__init__(message, field=field)
        self.reason = reason


@dataclass(frozen=True)
class ConsentUrls:
    """Per provider (nudges.domain.calendars), where its consent page and its code exchange are."""

    auth: Mapping[str, str]
    token: Mapping[str, str]


def code_challenge(verifier: str) -> str:
    """PKCE S256 (RFC 7636 section 4.2): base64url of the verifier's SHA-256, unpadded."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def redirect_uri(base_url: str, provider: str) -> str:
    return f"{base_url.rstrip('/')}/oauth/{provider}/callback"


class ConnectService:
    def __init__(
        self, candidates: Candidates, states: OAuthStates, calendars: CalendarService, urls: ConsentUrls
    ) -> None:
        self._candidates = candidates
        self._states = states
        self._calendars = calendars
        self._urls = urls

    def consent_url(self, candidate_id: str, provider: str, base_url: str, now: datetime) -> str:
        """Where to send the candidate's browser: the provider's consent page for read access."""
        if provider not in PROVIDERS:
            raise NotFound(f"no calendar provider {provider}", field="provider")
        if self._candidates.get(candidate_id) is None:
            raise NotFound("this connect link is no longer valid", field="token")
        client = self._calendars.oauth_client(provider, fresh=True)  # 503 naming the secret when unset
        spec = CALENDAR_PROVIDERS[provider]
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)  # 64 characters of the unreserved set
        self._states.put(state, PendingConsent(candidate_id, provider, verifier, now + STATE_TTL))
        params = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": redirect_uri(base_url, provider),
            "scope": spec.scope,  # read-only: the service reads events, never writes them
            "state": state,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        params |= dict(spec.consent_params)
        base = self._urls.auth[provider]
        logger.info("calendar consent started", extra={"candidate_id": candidate_id, "provider": provider})
        return f"{base}?{urllib.parse.urlencode(params)}"

    def callback(self, provider: str, query: dict[str, str], base_url: str, now: datetime) -> CalendarConnection:
        """Check the state, exchange the code, connect the calendar."""
        from nudges.models.calendar_events import CalendarConnect

        if provider not in PROVIDERS:
            raise NotFound(f"no calendar provider {provider}", field="provider")
        state = query.get("state") or ""
        pending = self._states.take(state) if state else None  # taken even when consent was denied
        if query.get("error"):
            reason = "access was not allowed" if query["error"] == "access_denied" else "the provider reported an error"
            logger.info("calendar consent declined", extra={"provider": provider, "error": query["error"][:40]})
            denied = query["error"] == "access_denied"
            raise ConsentRefused(
                f"Nothing was connected: {reason}.",
                field="error",
                reason="connect_denied" if denied else "connect_failed",
            )
        if pending is None or pending.provider != provider:
            raise ConsentRefused(
                "This connect attempt is unknown or was already used. Start again from your connect link.",
                field="state",
                reason="connect_state",
            )
        if pending.expires_at <= now:
            raise ConsentRefused(
                "This connect attempt expired. Start again from your connect link.",
                field="state",
                reason="connect_expired",
            )
        code = query.get("code") or ""
        if not code:
            raise ConsentRefused("The provider sent no authorisation code.", field="code", reason="connect_code")
        client = self._calendars.oauth_client(provider, fresh=True)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri(base_url, provider),
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "code_verifier": pending.code_verifier,
        }
        if CALENDAR_PROVIDERS[provider].scope_on_exchange:
            form["scope"] = CALENDAR_PROVIDERS[provider].scope
        token_url = self._urls.token[provider]
        try:
            answer = request_json(provider, "POST", token_url, form=form)
        except ProviderError as exc:
            if 400 <= exc.status < 500:
                logger.info("calendar consent code refused", extra={"provider": provider, "error": exc.code})
                raise ConsentRefused(
                    f"{provider.title()} refused the sign-in ({exc.code or exc.status}). Start again from your link.",
                    field="code",
                    reason="connect_refused",
                ) from None
            raise ProviderUnavailable(str(exc)) from None
        refresh_token = (answer or {}).get("refresh_token")
        if not refresh_token:
            raise ConsentRefused(
                f"{provider.title()} gave no offline access. Start again from your link.",
                field="code",
                reason="connect_offline",
            )
        request = CalendarConnect.model_validate(
            {"provider": provider, "refresh_token": refresh_token, "calendar_id": "primary"}
        )
        try:
            return self._calendars.connect(pending.candidate_id, request, base_url, now)
        except InvalidInput as exc:
            raise ConsentRefused(exc.message, field=exc.field or "code", reason=exc.field or "form") from None
