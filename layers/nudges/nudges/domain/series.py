"""An invite's event taken as a whole: what a calendar file says about one UID (a one-off event
or a whole series) against what is stored for that UID, so a moved series leaves only its new
occurrences booked (docs/providers.md "Series").

An iCalendar event is one UID; a series is its master (``RRULE``/``RDATE``, less ``EXDATE``)
with its ``RECURRENCE-ID`` overrides. Each occurrence is stored as an interview of its own
(reference ``<candidate>/<UID>/<occurrence>``; a one-off is ``<candidate>/<UID>``). When a file
carries the master, it says the whole event as it now stands:

- older news (a lower ``SEQUENCE`` than one stored, or the same with an earlier ``DTSTAMP``)
  changes nothing: the whole file's event is left out, said so;
- otherwise every stored occurrence still ahead, within the window the file's expansion covers,
  that the file no longer books (a moved ``DTSTART``, a changed ``RRULE``, an ``EXDATE``, a
  one-off become a series or back) is cancelled with its nudges;
- a ``CANCEL`` without ``RECURRENCE-ID`` (RFC 5546 lets it leave out ``DTSTART``) cancels the
  whole event: every stored occurrence still ahead.

A file with only overrides (no master) changes only the occurrences it names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.interview import Interview


@dataclass(frozen=True)
class Revision:
    """What one file says about one UID as a whole."""

    uid: str
    ref: str  # ``<candidate>/<UID>``: every occurrence's reference starts with it
    sequence: int
    stamp: datetime | None  # DTSTAMP (or LAST-MODIFIED)
    refs: frozenset[str]  # the references the file books (one-off or occurrences)
    through: datetime  # the end of the window the file's expansion covers
    cancel_all: bool = False  # a CANCEL of the whole event


@dataclass(frozen=True)
class Reconciliation:
    stale: str | None  # why the file's event is older news than what is stored, or None
    cancel: tuple[Interview, ...]  # stored occurrences the file no longer books, to cancel


def belongs(interview: Interview, ref: str) -> bool:
    """Whether ``interview`` is the event ``ref`` names or one of its occurrences."""
    return interview.source_ref == ref or interview.source_ref.startswith(ref + "/")


def _older(revision: Revision, stored: Interview) -> bool:
    known = stored.provider_version or 0
    if revision.sequence != known:
        return revision.sequence < known
    return bool(revision.stamp and stored.updated_at and revision.stamp < stored.updated_at)


def reconcile(revision: Revision, stored: list[Interview], now: datetime) -> Reconciliation:
    """The file's event (``revision``) against every stored interview (any source): stale, or
    which stored occurrences it cancels."""
    mine = [i for i in stored if i.source == "ics" and belongs(i, revision.ref)]
    newer = [i for i in mine if _older(revision, i)]
    if newer:
        known = max(i.provider_version or 0 for i in newer)
        return Reconciliation(
            f"an older revision (SEQUENCE {revision.sequence}) than the one already received (SEQUENCE {known})",
            (),
        )
    ahead = [i for i in mine if i.status == "scheduled" and i.start > now]
    if revision.cancel_all:
        gone = ahead
    else:
        gone = [i for i in ahead if i.source_ref not in revision.refs and i.start <= revision.through]
    told = [replace(i, provider_version=revision.sequence, updated_at=revision.stamp or i.updated_at) for i in gone]
    return Reconciliation(None, tuple(told))
