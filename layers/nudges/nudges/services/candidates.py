"""Registering, reading and erasing candidates, and the interview timeline operators see."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from nudges.domain.candidate import MAX_EMAIL_ALIASES, Candidate, Consent
from nudges.domain.channels import CHANNEL_SPECS, CONSENT_FIELDS
from nudges.domain.company_names import company_display
from nudges.domain.interview import normalise_email
from nudges.domain.kinds import NUDGE_KINDS
from nudges.domain.locales import DEFAULT_LOCALE
from nudges.errors import Conflict, InvalidInput, NotFound
from nudges.models.forms import email_address
from nudges.observability import logger
from nudges.services.addresses import applications_of, interviews_of
from nudges.timefmt import iso

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.records import NudgeRecord
    from nudges.models.api import CandidateChanges, NewCandidate
    from nudges.services.candidate_calendars import CalendarService
    from nudges.services.consent_requests import ConsentRequestService
    from nudges.services.email_change import EmailChangeNotice
    from nudges.services.planning import NudgePlanner
    from nudges.services.ports import Applications, Candidates, Interviews, Nudges, PhoneConsent, Retention, Scheduler


def valid_email(raw: str) -> str:
    """An address as registration takes it (checked, lower case), or ``InvalidInput`` naming ``email``."""
    try:
        return email_address(str(raw or "").strip()[:320])
    except ValueError:
        raise InvalidInput("email: not a valid email address", field="email") from None


def _registration(candidate: Candidate) -> tuple[Any, ...]:
    """What a registration asks for (not the ids the service makes up)."""
    return (
        candidate.email,
        candidate.timezone,
        candidate.channels,
        candidate.phone,
        candidate.name,
        candidate.locale,
        candidate.draft_locale,
    )


class CandidateService:
    def __init__(
        self,
        candidates: Candidates,
        interviews: Interviews,
        applications: Applications,
        nudges: Nudges,
        retention: Retention,
        planner: NudgePlanner,
        scheduler: Scheduler,
        calendars: CalendarService,
        consent: PhoneConsent | None = None,
        consent_requests: ConsentRequestService | None = None,
        default_locale: str = DEFAULT_LOCALE,
        email_changed: EmailChangeNotice | None = None,
    ) -> None:
        # Tells the old address of a change (services.email_change); None: nobody is told.
        self._email_changed = email_changed
        self._consent_requests = consent_requests  # the YES request when texts become wanted without consent
        self._default_locale = default_locale  # the template's DefaultLocale
        self._candidates = candidates
        self._interviews = interviews
        self._applications = applications
        self._nudges = nudges
        self._retention = retention
        self._consent = consent
        self._planner = planner
        self._scheduler = scheduler
        self._calendars = calendars

    def register(self, new: NewCandidate, now: datetime) -> Candidate:
        candidate = Candidate(
            candidate_id=f"c_{secrets.token_hex(12)}",
            email=normalise_email(new.email),
            timezone=new.timezone,
            channels=tuple(dict.fromkeys(new.channels)),
            created_at=now,
            ics_inbox_token=secrets.token_urlsafe(18),
            phone=new.phone,
            name=new.name,
            locale=new.resolved_locale(self._default_locale),
            draft_locale=new.draft_locale,
            sms_consent=(
                Consent(new.sms_consent.obtained_at, new.sms_consent.method, text=new.sms_consent.text)
                if new.sms_consent
                else None
            ),
            whatsapp_consent=(
                Consent(new.whatsapp_consent.obtained_at, new.whatsapp_consent.method, text=new.whatsapp_consent.text)
                if new.whatsapp_consent
                else None
            ),
            join_code=new.join_code,
        )
        try:
            self._candidates.add(candidate)
        except Conflict:
            # The same registration again is an operator retrying a call whose answer was lost
            # (or that failed after the write): it gets the same candidate, and the planning
            # below finishes what the first attempt may have left undone.
            existing = self._candidates.by_email(candidate.email)
            if existing is None:
                raise
            if _registration(existing) != _registration(candidate):
                raise Conflict(
                    f"email: already registered with other details, as {existing.candidate_id}; "
                    f"change them with PATCH /candidates/{existing.candidate_id}",
                    field="email",
                    candidate_id=existing.candidate_id,
                ) from None
            candidate = existing
        logger.info("candidate registered", extra={"candidate_id": candidate.candidate_id})
        self._planner.sync_welcome(candidate, now)
        # Interviews and offers that arrived before the registration get their nudges now (both
        # found in one Query; each application then read consistently, as it may just have changed).
        interviews, application_ids = self._interviews.owned_by(candidate.email)
        for interview in interviews:
            self._planner.sync_interview(interview, candidate, now)
        for application_id in application_ids:
            application = self._applications.get(application_id)
            if application is not None and application.outcome == "offer":
                self._planner.sync_connect(application, candidate, now)
        return candidate

    def update(self, candidate_id: str, changes: CandidateChanges, now: datetime) -> Candidate:
        """Change email, channels, zone, locale, draft language, name or phone; nudges still ahead are
        re-planned. A new email goes through ``change_email`` (the old one kept as an alias and told)."""
        fields = changes.model_dump(exclude_unset=True)
        new_email = fields.pop("email", None)
        current = self.get(candidate_id)
        if "channels" in fields:
            fields["channels"] = tuple(dict.fromkeys(fields["channels"]))
        if "kinds_off" in fields:
            fields["kinds_off"] = tuple(dict.fromkeys(fields["kinds_off"]))
        for field in CONSENT_FIELDS.values():  # an opt-in recorded since registration, kept as evidence
            given = getattr(changes, field)
            if given is not None:
                fields[field] = Consent(given.obtained_at, given.method, text=given.text)
        updated = replace(current, **fields)
        for name in updated.channels:  # each chosen channel needs its address
            spec = CHANNEL_SPECS[name]
            if not spec.address(updated):
                field = spec.address_field
                raise InvalidInput(f"{field}: is required when channels include {name}", field=field)
        if new_email is not None:
            # After the checks above and before any write: a refused address changes nothing.
            moved = self.change_email(candidate_id, new_email, now, source="operator")
            current = replace(current, email=moved.email, email_aliases=moved.email_aliases)
            updated = replace(updated, email=moved.email, email_aliases=moved.email_aliases)
        self._candidates.update(updated)
        if updated.phone != current.phone and self._consent is not None:
            self._consent.move_phone(updated, current.phone, now)
            updated = replace(updated, sms_yes=None, sms_consent=None)
            if "sms_consent" in fields:  # this very change records the new number's consent
                updated = replace(updated, sms_consent=fields["sms_consent"])
                self._candidates.update(updated)
        if self._consent_requests is not None:
            self._consent_requests.after_change(updated, current, now)
        logger.info("candidate updated", extra={"candidate_id": candidate_id, "changed": sorted(fields)})
        for interview in interviews_of(self._interviews, updated):
            self._planner.sync_interview(interview, updated, now)
        return updated

    def change_email(self, candidate_id: str, new_email: str, now: datetime, source: str = "operator") -> Candidate:
        """Give the candidate a new address, at once (an operator or adviser vouches for it; the
        candidate's own page calls this only after the click on the link mailed to it).

        The old address stays an alias: invites naming it still match the candidate, and what is
        filed under it stays theirs. Refused with ``InvalidInput`` (field ``email``) for a
        malformed address, one another candidate holds (current or alias), or past
        ``MAX_EMAIL_ALIASES`` changes; nothing changes then. Interviews and offers that arrived
        for the new address before get their nudges, as at registration. The old address is
        mailed a short notice (``email_changed``). ``source``: who changed it, for the log."""
        current = self.get(candidate_id)
        new_email = valid_email(new_email)
        if new_email == normalise_email(current.email):
            return current
        if new_email not in current.email_aliases and len(current.email_aliases) >= MAX_EMAIL_ALIASES:
            raise InvalidInput(
                f"email: this candidate's address was changed {MAX_EMAIL_ALIASES} times already", field="email"
            )
        try:
            changed = self._candidates.change_email(current, new_email)
        except Conflict:
            raise InvalidInput("email: another candidate is registered with this address", field="email") from None
        logger.info("candidate email changed", extra={"candidate_id": candidate_id, "source": source})
        # What was filed under the new address before it was theirs (an invite, an offer).
        interviews, application_ids = self._interviews.owned_by(new_email)
        for interview in interviews:
            self._planner.sync_interview(interview, changed, now)
        for application_id in application_ids:
            application = self._applications.get(application_id)
            if application is not None and application.outcome == "offer":
                self._planner.sync_connect(application, changed, now)
        if self._email_changed is not None:
            self._email_changed.tell_old_address(changed, current.email, now)
        return changed

    def get(self, candidate_id: str) -> Candidate:
        candidate = self._candidates.get(candidate_id)
        if candidate is None:
            raise NotFound(f"no candidate {candidate_id}", field="candidate_id")
        return candidate

    def find(self, email: str) -> Candidate:
        """The candidate registered with this address, in any case."""
        candidate = self._candidates.by_email(email)
        if candidate is None:
            raise NotFound("no candidate registered with this email", field="email")
        return candidate

    def delete(self, candidate_id: str) -> None:
        candidate = self._candidates.get(candidate_id)
        if candidate is None:
            return  # erasing twice is erasing once
        owners = [i.interview_id for i in interviews_of(self._interviews, candidate)]
        owners += [a.application_id for a in applications_of(self._applications, candidate)]
        owners.append(candidate_id)  # the welcome
        for owner_id in owners:
            for nudge in self._nudges.for_owner(owner_id).values():
                self._scheduler.cancel(nudge.schedule_name)
        # Read before the erasure (it deletes them): what the providers' watches are stopped with.
        connections = self._calendars.connections(candidate_id)
        self._retention.erase(candidate)
        logger.info("candidate erased", extra={"candidate_id": candidate_id})
        # Ours first, the providers' after: an outage at Google or Microsoft neither delays nor
        # fails the erasure of our data, and a watch left running only meets 401s until it lapses.
        if connections:
            self._calendars.stop_watches(connections)

    def timeline(self, candidate_id: str, now: datetime) -> list[dict[str, Any]]:
        return Timeline(self._candidates, self._interviews, self._applications, self._nudges).timeline(
            candidate_id, now
        )


class Timeline:
    """The interview timeline operators see (the API's and the local console's): read only."""

    def __init__(
        self, candidates: Candidates, interviews: Interviews, applications: Applications, nudges: Nudges
    ) -> None:
        self._candidates = candidates
        self._interviews = interviews
        self._applications = applications
        self._nudges = nudges

    def timeline(self, candidate_id: str, now: datetime) -> list[dict[str, Any]]:
        candidate = self._candidates.get(candidate_id)
        if candidate is None:
            raise NotFound(f"no candidate {candidate_id}", field="candidate_id")
        # The application's own nudges (connect, rejection_reply) show with each of its rounds.
        owned = {
            a.application_id: list(self._nudges.for_owner(a.application_id).values())
            for a in applications_of(self._applications, candidate)
        }
        timeline = []
        for interview in sorted(interviews_of(self._interviews, candidate), key=lambda i: i.start):
            nudges = list(self._nudges.for_owner(interview.interview_id).values())
            nudges += owned.get(interview.application_id, [])
            timeline.append(
                {
                    "interview_id": interview.interview_id,
                    "status": interview.status_at(now),
                    "source": interview.source,
                    "title": interview.title,
                    # As every message writes it (nudges.domain.company_names.company_display).
                    "company": company_display(interview.company) or interview.company,
                    "application_id": interview.application_id,
                    "start": iso(interview.start),
                    "end": iso(interview.end),
                    "interviewers": [{"name": p.name, "email": p.email} for p in interview.interviewers],
                    **(
                        {"recruiter": {"name": interview.recruiter.name, "email": interview.recruiter.email}}
                        if interview.recruiter
                        else {}
                    ),
                    "nudges": [
                        {
                            "kind": n.kind,
                            "due_at": iso(n.due_at) if n.due_at else None,
                            "status": n.status,
                            **({"reason": n.reason} if n.reason else {}),
                            "channels": nudge_channels(n, candidate.reachable_channels()),
                        }
                        for n in sorted(nudges, key=lambda n: NUDGE_KINDS.index(n.kind))
                    ],
                }
            )
        return timeline


def nudge_channels(nudge: NudgeRecord, chosen: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Per channel, what became of the nudge: ``sent`` (with ``sent_at``) only for what went,
    ``skipped`` with the reason for a chosen channel that did not; a nudge skipped as a whole
    (no longer useful, turned off) is skipped on each chosen channel for its own reason.
    A nudge still scheduled, or cancelled before it went, has no channel entries."""
    channels = {c: dict(v) for c, v in nudge.channels.items()}
    if nudge.status == "skipped":
        for channel in chosen:
            channels.setdefault(channel, {"status": "skipped", "reason": nudge.reason or ""})
    return channels
