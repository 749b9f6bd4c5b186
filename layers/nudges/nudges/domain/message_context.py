"""What a nudge's message is decided from, as read at send time (nudges.services.composing reads
it; nudges.domain.messages decides the words from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.domain.rendering import DEFAULT_BRANDING, Branding

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview, Person


@dataclass(frozen=True)
class Context:
    """Everything a message says, as read at send time.

    ``interview``: the round it is about (the last one for follow_up and rejection_reply);
    ``interviewers``: that round's people, named as best known; ``met_before``: those of them
    met in an earlier round of the application; ``everyone``: everyone met in the application
    (connect); ``addressee``: whom a follow-up or a rejection reply goes to; ``company``: its
    display name, None when unknown; ``now``: the send time; ``sms_only``: email is not a channel
    the candidate can be reached on, so the SMS must carry the essentials.
    """

    candidate: Candidate
    now: datetime
    company: str | None = None
    interview: Interview | None = None
    interviewers: tuple[Person, ...] = ()
    met_before: tuple[Person, ...] = ()
    everyone: tuple[Person, ...] = ()
    addressee: Person | None = None
    addressee_is_contact: bool = False  # a team mailbox: named in the SMS, greeted "Hello,"
    recruiter: Person | None = None  # an agency's consultant who arranged it (nudges.domain.agencies)
    sms_only: bool = False
    unsubscribe_url: str | None = None
    branding: Branding = DEFAULT_BRANDING  # who it comes from: the footer names the operator
    outcome_url: str | None = None  # the candidate's outcome page for this application (thank_you, follow_up)
