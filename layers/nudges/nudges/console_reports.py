"""The console's reports (both adviser groups), included by the console function's ``app.py``.

GET /console/reports                  messages per kind and channel by status, over a period
                                      (``from``/``to``, whole days in the adviser's zone; default
                                      the last 30 days by the service's clock)
GET /console/reports/messages.csv     the same numbers as CSV
GET /console/reports/unreachable      candidates a chosen channel does not reach, and why (paged)
GET /console/reports/unreachable.csv  every one of them, one line a channel
GET /console/reports/outcomes         offers, rejections, withdrawals per join code and month of
                                      the outcome (``cohort`` for one), and those still waiting
GET /console/reports/outcomes.csv     the same numbers as CSV

A period the form cannot make (a date that is not one, ``to`` before ``from``, over a year) is
answered 400 with the form and the reason beside the field, for the CSVs too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler.api_gateway import Router

from nudges import clock, config, console_wiring, report_pages
from nudges.console_web import csv_response, html, panels, query, signed_in, zone
from nudges.domain.reports import Period, PeriodError, parse_period

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler import Response

    from nudges.services.console_auth import Current

router = Router()


def _asked(current: Current, refuse: Callable[[str, str, dict[str, str]], str]) -> Period | Response:
    """The period asked for, or (when it cannot be made) a 400 page from ``refuse`` with the
    dates as typed and the reason beside each field."""
    first, last = query("from"), query("to")
    try:
        return parse_period(first, last, zone(current), clock.now())
    except PeriodError as bad:
        return html(400, refuse(first, last, bad.errors))


def _messages_form(current: Current) -> Callable[[str, str, dict[str, str]], str]:
    def refuse(first: str, last: str, errors: dict[str, str]) -> str:
        return report_pages.messages_page(
            config.branding(),
            current.adviser,
            current.session.csrf,
            first=first,
            last=last,
            zone=zone(current),
            table=None,
            errors=errors,
            panels_url=panels(),
        )

    return refuse


@router.get("/console/reports")
@signed_in()
def messages(current: Current) -> Response:
    period = _asked(current, _messages_form(current))
    if not isinstance(period, Period):
        return period
    page = report_pages.messages_page(
        config.branding(),
        current.adviser,
        current.session.csrf,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        zone=period.zone,
        table=console_wiring.reports().messages(period),
        panels_url=panels(),
    )
    return html(200, page)


@router.get("/console/reports/messages.csv")
@signed_in()
def messages_csv(current: Current) -> Response:
    period = _asked(current, _messages_form(current))
    if not isinstance(period, Period):
        return period
    rows, totals = console_wiring.reports().messages(period)
    return csv_response(
        f"messages-{period.first.isoformat()}-{period.last.isoformat()}.csv",
        report_pages.MESSAGES_HEADER,
        [report_pages.message_cells(r) for r in [*rows, totals]],
    )


@router.get("/console/reports/unreachable")
@signed_in()
def unreachable(current: Current) -> Response:
    cursor = query("cursor")
    found = console_wiring.reports().unreachable(cursor or None)
    page = report_pages.unreachable_page(
        config.branding(), current.adviser, current.session.csrf, found, cursor=cursor, panels_url=panels()
    )
    return html(200, page)


@router.get("/console/reports/unreachable.csv")
@signed_in()
def unreachable_csv(current: Current) -> Response:
    lines = (line for row in console_wiring.reports().every_unreachable() for line in report_pages.unreachable_cells(row))
    return csv_response("unreachable.csv", report_pages.UNREACHABLE_HEADER, lines)


def _outcomes_form(current: Current) -> Callable[[str, str, dict[str, str]], str]:
    def refuse(first: str, last: str, errors: dict[str, str]) -> str:
        return report_pages.outcomes_page(
            config.branding(),
            current.adviser,
            current.session.csrf,
            first=first,
            last=last,
            cohort=query("cohort").strip(),
            zone=zone(current),
            rows=None,
            errors=errors,
            panels_url=panels(),
        )

    return refuse


@router.get("/console/reports/outcomes")
@signed_in()
def outcomes(current: Current) -> Response:
    period, cohort = _asked(current, _outcomes_form(current)), query("cohort").strip()
    if not isinstance(period, Period):
        return period
    page = report_pages.outcomes_page(
        config.branding(),
        current.adviser,
        current.session.csrf,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        cohort=cohort,
        zone=period.zone,
        rows=console_wiring.reports().outcomes(period, cohort),
        panels_url=panels(),
    )
    return html(200, page)


@router.get("/console/reports/outcomes.csv")
@signed_in()
def outcomes_csv(current: Current) -> Response:
    period, cohort = _asked(current, _outcomes_form(current)), query("cohort").strip()
    if not isinstance(period, Period):
        return period
    rows = console_wiring.reports().outcomes(period, cohort)
    return csv_response(
        f"outcomes-{period.first.isoformat()}-{period.last.isoformat()}.csv",
        report_pages.OUTCOMES_HEADER,
        [report_pages.outcome_cells(r) for r in rows],
    )
