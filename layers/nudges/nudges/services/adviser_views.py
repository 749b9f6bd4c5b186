"""What the advisers' console shows: candidates found and filtered, and one candidate whole.

Read through the same repositories and services as the operator API (the listing's GSI1 Query,
``CandidateService.timeline``, the message log, the refusals behind ``reachable``), never a Scan.
A search or a filter reads the listing page by page (newest registration first) and keeps what
matches, at most ``READ_LIMIT`` candidates per request; the cursor carries on from there, so a
large roster pages honestly instead of timing out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nudges.domain.candidate import reachability
from nudges.domain.channels import CHANNEL_SPECS
from nudges.domain.kinds import SIGN_UP_KIND
from nudges.services.candidates import nudge_channels
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.calendar_connections import CalendarConnection
    from nudges.adapters.candidate_directory import CandidateDirectory
    from nudges.adapters.candidates import CandidateRepository
    from nudges.adapters.message_log import MessageLog
    from nudges.domain.candidate import Candidate
    from nudges.domain.deliveries import LoggedMessage
    from nudges.services.candidates import CandidateService
    from nudges.services.ports import Preferences

PAGE_SIZE = 25
READ_LIMIT = 500  # candidates read per request at most, while searching or filtering
FILTERS = ("unreachable", "awaiting_consent", "paused", "bounced")
EMAIL_REFUSALS = ("bounced", "complained")
# Each channel's own reason for waiting on the candidate's opt-in (the registry's).
AWAITING_CONSENT = {name: spec.awaiting_consent for name, spec in CHANNEL_SPECS.items() if spec.awaiting_consent}


@dataclass(frozen=True)
class Row:
    candidate: Candidate
    reasons: dict[str, str | None]  # per channel: None when reachable, else why not

    @property
    def unreachable(self) -> dict[str, str]:
        """The chosen channels a nudge would not reach now, and why."""
        return {c: r for c, r in self.reasons.items() if r and r != "not_chosen"}


@dataclass(frozen=True)
class Found:
    rows: list[Row]
    next_cursor: str | None
    read: int  # candidates looked at for this page


@dataclass(frozen=True)
class CandidateDetail:
    row: Row
    calendars: list[CalendarConnection]
    interviews: list[dict[str, Any]]
    messages: list[LoggedMessage]
    welcome: dict[str, Any] | None = None  # the welcome nudge (held back by quiet hours, sent, skipped)


def matches(row: Row, query: str, filter_: str, cohort: str) -> bool:
    candidate = row.candidate
    if query:
        wanted = query.casefold()
        if (
            not any(wanted in a.casefold() for a in candidate.addresses)
            and wanted not in (candidate.name or "").casefold()
        ):
            return False
    if cohort and str(getattr(candidate, "join_code", "") or "") != cohort:
        return False
    if filter_ == "unreachable":
        return bool(row.unreachable)
    if filter_ == "awaiting_consent":
        return any(row.reasons.get(name) == reason for name, reason in AWAITING_CONSENT.items())
    if filter_ == "paused":
        return candidate.paused
    if filter_ == "bounced":
        return row.reasons.get("email") in EMAIL_REFUSALS
    return True


class AdviserViews:
    def __init__(
        self,
        directory: CandidateDirectory,
        people: CandidateRepository,
        preferences: Preferences,
        candidates: CandidateService,
        calendars: Any,
        log: MessageLog,
        nudges: Any = None,
    ) -> None:
        self._nudges = nudges
        self._directory = directory
        self._people = people
        self._preferences = preferences
        self._candidates = candidates
        self._calendars = calendars
        self._log = log

    def row(self, candidate: Candidate) -> Row:
        refused = self._preferences.refusals(candidate)
        reasons: dict[str, str | None] = {str(c): r for c, r in reachability(candidate, refused).items()}
        return Row(candidate, reasons)

    def find(self, query: str = "", filter_: str = "", cohort: str = "", cursor: str | None = None) -> Found:
        query = query.strip()
        if "@" in query and " " not in query and not filter_ and not cohort and not cursor:
            # An address: the candidate registered with it, one GetItem (any case).
            candidate = self._people.by_email(query)
            if candidate is not None:
                return Found([self.row(candidate)], None, 1)
        rows: list[Row] = []
        read = 0
        while True:
            # Never more than the room left on the page: the cursor then points just past the
            # last candidate shown, and no match is skipped between two pages.
            page, cursor = self._directory.page(cursor, size=PAGE_SIZE - len(rows))
            read += len(page)
            for candidate in page:
                row = self.row(candidate)
                if matches(row, query, filter_, cohort):
                    rows.append(row)
            if not cursor or len(rows) >= PAGE_SIZE or read >= READ_LIMIT:
                return Found(rows, cursor, read)

    def detail(self, candidate_id: str, now: datetime) -> CandidateDetail:
        candidate = self._candidates.get(candidate_id)  # NotFound for an unknown id
        welcome = self._nudges.get(candidate_id, SIGN_UP_KIND) if self._nudges is not None else None
        return CandidateDetail(
            welcome=(
                {
                    "kind": SIGN_UP_KIND,
                    "due_at": iso(welcome.due_at) if welcome.due_at else None,
                    "status": welcome.status,
                    **({"reason": welcome.reason} if welcome.reason else {}),
                    "channels": nudge_channels(welcome, candidate.reachable_channels()),
                }
                if welcome
                else None
            ),
            row=self.row(candidate),
            calendars=self._calendars.connections(candidate_id),
            interviews=self._candidates.timeline(candidate_id, now),
            messages=self._log.for_candidate(candidate_id),
        )
