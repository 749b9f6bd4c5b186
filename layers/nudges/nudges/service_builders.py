"""One way to build the services (issue 20): each builder reads only the ports its service needs, so
the AWS wiring (nudges.wiring), the tests' in-memory fakes (tests.fakes.repositories.World), the
message book (scripts/messages.py) and the local console all build a service here; and the one
place the layer defers an import (``_load``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from nudges.domain.candidate import Candidate
    from nudges.domain.messages import Branding
    from nudges.domain.plan import NudgeTimings
    from nudges.domain.service_messages import WelcomeLinks
    from nudges.services.bookings import BookingService
    from nudges.services.candidates import Timeline
    from nudges.services.composing import MessageComposer
    from nudges.services.outcomes import OutcomeService
    from nudges.services.planning import NudgePlanner
    from nudges.services.ports import (
        Applications,
        Candidates,
        ChannelSender,
        Interviews,
        Messages,
        Nudges,
        Preferences,
        Scheduler,
    )
    from nudges.services.ports import Retention as RetentionPort
    from nudges.services.sending import SendService


def _load(path: str) -> Any:
    """``module.attribute``, imported now: the one place the layer defers an import."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class _Deferred:
    """An instance built by ``build`` on its first attribute access (then that instance)."""

    __slots__ = ("_build", "_built")

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._built: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._built is None:
            self._built = self._build()
        return getattr(self._built, name)


class Ports(Protocol):
    """What the services are built on, by name: the AWS adapters above (``AWS``), the tests'
    in-memory fakes (``tests.fakes.repositories.World``), the message book's store in memory
    (``scripts/messages.py``), the local console's read-only repositories. Each builder below
    reads only the ports its service needs, so everything that builds a service builds it here."""

    candidates: Candidates
    interviews: Interviews
    applications: Applications
    nudges: Nudges
    scheduler: Scheduler
    retention: RetentionPort
    preferences: Preferences
    message_log: Messages


def build_planner(ports: Ports, timings: NudgeTimings) -> NudgePlanner:
    return _load("nudges.services.planning.NudgePlanner")(
        ports.interviews, ports.applications, ports.nudges, ports.scheduler, timings
    )


def build_bookings(ports: Ports, planner: NudgePlanner) -> BookingService:
    return _load("nudges.services.bookings.BookingService")(
        ports.interviews, ports.candidates, ports.retention, planner
    )


def build_outcomes(ports: Ports, planner: NudgePlanner) -> OutcomeService:
    return _load("nudges.services.outcomes.OutcomeService")(
        ports.interviews, ports.applications, ports.candidates, ports.retention, planner
    )


def build_composer(
    ports: Ports,
    unsubscribe_link: Callable[[str], str | None],
    branding: Branding | None = None,
    welcome_links: Callable[[Candidate], WelcomeLinks] | None = None,
    timings: NudgeTimings | None = None,
    outcome_link: Callable[[str, str], str | None] | None = None,
) -> MessageComposer:
    compose = _load("nudges.services.composing.MessageComposer")
    more = {"branding": branding} if branding is not None else {}
    return compose(
        ports.interviews,
        ports.applications,
        ports.candidates,
        unsubscribe_link,
        welcome_links=welcome_links,
        timings=timings,
        outcome_link=outcome_link,
        **more,
    )


def build_sender(
    ports: Ports, composer: MessageComposer, senders: dict[str, ChannelSender], timings: NudgeTimings | None = None
) -> SendService:
    # The timings: a nudge is checked again at send time for whether it still helps.
    return _load("nudges.services.sending.SendService")(
        ports.nudges, ports.preferences, composer, senders, timings, ports.message_log
    )


def build_timeline(ports: Ports) -> Timeline:
    """The operators' interview timeline, read only (the API's and the local console's)."""
    return _load("nudges.services.candidates.Timeline")(
        ports.candidates, ports.interviews, ports.applications, ports.nudges
    )
