"""What is filed under a candidate's addresses: interviews and applications are found by address
(GSI1 ``EMAIL#<address>``), and a candidate who changed their email has data under each address
they had (``Candidate.addresses``: the current one, then the aliases). Every reader that finds a
candidate's data reads it through here, so no address is forgotten."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.records import Application
    from nudges.services.ports import Applications, Interviews


def interviews_of(interviews: Interviews, candidate: Candidate) -> list[Interview]:
    """The candidate's interviews, under every address they had (one Query an address)."""
    return [i for address in candidate.addresses for i in interviews.for_email(address)]


def applications_of(applications: Applications, candidate: Candidate) -> list[Application]:
    return [a for address in candidate.addresses for a in applications.for_email(address)]


def owned_by(interviews: Interviews, candidate: Candidate) -> tuple[list[Interview], list[str]]:
    """The candidate's interviews and application ids, under every address (one Query each)."""
    found: list[Interview] = []
    application_ids: list[str] = []
    for address in candidate.addresses:
        more, ids = interviews.owned_by(address)
        found += more
        application_ids += ids
    return found, application_ids
