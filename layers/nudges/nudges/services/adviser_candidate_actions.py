"""What an adviser does to candidates from the console's forms: add one, import a CSV, edit one,
add, move or cancel an interview by hand. Each goes through the operator API's own model and
service (``NewCandidate`` and ``CandidateService.register`` as ``POST /candidates``,
``CandidateChanges`` and ``CandidateService.update`` as ``PATCH /candidates/{id}``,
``HandInterviews`` as ``POST|PATCH|DELETE /candidates/{id}/interviews``), and each is written to
the audit log with who did it.

A CSV import takes the good rows in and names each bad one by its line (as ``nudges candidates
import`` does): a row whose address is already registered is "already registered" and changes
nothing, so uploading the same file again, or the file fixed, registers nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nudges.adapters.audit_log import AuditEntry
from nudges.errors import Conflict, InvalidInput, NotFound
from nudges.models.api import CandidateChanges, NewCandidate
from nudges.models.parsing import parse

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.adapters.audit_log import AuditLog
    from nudges.domain.advisers import Adviser
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.models.api import NewInterview
    from nudges.models.candidate_rows import Row
    from nudges.services.candidates import CandidateService
    from nudges.services.hand_interviews import HandInterviews

COMPARED = ("name", "phone", "timezone", "locale")  # what "registered with other details" looks at


@dataclass
class Imported:
    """One import: each row's line and what came of it."""

    created: list[tuple[int, str, str]] = field(default_factory=list)  # (line, email, candidate_id)
    already: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, email, id, "other name")
    failed: list[tuple[int, str]] = field(default_factory=list)  # (line, "field: why")
    left: list[tuple[int, str]] = field(default_factory=list)  # (line, email): not reached in time


def _differences(row: dict[str, Any], registered: Candidate) -> list[str]:
    fields = [name for name in COMPARED if name in row and row[name] != getattr(registered, name)]
    if sorted(row["channels"]) != sorted(registered.channels):
        fields.append("channels")
    return fields


class AdviserCandidateActions:
    def __init__(self, candidates: CandidateService, hand_interviews: HandInterviews, audit: AuditLog) -> None:
        self._candidates = candidates
        self._hand = hand_interviews
        self._audit = audit

    def _record(self, adviser: Adviser, action: str, now: datetime, **what: str) -> None:
        self._audit.write(AuditEntry(now, adviser.sub, adviser.email, action, **what))

    def _registered(self, email: str) -> Candidate | None:
        try:
            return self._candidates.find(email)
        except NotFound:
            return None

    # ---------------------------------------------------------------- add and import
    def register(self, adviser: Adviser, body: dict[str, Any], now: datetime, how: str = "added") -> Candidate:
        """``body`` as ``POST /candidates`` takes it. An address already registered is refused
        (``Conflict`` naming the candidate): the console adds, it never changes by adding."""
        new = parse(NewCandidate, body)
        existing = self._registered(new.email)
        if existing is not None:
            raise Conflict(
                "email: already registered; open that candidate to change them",
                field="email",
                candidate_id=existing.candidate_id,
            )
        candidate = self._candidates.register(new, now)
        self._record(adviser, "register", now, candidate_id=candidate.candidate_id, detail=how, subject=candidate.email)
        return candidate

    def import_rows(
        self,
        adviser: Adviser,
        rows: list[Row],
        bad: list[tuple[int, str]],
        now: datetime,
        source: str,
        out_of_time: Callable[[], bool] = lambda: False,
    ) -> Imported:
        """The good rows registered one by one (the bad ones, already named, stay out). When
        ``out_of_time`` says so, the rows not reached yet are ``left``: the same file uploaded
        again finishes them (the rows done are then "already registered")."""
        result = Imported(failed=list(bad))
        for index, row in enumerate(rows):
            if out_of_time():
                result.left = [(r.line, r.candidate["email"]) for r in rows[index:]]
                break
            existing = self._registered(row.candidate["email"])
            if existing is not None:
                differs = _differences(row.candidate, existing)
                note = f"other {', '.join(differs)}" if differs else ""
                result.already.append((row.line, existing.email, existing.candidate_id, note))
                continue
            try:
                candidate = self.register(adviser, row.candidate, now, how=f"imported from {source}, line {row.line}")
            except Conflict as taken:  # registered meanwhile (another adviser, the API)
                result.already.append((row.line, row.candidate["email"], taken.details.get("candidate_id", ""), ""))
                continue
            except InvalidInput as refused:  # the API's own check, stricter than the file's
                result.failed.append((row.line, refused.message))
                continue
            result.created.append((row.line, candidate.email, candidate.candidate_id))
        result.failed.sort()
        return result

    # ---------------------------------------------------------------- edit
    def update(self, adviser: Adviser, candidate_id: str, body: dict[str, Any], now: datetime) -> list[str]:
        """``body`` as ``PATCH /candidates/{id}`` takes it; the names of the fields that changed."""
        changes = parse(CandidateChanges, body)
        current = self._candidates.get(candidate_id)
        given = changes.model_dump(exclude_unset=True)
        changed = [
            name
            for name, value in given.items()
            if (tuple(value) if isinstance(value, list) else value) != getattr(current, name, None)
        ]
        if not changed:
            return []
        updated = self._candidates.update(candidate_id, changes, now)
        self._record(
            adviser,
            "update",
            now,
            candidate_id=candidate_id,
            detail="changed " + ", ".join(changed),
            subject=updated.email,
        )
        return changed

    # ---------------------------------------------------------------- interviews by hand
    def add_interview(self, adviser: Adviser, candidate_id: str, new: NewInterview, now: datetime) -> Interview:
        candidate = self._candidates.get(candidate_id)
        booked = self._hand.add(candidate, new, now)
        self._record(
            adviser,
            "interview_added",
            now,
            candidate_id=candidate_id,
            interview_id=booked.interview_id,
            detail=f"{booked.company}, {booked.start.isoformat()}",
            subject=candidate.email,
        )
        return booked

    def interview(self, candidate_id: str, interview_id: str) -> Interview:
        """The candidate's interview (any source), for its form; NotFound for another's."""
        return self._hand.owned(self._candidates.get(candidate_id), interview_id)

    def move_interview(
        self, adviser: Adviser, candidate_id: str, interview_id: str, new: NewInterview, now: datetime
    ) -> Interview:
        candidate = self._candidates.get(candidate_id)
        before = self._hand.owned(candidate, interview_id)
        moved = self._hand.edit(candidate, interview_id, new, now)
        self._record(
            adviser,
            "interview_changed",
            now,
            candidate_id=candidate_id,
            interview_id=interview_id,
            detail=f"{moved.company}, {before.start.isoformat()} -> {moved.start.isoformat()}",
            subject=candidate.email,
        )
        return moved

    def cancel_interview(self, adviser: Adviser, candidate_id: str, interview_id: str, now: datetime) -> None:
        candidate = self._candidates.get(candidate_id)
        before = self._hand.owned(candidate, interview_id)
        if before.status == "cancelled":
            return  # cancelling twice is cancelling once (and audited once)
        cancelled = self._hand.cancel(candidate, interview_id, now)
        self._record(
            adviser,
            "interview_cancelled",
            now,
            candidate_id=candidate_id,
            interview_id=interview_id,
            detail=f"{cancelled.company}, {cancelled.start.isoformat()}",
            subject=candidate.email,
        )
