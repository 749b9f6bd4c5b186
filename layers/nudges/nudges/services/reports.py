"""The console's reports: messages per kind and channel over a period, unreachable candidates and
why, applications' outcomes per cohort and month. Read only; the counting is
``domain.reports``'s.

- Messages: the message log's GSI2 (``MessageLog.sent_between``: one Query a shard of each month
  of the period, only that period's messages, three attributes each), never a Scan.
- Unreachable: ``AdviserViews.find`` with its ``unreachable`` filter, the candidate list's own
  reachability (the refusals behind ``reachable``), page by page; the CSV reads every page.
- Outcomes: the candidate listing (one cohort's with ``cohort``) and each candidate's
  applications (``ApplicationRepository.for_email``) and interviews (``for_email``): a walk of
  the roster, for a report asked for now and then (docs/performance.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.domain.records import Application
from nudges.domain.reports import NO_COHORT, message_rows, outcome_rows

if TYPE_CHECKING:
    from collections.abc import Iterator

    from nudges.domain.candidate import Candidate
    from nudges.domain.reports import MessageRow, OutcomeRow, Period
    from nudges.services.adviser_views import AdviserViews, Found, Row

DIRECTORY_PAGE = 100


class Reports:
    def __init__(self, log: Any, views: AdviserViews, directory: Any, applications: Any, interviews: Any) -> None:
        self._log = log
        self._interviews = interviews
        self._views = views
        self._directory = directory
        self._applications = applications

    def messages(self, period: Period) -> tuple[list[MessageRow], MessageRow]:
        """Per kind and channel, every message sent in the period by the status it has reached."""
        return message_rows(self._log.sent_between(period.start, period.end))

    def unreachable(self, cursor: str | None = None) -> Found:
        """A page of candidates a chosen channel does not reach now (newest registration first)."""
        return self._views.find(filter_="unreachable", cursor=cursor)

    def every_unreachable(self) -> Iterator[Row]:
        cursor: str | None = None
        while True:
            found = self._views.find(filter_="unreachable", cursor=cursor)
            yield from found.rows
            cursor = found.next_cursor
            if not cursor:
                return

    def _candidates(self, cohort: str) -> Iterator[Candidate]:
        cursor: str | None = None
        while True:
            page, cursor = self._directory.page(cursor, size=DIRECTORY_PAGE, join_code=cohort or None)
            yield from page
            if not cursor:
                return

    def _cohort_applications(self, cohort: str) -> Iterator[tuple[str, Application]]:
        """Each application of the cohort's candidates: those with an outcome as recorded, and
        those of an interview not cancelled that have none yet (an application is stored only
        once its outcome comes; until then it is its interviews' ``application_id``)."""
        for candidate in self._candidates(cohort):
            code = str(getattr(candidate, "join_code", "") or NO_COHORT)
            recorded = {a.application_id: a for a in self._applications.for_email(candidate.email)}
            for interview in self._interviews.for_email(candidate.email):
                if interview.status != "cancelled" and interview.application_id not in recorded:
                    recorded[interview.application_id] = Application(
                        interview.application_id, candidate.email, interview.company
                    )
            for application in recorded.values():
                yield code, application

    def outcomes(self, period: Period, cohort: str = "") -> list[OutcomeRow]:
        """Per cohort (join code) and month of the outcome in the period: offers, rejections and
        withdrawals; and each cohort's applications still waiting. ``cohort``: that one only."""
        return outcome_rows(self._cohort_applications(cohort.strip()), period)
