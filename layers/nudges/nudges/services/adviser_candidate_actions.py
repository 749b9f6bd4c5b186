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
from nudges.domain.page_words import say
from nudges.errors import Conflict, InvalidInput, NotFound
from nudges.models.api import CandidateChanges, NewCandidate, NewInterview
from nudges.models.candidate_forms import candidate_changes, new_candidate
from nudges.models.forms import FieldErrors, hand_interview
from nudges.models.parsing import parse

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.adapters.audit_log import AuditLog
    from nudges.domain.advisers import Adviser
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.models.candidate_rows import Row
    from nudges.models.forms import Form
    from nudges.services.candidates import CandidateService
    from nudges.services.hand_interviews import HandInterviews

COMPARED = ("name", "phone", "timezone", "locale")  # what "registered with other details" looks at
# The console speaks to advisers: the candidate pages' words, where those speak to the candidate.
ADVISER_WORDS = {
    "channels": "Choose at least one way to reach them.",
    "phone_needed": "A mobile number is needed for text messages and WhatsApp.",
}
ADD_FIELDS = frozenset({"email", "name", "phone", "timezone", "locale", "join_code", "sms_consent"})
EDIT_FIELDS = frozenset({"email", "name", "phone", "timezone", "locale", "channels"})
INTERVIEW_FIELDS = frozenset(
    {"company", "role", "date", "time", "duration", "timezone", "location", "interviewer_name_1"}
)


@dataclass(frozen=True)
class Acted:
    """What a console form did: what it made or changed, or per field what is wrong (plain words;
    ``summary``: not about one field). The forms are read here, behind ``wiring``, so the console's
    cold start loads neither pydantic nor the phone and address checks."""

    errors: dict[str, str] = field(default_factory=dict)
    candidate_id: str = ""
    interview_id: str = ""
    changed: tuple[str, ...] = ()
    taken: str = ""  # the address is already registered: that candidate's id


def _words(errors: dict[str, str]) -> dict[str, str]:
    """``FieldErrors`` keys in plain words (the candidate pages' catalog, in English)."""
    return {name: ADVISER_WORDS.get(key) or say("fields", key, "en-GB", n=200) for name, key in errors.items()}


def _beside(bad: InvalidInput, known: frozenset[str]) -> dict[str, str]:
    """The API's refusal ("phone: must be ...") beside its field, else at the top."""
    name = (bad.field or "").split(".")[0]
    return {name if name in known else "summary": bad.message}


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
        current = self._candidates.get(candidate_id)
        if str(body.get("email", "")).lower() == current.email:
            body = {k: v for k, v in body.items() if k != "email"}  # the address as it stands
        changes = parse(CandidateChanges, body)
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

    # ---------------------------------------------------------------- the console's forms
    def add_form(self, adviser: Adviser, form: Form, now: datetime) -> Acted:
        try:
            candidate = self.register(adviser, new_candidate(form, now), now)
        except FieldErrors as refused:
            return Acted(_words(refused.errors))
        except Conflict as taken:
            return Acted({"email": "Already registered."}, taken=taken.details.get("candidate_id", ""))
        except InvalidInput as bad:
            return Acted(_beside(bad, ADD_FIELDS))
        return Acted(candidate_id=candidate.candidate_id)

    def edit_form(self, adviser: Adviser, candidate_id: str, form: Form, now: datetime) -> Acted:
        try:
            changed = self.update(adviser, candidate_id, candidate_changes(form), now)
        except FieldErrors as refused:
            return Acted(_words(refused.errors))
        except InvalidInput as bad:
            return Acted(_beside(bad, EDIT_FIELDS))
        return Acted(candidate_id=candidate_id, changed=tuple(changed))

    def interview_form(
        self, adviser: Adviser, candidate_id: str, interview_id: str, form: Form, now: datetime
    ) -> Acted:
        """Add an interview (``interview_id`` empty) or move one added by hand."""
        try:
            new = parse(NewInterview, hand_interview(form, now).body())
        except FieldErrors as refused:
            return Acted(_words(refused.errors))
        except InvalidInput as bad:
            return Acted(_beside(bad, INTERVIEW_FIELDS))
        if interview_id:
            moved = self.move_interview(adviser, candidate_id, interview_id, new, now)
        else:
            moved = self.add_interview(adviser, candidate_id, new, now)
        return Acted(candidate_id=candidate_id, interview_id=moved.interview_id)
