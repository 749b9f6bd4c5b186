"""Operator API bodies, validated at the edge."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, model_validator
from pydantic_core import PydanticCustomError

from nudges.domain import locales
from nudges.domain.channels import CHANNEL_SPECS, Channel
from nudges.domain.formatting import zone_territory
from nudges.domain.kinds import OptionalKind  # noqa: TC001 (pydantic reads it at runtime)

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_ZONES: frozenset[str] | None = None
# Files of a system's zoneinfo folder that are no IANA zone: the machine's own zone, the
# "zone unknown" placeholder, and the POSIX-rules template (and the posix/, right/ copies).
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules", "posix", "right"})


def _e164(phone: str) -> str:
    if not E164.match(phone):
        raise ValueError("must be in E.164 form, like +447700900123")
    return phone


def _iana_zone(name: str) -> str:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(z for z in available_timezones() if z not in NOT_ZONES and z.split("/")[0] not in NOT_ZONES)
    if name not in _ZONES:
        raise ValueError(f"{name!r} is not an IANA time zone, like Europe/London")
    ZoneInfo(name)
    return name


def _locale(code: str) -> str:
    """A supported locale, spelt as the registry spells it (``de-de`` -> ``de-DE``)."""
    return locales.get(code).code  # UnsupportedLocale is a ValueError naming the supported list


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
# One of nudges.domain.locales.CODES (GET /locales); anything else is refused naming them all.
Locale = Annotated[
    str,
    AfterValidator(_locale),
    Field(
        description="A supported locale: " + locales.supported_words() + " (GET /locales)",
        examples=["de-DE"],
    ),
]
Name = Annotated[str, Field(max_length=200)]


class SmsConsent(BaseModel):
    """How the operator obtained the candidate's consent to texts (kept as given, as evidence)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    obtained_at: AwareDatetime
    method: Annotated[str, Field(min_length=1, max_length=200, examples=["web sign-up form, SMS box ticked"])]
    # The exact words the candidate agreed to (a sign-up page's consent box), kept as evidence.
    text: Annotated[str | None, Field(max_length=2000)] = None


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
    # Unset: the stack's DefaultLocale (English: US English for a zone in the United States).
    locale: Locale | None = None
    # The language of the drafts inside messages (thank-you, follow-up...); unset: ``locale``.
    draft_locale: Locale | None = None
    # Unset: the welcome SMS asks the candidate to reply YES before any nudge is texted.
    sms_consent: SmsConsent | None = None
    # Unset: nothing goes by WhatsApp (it is never used to ask; Meta requires the opt-in first).
    whatsapp_consent: SmsConsent | None = None
    # The cohort they joined with (a join code the operator made; ``GET /candidates?join_code=``).
    join_code: Annotated[str | None, Field(max_length=64, pattern=r"^[a-z0-9-]+$")] = None

    @model_validator(mode="after")
    def _sms_needs_phone(self) -> NewCandidate:
        for name in self.channels:  # each chosen channel needs its address (nudges.domain.channels)
            field = CHANNEL_SPECS[name].address_field
            if not getattr(self, field):
                raise PydanticCustomError(f"missing_{field}", f"{field} is required when channels include {name}")
        return self

    def resolved_locale(self, default_locale: str = locales.DEFAULT_LOCALE) -> str:
        """The locale given, else ``default_locale`` (the stack's DefaultLocale; where it is
        English, a time zone in the United States gives en-US, as CLDR places the zone)."""
        if self.locale:
            return self.locale
        return locales.registration_locale(default_locale, zone_territory(self.timezone))


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

    # A new address: the old one stays an alias (invites naming it still match the candidate)
    # and is told of the change; refused (400, field email) when another candidate holds it.
    email: EmailStr = UNCHANGED
    channels: Channels = UNCHANGED
    timezone: TimeZoneName = UNCHANGED
    locale: Locale = UNCHANGED
    draft_locale: Locale = UNCHANGED
    phone: Phone | None = None
    name: Name | None = None
    paused: bool = UNCHANGED
    kinds_off: list[OptionalKind] = UNCHANGED
    # The operator's record of an opt-in obtained since registration (a form, a call): kept as given.
    sms_consent: SmsConsent = UNCHANGED
    whatsapp_consent: SmsConsent = UNCHANGED


class OutcomeReport(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"outcome": "offer"}]})

    outcome: Literal["offer", "rejected", "withdrawn"]


class InterviewerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: EmailStr | None = None


class NewInterview(BaseModel):
    """An interview added by hand (``POST /candidates/{id}/interviews``, the candidate's add-an-
    interview page): planned exactly as a calendar's booking. ``PATCH`` takes the same body."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "company": "Acme Robotics",
                    "role": "Data Analyst",
                    "start": "2026-12-10T14:00:00+00:00",
                    "duration_minutes": 45,
                    "timezone": "Europe/London",
                    "interviewers": [{"name": "Priya Raman", "email": "priya@acme.example"}, {"name": "Sam Lee"}],
                    "location": "https://meet.example/abc",
                }
            ]
        },
    )

    company: Annotated[str, Field(min_length=1, max_length=200)]
    role: Annotated[str | None, Field(max_length=200)] = None
    start: AwareDatetime
    duration_minutes: Annotated[int, Field(ge=5, le=600)]
    timezone: TimeZoneName | None = None
    interviewers: Annotated[list[InterviewerIn], Field(min_length=1, max_length=8)]
    location: Annotated[str | None, Field(max_length=500)] = None

    @model_validator(mode="after")
    def _in_its_zone(self) -> NewInterview:
        if self.timezone:
            self.start = self.start.astimezone(ZoneInfo(self.timezone))
        return self


class JoinCodeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"label": "Careers fair, March"}]}
    )

    label: Annotated[str, Field(min_length=1, max_length=200)]
