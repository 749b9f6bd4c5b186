"""Candidates as rows of a CSV file: the columns, what each row is checked against, and every
bad row named by its line number and field ("line 4: phone: must be in E.164 form, ...").

One copy, read by both importers: the advisers' console (``nudges.console_candidates``, which
then registers each good row through the operator API's own model and service) and the
operator's command line (``nudges candidates import``, as ``nudges_cli/rows.py``: a symlink to
this file, as the command line ships without the layer). So it imports the standard library
only, and the caller names what the service supports (zones, locales, and each channel with the
candidate's field that reaches it: the channel registry's, ``nudges.domain.channels``).

The rules: line 1 names the columns (``COLUMNS``, any case, any order; ``email`` and
``timezone`` required); no ``channels`` (or an empty cell) is email; a phone is taken as people
type it (``phone_as_typed``); ``sms_consent`` is ``yes`` or how the consent was obtained
(``no`` or empty: none); blank lines are skipped; a second row with an address already on an
earlier line is a bad row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

COLUMNS = ("email", "name", "phone", "timezone", "channels", "locale", "sms_consent")
REQUIRED = ("email", "timezone")  # no channels column (or an empty cell): email
DEFAULT_CHANNELS = ["email"]
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
NO = ("no", "n", "false", "0")
YES = ("yes", "y", "true", "1")


class FileError(Exception):
    """The file itself cannot be imported (unreadable, wrong columns): nothing in it is."""


@dataclass(frozen=True)
class Row:
    line: int
    candidate: dict[str, Any]  # the operator API's registration body (POST /candidates)


def phone_as_typed(typed: str) -> str:
    """A number as people type it (``+44 7700 900111``, ``(202) 555-0143`` after its +1,
    ``0044 7700 900111``) in the E.164 form the API stores: separators dropped, a leading 00 read as +."""
    phone = re.sub(r"[\s().\-/]", "", typed or "")
    return "+" + phone[2:] if phone.startswith("00") else phone


def consent_record(given: str, now: datetime | None = None) -> dict[str, str]:
    """``sms_consent`` as the API takes it, obtained now: ``yes`` (the operator's own word) or a method."""
    method = "operator import" if given.strip().lower() in YES else given.strip()
    return {"obtained_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"), "method": method}


def check(
    values: dict[str, str],
    zones: frozenset[str],
    locales: Sequence[str],
    address_fields: Mapping[str, str],
    now: datetime | None = None,
) -> tuple[dict[str, Any] | None, str | None]:
    """The API body for a row, or the first thing wrong with it ("field: why")."""
    email = values.get("email", "").strip()
    if not EMAIL.match(email):
        return None, "email: not an email address"
    body: dict[str, Any] = {"email": email}
    name = values.get("name", "").strip()
    if len(name) > 200:
        return None, "name: longer than 200 characters"
    if name:
        body["name"] = name
    phone = phone_as_typed(values.get("phone", ""))
    if phone and not E164.match(phone):
        return None, "phone: must be in E.164 form, like +447700900123"
    if phone:
        body["phone"] = phone
    zone = values.get("timezone", "").strip()
    if zone not in zones:
        return None, f"timezone: {zone!r} is not an IANA time zone, like Europe/London"
    body["timezone"] = zone
    chosen = [c for c in re.split(r"[\s;|,]+", values.get("channels", "").strip().lower()) if c]
    chosen = chosen or list(DEFAULT_CHANNELS)
    unknown = [c for c in chosen if c not in address_fields]
    if unknown:
        return None, f"channels: {unknown[0]!r} is not a channel ({', '.join(address_fields)})"
    needs_phone = next((c for c in chosen if address_fields[c] == "phone"), None)
    if needs_phone and not phone:
        return None, f"phone: is required when channels include {needs_phone}"
    body["channels"] = list(dict.fromkeys(chosen))
    locale = values.get("locale", "").strip()
    if locale and locale not in locales:
        return (
            None,
            f"locale: {locale!r} is not a supported language; use one of {', '.join(locales[:-1])} or {locales[-1]}",
        )
    if locale:
        body["locale"] = locale
    consent = values.get("sms_consent", "").strip()
    if len(consent) > 200:
        return None, "sms_consent: longer than 200 characters"
    if consent and consent.lower() not in NO:
        # "yes", or how the consent was obtained ("paper form, careers fair 2026-03-03"): kept as evidence.
        body["sms_consent"] = consent_record(consent, now)
    return body, None


def read_rows(
    lines: Iterable[str],
    zones: frozenset[str],
    locales: Sequence[str],
    address_fields: Mapping[str, str],
    now: datetime | None = None,
) -> tuple[list[Row], list[tuple[int, str]]]:
    """The good rows and the bad ones ((line, "field: why")), every row checked; ``FileError``
    when the columns are wrong or the text is no CSV."""
    reader = csv.DictReader(lines)
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileError(f"line 1: {exc}") from None
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        what = f"no {', '.join(missing)} column" if missing else f"unknown column {', '.join(unknown)}"
        raise FileError(f"{what} (the columns are {','.join(COLUMNS)}; line 1 names them)")
    reader.fieldnames = header
    good: list[Row] = []
    bad: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in values.values() if isinstance(v, str)):
                continue  # a blank line
            if None in values:
                bad.append((line, f"more fields than the {len(header)} columns"))
                continue
            body, why = check({k: v or "" for k, v in values.items()}, zones, locales, address_fields, now)
            if body is None:
                bad.append((line, str(why)))
                continue
            key = body["email"].lower()
            if key in seen:
                bad.append((line, f"email: already on line {seen[key]}"))
                continue
            seen[key] = line
            good.append(Row(line, body))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileError(f"line {reader.line_num}: {exc}") from None
    return good, bad
