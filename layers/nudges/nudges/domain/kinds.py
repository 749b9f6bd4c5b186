"""The nudge kinds, each said once: who owns it, when it is due and until when it helps, what
it is about, whom its drafts address, what it needs read before it is sent, and the catalog
entries it says itself with. Every list of kinds (the planner's, the ledger's, the API's, the
metrics', the preferences page's) and every per-kind rule in sending reads this registry.

Adding a kind: a record here (and its name in :data:`NudgeKind`), its timing function in
``domain/plan.py`` (planned by ``services/planning.py``), its builder in ``domain/messages.py``
(``COMPOSE``), its entries in every ``locales/<locale>/LC_MESSAGES/messages.po``. The README's
map lists the files; ``tests/unit/test_registries.py`` checks each kind has every part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NudgeKind = Literal["welcome", "research_prompt", "thank_you", "connect", "follow_up", "rejection_reply"]
OptionalKind = Literal["research_prompt", "thank_you", "connect", "follow_up", "rejection_reply"]


@dataclass(frozen=True)
class KindSpec:
    name: NudgeKind
    # Whose key it is stored under: the candidate (``c_``), an interview, or an application
    # (``ap_``: the kinds that answer an outcome).
    owner: Literal["candidate", "interview", "application"]
    timing: str  # when it is due (domain/plan)
    usefulness: str  # until when it still helps (domain/plan.why_not_useful)
    # What the message is about: the candidate's sign-up, its own round, or the application's
    # last round (a connect nudge and a rejection reply).
    about: Literal["candidate", "own_round", "last_round"]
    # Whom its drafts address: nobody, each of the round's interviewers, whoever arranged the
    # interviews (else the organizer), or everyone met (connect: LinkedIn notes).
    recipients: Literal["none", "interviewers", "arranger", "everyone_met"]
    parts: tuple[str, ...]  # its catalog entries: ``<name>.<part>``
    outcome: str | None = None  # an application kind: the outcome that plans it
    # An application kind: the interview kinds still ahead it takes the place of when its outcome
    # comes (withdrawn with "replaced by the <its name>"); any other still ahead is withdrawn as ended.
    replaces: tuple[str, ...] = ()
    optional: bool = True  # the candidate may turn it off (the preferences page, the API)
    needs_application: bool = False  # read with its application, and only with a round to speak of
    last_round_only: bool = False  # only the application's last round sends it, until an outcome
    before_consent: bool = False  # may go by a channel that waits for consent (it asks for it)
    # Its message links the application's outcome page ("tell us how it went"): the kinds that
    # come while the candidate still waits for news.
    links_outcome: bool = False
    # The kind an invite's receipt announces ("your research prompt comes at ..."): the first the
    # candidate will get for the round.
    on_receipt: bool = False

    @property
    def catalog_keys(self) -> tuple[str, ...]:
        return tuple(f"{self.name}.{part}" for part in self.parts)


_NUDGE = ("subject", "email", "sms", "sms_only")

# In the order a candidate meets them (timelines, the console and the API list them so).
KIND_SPECS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec(
            "welcome",
            owner="candidate",
            timing="at registration, quiet hours permitting",
            usefulness="always",
            about="candidate",
            recipients="none",
            parts=("subject", "email", "sms", "forwarding"),
            optional=False,
            before_consent=True,
        ),
        KindSpec(
            "research_prompt",
            owner="interview",
            timing="research_lead before the start, quiet hours permitting",
            usefulness="until research_min_lead before the start",
            about="own_round",
            recipients="none",
            parts=(*_NUDGE, "people", "new", "met"),
            on_receipt=True,
        ),
        KindSpec(
            "thank_you",
            owner="interview",
            timing="thank_you_delay after the end, quiet hours permitting",
            usefulness="until 48 hours after the end",
            about="own_round",
            recipients="interviewers",
            parts=(*_NUDGE, "draft"),
            links_outcome=True,
        ),
        KindSpec(
            "follow_up",
            owner="interview",
            timing="follow_up_days after the application's last round, at follow_up_at on a weekday",
            usefulness="until 3 days past its moment",
            about="own_round",
            recipients="arranger",
            parts=(*_NUDGE, "draft"),
            needs_application=True,
            last_round_only=True,
            links_outcome=True,
        ),
        KindSpec(
            "rejection_reply",
            owner="application",
            timing="at the news, quiet hours permitting",
            usefulness="always",
            about="last_round",
            recipients="arranger",
            parts=(*_NUDGE, "draft"),
            outcome="rejected",
            replaces=("thank_you",),
            needs_application=True,
        ),
        KindSpec(
            "connect",
            owner="application",
            timing="at the offer, not before the last round ends, quiet hours permitting",
            usefulness="always",
            about="last_round",
            recipients="everyone_met",
            parts=(*_NUDGE, "note"),
            outcome="offer",
            needs_application=True,
        ),
    )
}

NUDGE_KINDS: tuple[NudgeKind, ...] = tuple(spec.name for spec in KIND_SPECS.values())
# The kinds an application owns (not one of its interviews), and the outcome each answers.
APPLICATION_KINDS: dict[str, str] = {s.name: s.outcome for s in KIND_SPECS.values() if s.outcome is not None}
# The kinds an interview owns (stored under the interview's key).
INTERVIEW_NUDGE_KINDS: tuple[NudgeKind, ...] = tuple(s.name for s in KIND_SPECS.values() if s.owner == "interview")
# The kinds a candidate may turn off on their preferences page (the welcome is not one of them).
OPTIONAL_KINDS: tuple[OptionalKind, ...] = tuple(s.name for s in KIND_SPECS.values() if s.optional)  # type: ignore[misc]


# The kind the candidate owns: sent once, at sign-up (the welcome).
SIGN_UP_KIND: NudgeKind = next(s.name for s in KIND_SPECS.values() if s.owner == "candidate")
# The kind an invite's receipt announces (the research prompt).
RECEIPT_KIND: NudgeKind = next(s.name for s in KIND_SPECS.values() if s.on_receipt)
# The kind only an application's last round sends (the follow-up), read across rounds.
LAST_ROUND_KIND: NudgeKind = next(s.name for s in KIND_SPECS.values() if s.last_round_only)


def kind(name: str) -> KindSpec:
    return KIND_SPECS[name]


def answering(outcome: str | None) -> tuple[NudgeKind, ...]:
    """The application kinds an outcome plans (kept when the outcome is told again)."""
    return tuple(s.name for s in KIND_SPECS.values() if outcome is not None and s.outcome == outcome)


def answer_to(outcome: str) -> NudgeKind:
    """The one application kind an outcome plans (``offer``: connect; ``rejected``: the reply)."""
    (name,) = answering(outcome)
    return name


def replaced_on(outcome: str | None) -> dict[str, str]:
    """The interview kinds still ahead that an outcome's answer replaces, each with its reason."""
    return {
        replaced: f"replaced by the {KIND_SPECS[name].name.replace('_', ' ')}"
        for name in answering(outcome)
        for replaced in KIND_SPECS[name].replaces
    }
