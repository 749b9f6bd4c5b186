"""The calendar providers a candidate connects, each said once: its name (in routes, keys, links
and logs), what pages call it, and what its OAuth consent asks for. Every list of providers (the
connect links, the welcome's lines, the preferences page's offers, the API's ``connect_urls``, the
operator's configured clients) and every per-provider branch of the consent reads this registry.

What a provider does (token refresh, opening, renewing and stopping a watch, reading the
calendar) is its class behind ``CalendarProvider`` in ``services/calendar_providers.py``; its
welcome line is the catalogs' ``phrase.welcome_<name>``. The README's map lists the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping

CalendarProviderName = Literal["google", "microsoft"]


@dataclass(frozen=True)
class CalendarProviderSpec:
    name: CalendarProviderName
    label: str  # how pages name it: a product name, the same in every language
    # The OAuth consent (services/connect.py): read-only scopes, and what more the consent URL
    # carries; whether the code exchange names the scopes again (Microsoft's identity platform).
    scope: str
    consent_params: tuple[tuple[str, str], ...]
    scope_on_exchange: bool
    # Where consent and the code exchange go: the environment variable that overrides each (the
    # local stack's fakes, a sovereign cloud) and the public default.
    auth_url_env: str
    auth_url: str
    token_url_env: str
    token_url: str

    def auth_url_in(self, environ: Mapping[str, str]) -> str:
        return environ.get(self.auth_url_env) or self.auth_url

    def token_url_in(self, environ: Mapping[str, str]) -> str:
        return environ.get(self.token_url_env) or self.token_url


GOOGLE = CalendarProviderSpec(
    name="google",
    label="Google Calendar",
    scope="https://www.googleapis.com/auth/calendar.readonly",
    consent_params=(("access_type", "offline"), ("prompt", "consent")),  # a refresh token, every time
    scope_on_exchange=False,
    auth_url_env="GOOGLE_AUTH_URL",
    auth_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url_env="GOOGLE_TOKEN_URL",
    token_url="https://oauth2.googleapis.com/token",
)
MICROSOFT = CalendarProviderSpec(
    name="microsoft",
    label="Microsoft Outlook",
    scope="offline_access Calendars.Read User.Read",
    consent_params=(("response_mode", "query"),),
    scope_on_exchange=True,
    auth_url_env="MS_AUTH_URL",
    auth_url="https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token_url_env="MS_TOKEN_URL",
    token_url="https://login.microsoftonline.com/common/oauth2/v2.0/token",
)

CALENDAR_PROVIDERS: dict[str, CalendarProviderSpec] = {spec.name: spec for spec in (GOOGLE, MICROSOFT)}
PROVIDER_NAMES: tuple[CalendarProviderName, ...] = tuple(spec.name for spec in CALENDAR_PROVIDERS.values())
