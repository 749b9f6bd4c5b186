"""What a nudge says right now, from what is stored right now: ``MessageComposer`` reads once
what a message is decided from (``MessageInputs``), then decides it purely (the sender,
nudges.services.sending, claims and sends what it composes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nudges import clock
from nudges.domain import message_context, messages, people, service_messages
from nudges.domain.channels import CHANNEL_SPECS, CHANNELS
from nudges.domain.company_names import company_display
from nudges.domain.interview import everyone_met, normalise_email, person_key
from nudges.domain.kinds import KIND_SPECS, NUDGE_KINDS
from nudges.domain.plan import NudgeTimings
from nudges.domain.rounds import application_rounds, ended_before, last_round, reply_to, round_people
from nudges.errors import InvalidInput, NotFound
from nudges.services.addresses import interviews_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.records import Application
    from nudges.services.ports import (
        Applications,
        Candidates,
        Interviews,
    )


@dataclass(frozen=True)
class MessageInputs:
    """Everything a nudge's message is decided from, read once (``MessageComposer.read``)."""

    kind: str
    candidate: Candidate
    interview: Interview | None
    application: Application | None
    every: list[Interview]  # the application's rounds as stored (this one included)
    unsubscribe_url: str | None
    welcome_links: service_messages.WelcomeLinks | None = None


class MessageComposer:
    """What a nudge says right now, from what is stored right now.

    Reads the nudge's owner and the candidate, then every round of the application: who is
    new and who was met before, the best-known name of everyone (nudges.domain.people), whom a
    follow-up or a rejection reply goes to, and the company as the interviews name it. The
    words follow ``now``, the send time ("yesterday" for a thank-you sent the next morning).
    """

    def __init__(
        self,
        interviews: Interviews,
        applications: Applications,
        candidates: Candidates,
        unsubscribe_link: Callable[[str], str | None],
        branding: messages.Branding = messages.DEFAULT_BRANDING,
        welcome_links: Callable[[Candidate], service_messages.WelcomeLinks] | None = None,
        timings: NudgeTimings | None = None,
        outcome_link: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self._outcome_link = outcome_link  # (candidate id, application id) -> the outcome page
        self._interviews = interviews
        self._applications = applications
        self._candidates = candidates
        self.unsubscribe_link = unsubscribe_link
        self.branding = branding  # in every message's footer, whoever composes it
        self._welcome_links = welcome_links
        self._timings = timings or NudgeTimings()

    def preview(self, interview_id: str, kind: str, channel: str) -> tuple[Candidate, messages.Message]:
        """What the interview's ``kind`` nudge would say now (the operator's preview, on ``channel``):
        InvalidInput for an unknown kind or channel, NotFound when there is nothing to address."""
        if kind not in NUDGE_KINDS:
            raise InvalidInput(f"kind: must be one of {', '.join(NUDGE_KINDS)}", field="kind")
        if channel not in CHANNELS:
            raise InvalidInput(f"channel: must be {' or '.join(CHANNELS)}", field="channel")
        found = self._interviews.get(interview_id)
        if found is None:
            raise NotFound(f"no interview {interview_id}", field="interview_id")
        owner = KIND_SPECS[kind].owner
        owner_id = found[0].application_id if owner == "application" else interview_id
        if owner == "candidate":  # the welcome of the interview's candidate
            registered = self._candidates.by_email(found[0].candidate_email)
            owner_id = registered.candidate_id if registered else ""
        composed = self.compose(owner_id, kind, preview=True)
        if isinstance(composed, str):
            raise NotFound(composed, field="interview_id")
        return composed

    def compose(
        self, owner_id: str, kind: str, *, preview: bool = False, now: datetime | None = None
    ) -> tuple[Candidate, messages.Message] | str:
        """The candidate and the message as it would read at ``now`` (default: now), or why there
        is nothing to send. The owner is an application (``ap_...``) or an interview."""
        if KIND_SPECS[kind].owner == "candidate":  # the welcome (``c_...``)
            return self.message(
                kind, None, None, self._candidates.get(owner_id), now=now or clock.now(), preview=preview
            )
        interview: Interview | None = None
        application: Application | None = None
        if owner_id.startswith("ap_"):
            application = self._applications.get(owner_id)
            email = application.candidate_email if application else None
        else:
            found = self._interviews.get(owner_id)
            interview = found[0] if found else None
            email = interview.candidate_email if interview else None
        candidate = self._candidates.by_email(email) if email else None
        return self.message(kind, interview, application, candidate, now=now or clock.now(), preview=preview)

    def message(
        self,
        kind: str,
        interview: Interview | None,
        application: Application | None,
        candidate: Candidate | None,
        *,
        now: datetime,
        preview: bool = False,
        sms_only: bool | None = None,
    ) -> tuple[Candidate, messages.Message] | str:
        """The message from the nudge's owner and candidate as read, or why there is none.
        ``sms_only``: email cannot reach the candidate (default: they have not chosen it)."""
        inputs = self.read(kind, interview, application, candidate, preview=preview)
        if isinstance(inputs, str):
            return inputs
        return self.decide(inputs, now=now, preview=preview, sms_only=sms_only)

    def read(
        self,
        kind: str,
        interview: Interview | None,
        application: Application | None,
        candidate: Candidate | None,
        *,
        preview: bool = False,
    ) -> MessageInputs | str:
        """Everything the message is decided from, read once: the application (when the kind
        needs it and the view did not bring it) and the application's rounds (one Query); or why
        there is nothing to send, found before reading more."""
        spec = KIND_SPECS[kind]
        if spec.owner == "candidate":
            if candidate is None or self._welcome_links is None:
                return "the candidate is no longer registered"
            link = self.unsubscribe_link(candidate.candidate_id)
            return MessageInputs(kind, candidate, None, None, [], link, self._welcome_links(candidate))
        if candidate is not None and not candidate.wants(kind) and not preview:
            return "paused by the candidate" if candidate.paused else "turned off by the candidate"
        if interview is None and application is None:
            return "nothing to send" if spec.needs_application else "the interview was cancelled"
        owner_email = interview.candidate_email if interview else application.candidate_email  # type: ignore[union-attr]
        # Filed under the candidate's address, current or one they had (an alias).
        if candidate is None or normalise_email(owner_email) not in candidate.addresses:
            return "the candidate is no longer registered"
        application_id = interview.application_id if interview else application.application_id  # type: ignore[union-attr]
        on_interview = spec.owner == "interview"
        if on_interview and (interview is None or (interview.status == "cancelled" and not preview)):
            return "the interview was cancelled"
        if spec.needs_application and application is None:
            application = self._applications.get(application_id)
        wanted = spec.outcome
        if wanted and (application is None or application.outcome != wanted) and not preview:
            return "the application has no offer" if wanted == "offer" else f"the application has no {wanted} outcome"
        every = [i for i in interviews_of(self._interviews, candidate) if i.application_id == application_id]
        if interview is not None and all(i.interview_id != interview.interview_id for i in every):
            every.append(interview)
        link = self.unsubscribe_link(candidate.candidate_id)
        return MessageInputs(kind, candidate, interview, application, every, link)

    def decide(
        self, inputs: MessageInputs, *, now: datetime, preview: bool = False, sms_only: bool | None = None
    ) -> tuple[Candidate, messages.Message] | str:
        """The message, from what was read (pure: no read, no write), or why there is none."""
        kind, candidate, interview, application = inputs.kind, inputs.candidate, inputs.interview, inputs.application
        spec = KIND_SPECS[kind]
        if spec.owner == "candidate":
            assert inputs.welcome_links is not None
            return candidate, service_messages.welcome(
                candidate,
                inputs.welcome_links,
                self._timings,
                unsubscribe_url=inputs.unsubscribe_url,
                branding=self.branding,
            )
        every = inputs.every
        rounds = sorted((i for i in every if i.status != "cancelled"), key=lambda i: (i.start, i.interview_id))
        if spec.needs_application and not rounds:
            return "the application has no interview to reply about"
        if spec.last_round_only and interview is not None:
            # Read again at send time (two rounds planned at once may both have planned one): only
            # the application's last round follows up, and only while no outcome has arrived.
            last = last_round(application_rounds(interview, every))
            if last is not None and last.interview_id != interview.interview_id:
                return "a later interview was booked: it plans its own follow-up"
            ended = application is not None and ended_before(application.outcome, application.outcome_at, interview)
            if ended and not preview:
                return f"the application ended: {application.outcome}"  # type: ignore[union-attr]
        context = self._context(kind, candidate, interview, application, every, rounds, now, inputs.unsubscribe_url)
        if sms_only is not None:
            context = replace(context, sms_only=sms_only)
        return candidate, messages.compose(kind, context)

    def _context(
        self,
        kind: str,
        candidate: Candidate,
        interview: Interview | None,
        application: Application | None,
        every: list[Interview],
        rounds: list[Interview],
        now: datetime,
        unsubscribe_url: str | None,
    ) -> message_context.Context:
        names = people.best_names(every)

        def sorted_people(round_: Interview) -> people.People:
            # Stored before "who is a person" was one rule, a role mailbox may sit among the
            # interviewers: sorted again here, so it is never greeted. A contact stays one (a
            # coordinator who does not attend is a person, but no interviewer).
            found = people.sort_people(
                [people.Address(p.email, p.name) for p in round_.interviewers], exclude=list(candidate.addresses)
            )
            contacts = (
                *found.contacts,
                *(p for p in round_.contacts if normalise_email(p.email) not in candidate.addresses),
            )
            return people.People(people.named(found.interviewers, names), people.named(contacts, names))

        # A follow-up is about its own round (the last, checked above); a rejection reply and a
        # connect nudge about the application's last round.
        spec = KIND_SPECS[kind]
        about = interview if spec.about == "own_round" else last_round(rounds)
        about = about or interview
        assert about is not None
        this = sorted_people(about)
        earlier = {person_key(p) for p in round_people(about, every).met_before}
        everyone = people.named(
            [p for p in everyone_met(rounds) if people.role_of(people.Address(p.email, p.name)) == "interviewer"],
            names,
        )
        recruiter = next((r.recruiter for r in reversed(rounds) if r.recruiter is not None), about.recruiter)
        if recruiter is not None:
            recruiter = people.named([recruiter], names)[0]
        addressee, addressee_is_contact = None, False
        if spec.recipients == "arranger" and recruiter is not None:
            addressee = recruiter  # an agency's consultant: they arranged it, they hear back first
        elif spec.recipients == "arranger":
            # The contact who arranged the interviews (the latest round that names one), else the
            # round's organizer (rounds.reply_to).
            arranged_by = next(
                (sorted_people(r).contacts[0] for r in reversed(rounds) if sorted_people(r).contacts), None
            )
            addressee = reply_to(replace(about, interviewers=this.interviewers), arranged_by)
            addressee_is_contact = arranged_by is not None
        company = about.company if about else (application.company if application else None)
        return message_context.Context(
            candidate=candidate,
            now=now,
            company=company_display(company),
            interview=about,
            interviewers=this.interviewers,
            met_before=tuple(p for p in this.interviewers if person_key(p) in earlier),
            everyone=everyone,
            addressee=addressee,
            addressee_is_contact=addressee_is_contact,
            recruiter=recruiter,
            sms_only=not _email_reaches(candidate.reachable_channels()),
            unsubscribe_url=unsubscribe_url,
            branding=self.branding,
            outcome_url=(
                self._outcome_link(candidate.candidate_id, about.application_id)
                if self._outcome_link and spec.links_outcome
                else None
            ),
        )


def _email_reaches(channels: list[str] | tuple[str, ...]) -> bool:
    """Whether one of ``channels`` carries the whole email (the short texts may point to it)."""
    return any(CHANNEL_SPECS[c].body == "email" for c in channels)
