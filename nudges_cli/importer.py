"""``nudges candidates import FILE.csv``: register many candidates, safely re-runnable.

Every row is checked first, as the API would check it, and each bad row is reported by its line
number and field; the good rows are then registered one by one. A row whose email is already
registered counts as "already registered" (found with ``GET /candidates?email=``, or answered
409), so re-running a file, or finishing one that stopped half-way, creates nothing twice.
Requests are paced under the API's throttling limits (50 a second, bursts of 100) and retried
with backoff when throttled anyway or when the service fails (see api.py).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import available_timezones

from nudges_cli import rows
from nudges_cli.rows import (  # noqa: F401 (the command line's names for them)
    COLUMNS,
    DEFAULT_CHANNELS,
    REQUIRED,
    FileError,
    Row,
    consent_record,
    phone_as_typed,
)

if TYPE_CHECKING:
    from pathlib import Path

    from nudges_cli.api import Api

# The columns and the rules of a row: one copy, the layer's, shared with the advisers' console
# (nudges_cli/rows.py is a symlink to layers/nudges/nudges/models/candidate_rows.py).
# The service's locales (GET /locales; a test keeps this in step with nudges.domain.locales).
LOCALES = ("en-GB", "en-US", "de-DE", "fr-FR", "es-ES", "nl-NL", "pt-BR", "it-IT", "ja-JP", "zh-CN")
# The service's channels and the field that reaches each (a test keeps this in step with the
# channel registry, nudges.domain.channels: the CLI ships alone and cannot import it).
ADDRESS_FIELDS = {"email": "email", "sms": "phone", "whatsapp": "phone"}
CHANNELS = tuple(ADDRESS_FIELDS)


@dataclass
class Outcome:
    created: list[tuple[int, str]] = field(default_factory=list)  # (line, candidate_id)
    already: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (line, "field: why")
    differs: list[tuple[int, str]] = field(default_factory=list)  # already registered, with other details

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.already)} already registered, {len(self.failed)} failed"


def read(path: Path) -> tuple[list[Row], list[tuple[int, str]]]:
    """The good rows and the bad ones ((line, "field: why")), every row checked."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FileError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        try:
            return rows.read_rows(handle, frozenset(available_timezones()), LOCALES, ADDRESS_FIELDS)
        except FileError as exc:
            raise FileError(f"{path}: {exc}") from None


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
