"""Operator API bodies, validated at the edge."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from nudges.domain.catalog import LOCALES
from nudges.domain.channels import CHANNEL_SPECS, Channel
from nudges.domain.kinds import OptionalKind  # noqa: TC001 (pydantic reads it at runtime)

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_ZONES: frozenset[str] | None = None


def _e164(phone: str) -> str:
    if not E164.match(phone):
        raise ValueError("must be in E.164 form, like +447700900123")
    return phone


def _iana_zone(name: str) -> str:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    if name not in _ZONES:
        raise ValueError(f"{name!r} is not an IANA time zone, like Europe/London")
    ZoneInfo(name)
    return name


# The pattern and examples only describe the rule in the OpenAPI document; the validators apply it
# (so a refusal says what E.164 or an IANA zone is).
Phone = Annotated[
    str, AfterValidator(_e164), Field(json_schema_extra={"pattern": E164.pattern}, examples=["+447700900123"])
]
TimeZoneName = Annotated[
    str,
    AfterValidator(_iana_zone),
    Field(description="An IANA time zone", examples=["Europe/London", "America/New_York"]),
]
Channels = Annotated[list[Channel], Field(min_length=1)]
# The locales the words are written in (nudges.domain.catalog.LOCALES), with how a person says them.
LOCALE_NAMES = {"en-GB": "British English", "en-US": "American English"}


def _supported_locale(value: Any) -> Any:
    """A locale the catalogs have, or a refusal that lists them in plain words."""
    if value not in LOCALES:
        supported = ", ".join(f"{code} ({LOCALE_NAMES.get(code, code)})" for code in LOCALES)
        raise PydanticCustomError(
            "unsupported_locale",
            "{value} is not a language the messages are written in; use one of: {supported}",
            {"value": repr(value)[:40], "supported": supported},
        )
    return value


Locale = Annotated[Literal["en-GB", "en-US"], BeforeValidator(_supported_locale)]
Name = Annotated[str, Field(max_length=200)]


class SmsConsent(BaseModel):
    """How the operator obtained the candidate's consent to texts (kept as given, as evidence)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    obtained_at: AwareDatetime
    method: Annotated[str, Field(min_length=1, max_length=200, examples=["web sign-up form, SMS box ticked"])]


class NewCandidate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "email": "ada@example.org",
                    "timezone": "Europe/London",
                    "channels": ["email", "sms"],
                    "phone": "+447700900123",
                    "name": "Ada Lovelace",
                }
            ]
        },
    )

    email: EmailStr
    timezone: TimeZoneName
    channels: Channels = ["email"]
    phone: Phone | None = None
    name: Name | None = None
    # Unset: US English for American zones, British English elsewhere.
    locale: Locale | None = None
    # Unset: the welcome SMS asks the candidate to reply YES before any nudge is texted.
    sms_consent: SmsConsent | None = None

    @model_validator(mode="after")
    def _sms_needs_phone(self) -> NewCandidate:
        for name in self.channels:  # each chosen channel needs its address (nudges.domain.channels)
            field = CHANNEL_SPECS[name].address_field
            if not getattr(self, field):
                raise PydanticCustomError(f"missing_{field}", f"{field} is required when channels include {name}")
        return self

    @property
    def resolved_locale(self) -> str:
        if self.locale:
            return self.locale
        return "en-US" if self.timezone.startswith(("America/", "US/", "Pacific/Honolulu")) else "en-GB"


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# Left out, a field stays as it is; null is no value for it (a candidate always has channels, a
# zone and a locale), so a null is refused like any other wrong type, naming the field.
UNCHANGED: Any = Field(default=None, json_schema_extra=_no_default)


class CandidateChanges(BaseModel):
    """What may change later; omitted fields stay as they are, a null name or phone removes it."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"channels": ["email"], "timezone": "America/New_York"}]},
    )

    channels: Channels = UNCHANGED
    timezone: TimeZoneName = UNCHANGED
    locale: Locale = UNCHANGED
    phone: Phone | None = None
    name: Name | None = None
    paused: bool = UNCHANGED
    kinds_off: list[OptionalKind] = UNCHANGED


class OutcomeReport(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"outcome": "offer"}]})

    outcome: Literal["offer", "rejected", "withdrawn"]
