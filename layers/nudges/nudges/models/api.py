"""Operator API bodies, validated at the edge."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class NewCandidate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    timezone: str
    channels: Annotated[list[Literal["email", "sms"]], Field(min_length=1)] = ["email"]
    phone: str | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    # Unset: US English for American zones, British English elsewhere.
    locale: Literal["en-GB", "en-US"] | None = None

    @property
    def resolved_locale(self) -> str:
        if self.locale:
            return self.locale
        return "en-US" if self.timezone.startswith(("America/", "US/", "Pacific/Honolulu")) else "en-GB"

    @field_validator("phone")
    @classmethod
    def _e164(cls, phone: str | None) -> str | None:
        if phone is not None and not E164.match(phone):
            raise ValueError("must be in E.164 form, like +447700900123")
        return phone

    @field_validator("timezone")
    @classmethod
    def _iana(cls, name: str) -> str:
        if name not in _zones():
            raise ValueError(f"{name!r} is not an IANA time zone, like Europe/London")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{name!r} is not an IANA time zone") from exc
        return name

    @model_validator(mode="after")
    def _sms_needs_phone(self) -> NewCandidate:
        if "sms" in self.channels and not self.phone:
            raise PydanticCustomError("missing_phone", "phone is required when channels include sms")
        return self


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


class OutcomeReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["offer", "rejected", "withdrawn"]
