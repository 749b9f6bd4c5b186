"""An iCalendar file read into values (nudges.models.ics reads them as invites): the body decoded
by its charset, then parsed; addresses, names, text, instants and UIDs as its properties give them.

Import this module only where invites are read: it brings in the icalendar library.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from typing import Any

import email_validator
import icalendar

from nudges.domain.bounds import clip, plain
from nudges.domain.interview import normalise_email
from nudges.errors import InvalidInput

_LINE_END = re.compile(rb"\r*\n|\r+(?!\n)")
FALLBACK_CHARSET = "windows-1252"
# Relay addresses (``is_relay``): iCloud's iMIP relay, Outlook.com's proxy for accounts whose
# sign-in is another provider's address.
RELAY = re.compile(r"(@imip\.me\.com$)|(^outlook_[0-9a-f]{8,}@outlook\.com$)")


def decode_calendar(data: bytes, charset: str | None = None) -> str:
    """The calendar's text: by ``charset`` when one is declared and the bytes are in it, else
    UTF-8, else each line that is not UTF-8 read as Windows-1252 (Latin-1 for its five holes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if charset:
        try:
            return data.decode(charset.strip().strip('"'))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: read as if none was given
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_line_text(line) for line in data.splitlines(keepends=True))


def _line_text(line: bytes) -> str:
    for codec in ("utf-8", FALLBACK_CHARSET):
        try:
            return line.decode(codec)
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1")


def parse_calendar(data: bytes, charset: str | None = None) -> icalendar.Calendar:
    """The calendar in ``data`` (CRLF or LF line ends, folded lines); 400 if it is none."""
    # Mail relays leave LF, CRLF, or a doubled CR: one line end, whatever they did.
    data = _LINE_END.sub(b"\r\n", data)
    try:
        calendar = icalendar.Calendar.from_ical(decode_calendar(data, charset))
    except (ValueError, IndexError, KeyError) as exc:
        # The parser's words quote the line: cut, so a hostile body is not echoed back whole.
        raise InvalidInput(f"body: not an iCalendar object: {clip(str(exc), 200)}", field="body") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise InvalidInput("body: not a VCALENDAR", field="body")
    return calendar


_QUOTES = "\"'<> \t"


def address_of(value: Any) -> str | None:
    """``mailto:Jane@X.com`` (or ``"MAILTO:jane@x.com"``, ``<mailto:...>``) -> ``jane@x.com``;
    None for anything that is not a valid mail address (a space in it, two @, no domain)."""
    text = str(value).strip(_QUOTES)
    if text.lower().startswith("mailto:"):
        text = text[7:].strip(_QUOTES)
    text = normalise_email(text)
    if "@" not in text:
        return None
    try:
        # test_environment: a *.test domain (RFC 2606) is an address too; nothing is looked up.
        email_validator.validate_email(text, check_deliverability=False, test_environment=True)
    except email_validator.EmailNotValidError:
        return None
    return text


def is_relay(email: str) -> bool:
    """An address a calendar service stands in for its user with (iCloud's ``...@imip.me.com``,
    Outlook.com's ``outlook_<hex>@outlook.com``): it reaches the person but names no company."""
    return bool(RELAY.search(email))


def name_of(value: Any) -> str:
    cn = plain(str(getattr(value, "params", {}).get("CN", "")).strip(_QUOTES))
    return "" if "@" in cn else cn  # Google writes the address as the name when it has none


def text_of(value: Any) -> str:
    """A text property as text: the first non-empty one when it is given more than once (two
    SUMMARY lines), never a Python list's repr."""
    for item in as_list(value):
        text = plain(str(item))
        if text:
            return text
    return ""


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def instant(value: Any, zone: Any) -> datetime | None:
    """An aware UTC instant; floating times are read in the candidate's zone; all-day is None."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return None
    return None


def decoded(event: icalendar.cal.Component, name: str) -> Any:
    try:
        return event.decoded(name) if name in event else None
    except (ValueError, KeyError) as exc:
        raise InvalidInput(f"{name}: {exc}", field=name) from exc


def event_uid(event: icalendar.Component) -> str:
    """The event's UID; for one without (old Lotus Notes, some scripts), one made from what
    identifies it, so the same invite sent again finds the same interview."""
    uid = str(event.get("UID", "")).strip()
    if uid:
        return uid
    parts = [str(event.get(name, "")) for name in ("ORGANIZER", "DTSTART", "SUMMARY")]
    return "no-uid-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
