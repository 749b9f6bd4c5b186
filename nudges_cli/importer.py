"""``nudges candidates import FILE.csv``: register many candidates, safely re-runnable.

Every row is checked first, as the API would check it, and each bad row is reported by its line
number and field; the good rows are then registered one by one. A row whose email is already
registered counts as "already registered" (found with ``GET /candidates?email=``, or answered
409), so re-running a file, or finishing one that stopped half-way, creates nothing twice.
Requests are paced under the API's throttling limits (50 a second, bursts of 100) and retried
with backoff when throttled anyway or when the service fails (see api.py).
"""

from __future__ import annotations

import csv
import re
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import available_timezones

if TYPE_CHECKING:
    from pathlib import Path

    from nudges_cli.api import Api

COLUMNS = ("email", "name", "phone", "timezone", "channels", "locale", "sms_consent")
REQUIRED = ("email", "timezone")  # no channels column (or an empty cell): email
DEFAULT_CHANNELS = ["email"]


def phone_as_typed(typed: str) -> str:
    """A number as people type it (``+44 7700 900111``, ``(202) 555-0143`` after its +1,
    ``0044 7700 900111``) in the E.164 form the API stores: separators dropped, a leading 00 read as +."""
    phone = re.sub(r"[\s().\-/]", "", typed or "")
    return "+" + phone[2:] if phone.startswith("00") else phone


EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# The service's locales (GET /locales; a test keeps this in step with nudges.domain.locales).
LOCALES = ("en-GB", "en-US", "de-DE", "fr-FR", "es-ES", "nl-NL", "pt-BR", "it-IT", "ja-JP", "zh-CN")
# The service's channels and the field that reaches each (a test keeps this in step with the
# channel registry, nudges.domain.channels: the CLI ships alone and cannot import it).
ADDRESS_FIELDS = {"email": "email", "sms": "phone", "whatsapp": "phone"}
CHANNELS = tuple(ADDRESS_FIELDS)


class FileError(Exception):
    """The file itself cannot be imported (missing, unreadable, wrong columns)."""


@dataclass(frozen=True)
class Row:
    line: int
    candidate: dict[str, Any]


@dataclass
class Outcome:
    created: list[tuple[int, str]] = field(default_factory=list)  # (line, candidate_id)
    already: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (line, "field: why")
    differs: list[tuple[int, str]] = field(default_factory=list)  # already registered, with other details

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.already)} already registered, {len(self.failed)} failed"


def _check(values: dict[str, str], zones: frozenset[str]) -> tuple[dict[str, Any] | None, str | None]:
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
    channels = [c for c in re.split(r"[\s;|,]+", values.get("channels", "").strip().lower()) if c]
    channels = channels or list(DEFAULT_CHANNELS)
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        return None, f"channels: {unknown[0]!r} is not a channel ({', '.join(CHANNELS)})"
    needs_phone = next((c for c in channels if ADDRESS_FIELDS[c] == "phone"), None)
    if needs_phone and not phone:
        return None, f"phone: is required when channels include {needs_phone}"
    body["channels"] = list(dict.fromkeys(channels))
    locale = values.get("locale", "").strip()
    if locale and locale not in LOCALES:
        return (
            None,
            f"locale: {locale!r} is not a supported language; use one of {', '.join(LOCALES[:-1])} or {LOCALES[-1]}",
        )
    if locale:
        body["locale"] = locale
    consent = values.get("sms_consent", "").strip()
    if len(consent) > 200:
        return None, "sms_consent: longer than 200 characters"
    if consent and consent.lower() not in ("no", "n", "false", "0"):
        # "yes", or how the consent was obtained ("paper form, careers fair 2026-03-03"): kept as evidence.
        body["sms_consent"] = consent_record(consent)
    return body, None


def consent_record(given: str) -> dict[str, str]:
    """``sms_consent`` as the API takes it, obtained now: ``yes`` (the operator's own word) or a method."""
    from datetime import UTC, datetime

    method = "operator import" if given.strip().lower() in ("yes", "y", "true", "1") else given.strip()
    return {"obtained_at": datetime.now(UTC).isoformat(timespec="seconds"), "method": method}


def read(path: Path) -> tuple[list[Row], list[tuple[int, str]]]:
    """The good rows and the bad ones ((line, "field: why")), every row checked."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FileError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        unknown = [h for h in header if h not in COLUMNS]
        if missing or unknown:
            what = f"no {', '.join(missing)} column" if missing else f"unknown column {', '.join(unknown)}"
            raise FileError(f"{path}: {what} (the columns are {','.join(COLUMNS)}; line 1 names them)")
        reader.fieldnames = header
        zones = frozenset(available_timezones())
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
                body, why = _check({k: v or "" for k, v in values.items()}, zones)
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
            raise FileError(f"{path}: line {reader.line_num}: {exc}") from None
    return good, bad


class Progress:
    """A bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self._total = total
        self._stream = stream
        self._on = total > 0 and stream.isatty()

    def step(self, done: int) -> None:
        if not self._on:
            return
        width = 30
        filled = int(width * done / self._total)
        self._stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self._total}")
        if done == self._total:
            self._stream.write("\n")
        self._stream.flush()


class Pace:
    """At most ``rate`` requests a second (well under the API's own throttling limits); 0: no pacing."""

    def __init__(self, rate: float, clock: Any = time.monotonic, sleep: Any = time.sleep) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._interval


def _differences(row: dict[str, Any], registered: dict[str, Any]) -> list[str]:
    """The fields of a row that the registered candidate has otherwise (the API's own forms)."""
    fields = []
    for name in ("name", "phone", "timezone", "locale"):
        if name in row and row[name] != registered.get(name):
            fields.append(name)
    if sorted(row["channels"]) != sorted(registered.get("channels") or []):
        fields.append("channels")
    return fields


def run(api: Api, rows: list[Row], bad: list[tuple[int, str]], rate: float = 10.0) -> Outcome:
    outcome = Outcome(failed=list(bad))
    pace = Pace(rate)
    progress = Progress(len(rows))
    for done, row in enumerate(rows, 1):
        pace.wait()
        found = api.request("GET", "/candidates", query={"email": row.candidate["email"]})
        if found.status == 200 and isinstance(found.body, dict):
            outcome.already.append((row.line, found.body["candidate_id"]))
            differs = _differences(row.candidate, found.body)
            if differs:
                outcome.differs.append((row.line, f"{found.body['candidate_id']} has other {', '.join(differs)}"))
        else:
            pace.wait()
            reply = api.request("POST", "/candidates", row.candidate)
            body = reply.body if isinstance(reply.body, dict) else {}
            if reply.status == 201:
                outcome.created.append((row.line, body["candidate_id"]))
            elif reply.status == 409:
                outcome.already.append((row.line, str(body.get("candidate_id", ""))))
            else:
                outcome.failed.append((row.line, str(body.get("message") or f"HTTP {reply.status}")))
        progress.step(done)
    outcome.failed.sort()
    return outcome
