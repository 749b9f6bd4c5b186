"""The candidate's forms (join, add or edit an interview, the outcome), read as people fill them.

Each reader takes the form's fields (``parse_qs`` shape) and answers the values, ready for the
same models and services the operator API uses, or ``FieldErrors``: field -> a key of
``page_words`` ``fields``, so the page shows each message beside its field and keeps the input.
Phones are taken as people type them (spaces, dashes, brackets, a national number with the
chosen country) and given back in E.164.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from nudges.models.api import E164, _iana_zone

if TYPE_CHECKING:
    from collections.abc import Iterable

Form = dict[str, list[str]]
MAX_FORM_BYTES = 16 * 1024  # a join or interview form is a few hundred bytes; more is not a person
MAX_INTERVIEWERS = 8


class FieldErrors(Exception):
    """Field -> the ``page_words`` ``fields`` key of what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def one(form: Form, name: str, limit: int = 200) -> str:
    return (form.get(name) or [""])[0].strip()[: limit * 4]


def email_address(raw: str) -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError("email") from None


def phone_number(raw: str, country: str | None) -> str:
    """E.164 from what a person typed; ValueError when it is no possible number."""
    region = (country or "").upper() or None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError("phone") from None
    if not phonenumbers.is_possible_number(number):  # valid-number metadata refuses the drama ranges (07700 900xxx)
        raise ValueError("phone")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not E164.match(e164):
        raise ValueError("phone")
    return e164


def zone_name(raw: str) -> str:
    try:
        return _iana_zone(raw)
    except ValueError:
        raise ValueError("timezone") from None


@dataclass(frozen=True)
class Signup:
    """A join form as read: the registration (``NewCandidate``'s fields) and which consent boxes
    were ticked (their exact text is the page's)."""

    registration: dict[str, object]
    consent: tuple[str, ...] = ()  # channels whose consent box was ticked
    honeypot: bool = False


def signup(form: Form, channels: Iterable[str], locales: Iterable[str]) -> Signup:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    if one(form, "website"):  # the honeypot: people never see it, bots fill every field
        return Signup({}, honeypot=True)
    name = one(form, "name")
    if len(name) > 200:
        errors["name"] = "name"
    elif name:
        values["name"] = name
    try:
        values["email"] = email_address(one(form, "email", 320))
    except ValueError:
        errors["email"] = "email"
    chosen = [c for c in dict.fromkeys(form.get("channels", [])) if c in set(channels)]
    if not chosen:
        errors["channels"] = "channels"
    values["channels"] = chosen
    raw_phone = one(form, "phone", 40)
    if raw_phone:
        try:
            values["phone"] = phone_number(raw_phone, one(form, "country", 2))
        except ValueError:
            errors["phone"] = "phone"
    elif any(c != "email" for c in chosen):
        errors["phone"] = "phone_needed"
    try:
        values["timezone"] = zone_name(one(form, "timezone", 64))
    except ValueError:
        errors["timezone"] = "timezone"
    locale = one(form, "locale", 10)
    if locale:
        if locale not in set(locales):
            errors["locale"] = "locale"
        else:
            values["locale"] = locale
    if errors:
        raise FieldErrors(errors)
    consent = tuple(c for c in chosen if c != "email" and one(form, f"consent_{c}") == "on")
    return Signup(values, consent)


@dataclass(frozen=True)
class HandInterview:
    """An interview as the candidate typed it (the API's ``NewInterview`` fields)."""

    company: str
    start: datetime
    duration_minutes: int
    timezone: str
    interviewers: tuple[tuple[str, str | None], ...]
    role: str | None = None
    location: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        return {
            "company": self.company,
            "role": self.role,
            "start": self.start.isoformat(),
            "duration_minutes": self.duration_minutes,
            "timezone": self.timezone,
            "interviewers": [{"name": n, **({"email": e} if e else {})} for n, e in self.interviewers],
            "location": self.location,
        }


def hand_interview(form: Form, now: datetime) -> HandInterview:
    errors: dict[str, str] = {}
    company = one(form, "company")
    if not company:
        errors["company"] = "company"
    elif len(company) > 200:
        errors["company"] = "too_long"
    role = one(form, "role") or None
    if role and len(role) > 200:
        errors["role"] = "too_long"
    location = one(form, "location", 500) or None
    if location and len(location) > 500:
        errors["location"] = "too_long"
    zone = "UTC"
    try:
        zone = zone_name(one(form, "timezone", 64))
    except ValueError:
        errors["timezone"] = "timezone"
    day: date | None = None
    try:
        day = date.fromisoformat(one(form, "date", 10))
    except ValueError:
        errors["date"] = "date"
    at: time | None = None
    try:
        at = time.fromisoformat(one(form, "time", 8))
    except ValueError:
        errors["time"] = "time"
    try:
        minutes = int(one(form, "duration", 4))
        if not 5 <= minutes <= 600:
            raise ValueError
    except ValueError:
        errors["duration"] = "duration"
        minutes = 0
    names, emails = form.get("interviewer_name", []), form.get("interviewer_email", [])
    people: list[tuple[str, str | None]] = []
    for index in range(min(max(len(names), len(emails)), MAX_INTERVIEWERS)):
        name = (names[index] if index < len(names) else "").strip()[:200]
        raw = (emails[index] if index < len(emails) else "").strip()[:320]
        if not name and not raw:
            continue
        email = None
        if raw:
            try:
                email = email_address(raw)
            except ValueError:
                errors[f"interviewer_email_{index + 1}"] = "interviewer_email"
        people.append((name or (email or ""), email))
    if not people:
        errors["interviewer_name_1"] = "interviewers"
    start = None
    if day and at and "timezone" not in errors:
        start = datetime.combine(day, at, ZoneInfo(zone))
        if start + timedelta(minutes=max(minutes, 0)) < now:
            errors["date"] = "start_past"
    if errors or start is None:
        raise FieldErrors(errors)
    return HandInterview(company, start, minutes, zone, tuple(people), role, location)
