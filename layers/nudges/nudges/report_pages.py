"""The console's reports as plain HTML (the layout, words and escaping of ``console_pages``):
messages per kind and channel over a period, unreachable candidates and why, outcomes per cohort
and month; each page links its CSV, which carries the same numbers (the CSV columns are here too,
so a page and its CSV cannot drift apart)."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING, Any

from nudges.console_pages import CANDIDATES, KIND_LABELS, REASONS, e, layout, reason
from nudges.domain.reports import NO_COHORT, STATUS_COLUMNS, WAITING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from nudges.domain.advisers import Adviser
    from nudges.domain.messages import Branding
    from nudges.domain.reports import MessageRow, OutcomeRow
    from nudges.services.adviser_views import Found, Row

REPORTS = "/console/reports"  # the messages report
UNREACHABLE = "/console/reports/unreachable"
OUTCOMES = "/console/reports/outcomes"
MESSAGES_CSV = "/console/reports/messages.csv"
UNREACHABLE_CSV = "/console/reports/unreachable.csv"
OUTCOMES_CSV = "/console/reports/outcomes.csv"

STATUS_LABELS = {
    "delivered": "Delivered",
    "read": "Read (WhatsApp)",
    "bounced": "Bounced",
    "complained": "Complained",
    "failed": "Failed",
    "delayed": "Delayed",
    "pending": "Pending",
}
NO_COHORT_LABEL = "(no join code)"
WAITING_LABEL = "still waiting"

# The CSVs: their header row, and each row as the page shows it.
MESSAGES_HEADER = ("kind", "channel", "sent", *STATUS_COLUMNS)
UNREACHABLE_HEADER = ("candidate_id", "name", "email", "join_code", "channel", "reason", "why", "paused", "kinds_off")
OUTCOMES_HEADER = ("join_code", "month", "offers", "rejections", "withdrawals", "still_waiting")


def message_cells(row: MessageRow) -> list[Any]:
    return [row.kind or "total", row.channel, row.sent, *(row.counts[c] for c in STATUS_COLUMNS)]


def unreachable_cells(row: Row) -> list[list[Any]]:
    c = row.candidate
    return [
        [
            c.candidate_id,
            c.name or "",
            c.email,
            getattr(c, "join_code", "") or "",
            channel,
            why,
            REASONS.get(why, why),
            "yes" if c.paused else "",
            " ".join(c.kinds_off),
        ]
        for channel, why in row.unreachable.items()
    ]


def outcome_cells(row: OutcomeRow) -> list[Any]:
    return [row.cohort, row.month or "waiting", row.offers, row.rejections, row.withdrawals, row.waiting]


def _tabs(current: str) -> str:
    tabs = [(REPORTS, "Messages"), (UNREACHABLE, "Unreachable candidates"), (OUTCOMES, "Outcomes per cohort")]
    items = " · ".join(
        f'<a href="{href}"{" aria-current=page" if href == current else ""}>{e(label)}</a>' for href, label in tabs
    )
    return f'<nav aria-label="Reports"><p>{items}</p></nav>'


def _error(field: str, errors: dict[str, str]) -> str:
    message = errors.get(field, "")
    return f'<p class="error" id="{field}-error">{e(message)}</p>' if message else ""


def _described(field: str, errors: dict[str, str]) -> str:
    return f' aria-describedby="{field}-error" aria-invalid="true"' if errors.get(field) else ""


def _period_form(action: str, first: str, last: str, zone: str, errors: dict[str, str], extra: str = "") -> str:
    return (
        f'<section><form method="get" action="{action}" class="search" aria-label="Report period">'
        f'<div><label for="from">From (YYYY-MM-DD)</label><input id="from" name="from" value="{e(first)}"'
        f' inputmode="numeric" placeholder="2031-03-01"{_described("from", errors)}>{_error("from", errors)}</div>'
        f'<div><label for="to">To (YYYY-MM-DD)</label><input id="to" name="to" value="{e(last)}"'
        f' inputmode="numeric" placeholder="2031-03-31"{_described("to", errors)}>{_error("to", errors)}</div>'
        f"{extra}"
        '<div><button type="submit">Show</button></div></form>'
        f'<p class="muted">Whole days in your time zone ({e(zone)}), both included; '
        f'the last 30 days unless you choose. <a href="{e("/console/settings")}">Change your time zone</a>.</p>'
        "</section>"
    )


def _csv_link(path: str, params: dict[str, str], label: str) -> str:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v})
    href = f"{path}?{query}" if query else path
    return f'<p><a href="{e(href)}" id="csv" download>{e(label)}</a></p>'


def messages_page(
    branding: Branding,
    adviser: Adviser,
    csrf: str,
    *,
    first: str,
    last: str,
    zone: str,
    table: tuple[list[MessageRow], MessageRow] | None,
    errors: dict[str, str] | None = None,
    panels_url: str = "",
) -> str:
    errors = errors or {}
    heads = "".join(f'<th scope="col">{e(STATUS_LABELS[c])}</th>' for c in STATUS_COLUMNS)
    result = ""
    if table is not None:
        rows, totals = table
        lines = [
            f'<tr data-kind="{e(r.kind)}" data-channel="{e(r.channel)}">'
            f'<th scope="row">{e(KIND_LABELS.get(r.kind, r.kind))}</th><td>{e(r.channel)}</td><td>{r.sent}</td>'
            + "".join(f"<td>{r.counts[c]}</td>" for c in STATUS_COLUMNS)
            + "</tr>"
            for r in rows
        ]
        total = (
            f'<tr data-kind="total"><th scope="row">Total</th><td></td><td>{totals.sent}</td>'
            + "".join(f"<td>{totals.counts[c]}</td>" for c in STATUS_COLUMNS)
            + "</tr>"
        )
        result = (
            '<section aria-labelledby="counts"><h2 id="counts">Messages sent from '
            f"{e(first)} to {e(last)}</h2>"
            + (
                '<table id="messages"><thead><tr><th scope="col">Kind</th><th scope="col">Channel</th>'
                f'<th scope="col">Sent</th>{heads}</tr></thead><tbody>{"".join(lines)}</tbody>'
                f"<tfoot>{total}</tfoot></table>"
                if rows
                else '<p id="none">No message was sent in this period.</p>'
            )
            + '<p class="muted">Each message is counted once, under the furthest status its provider has '
            "reported: pending means no report yet; a message read on WhatsApp, or marked as spam, "
            "was delivered first. Sent is the sum of the row.</p>"
            + _csv_link(MESSAGES_CSV, {"from": first, "to": last}, "Download as CSV")
            + "</section>"
        )
    body = (
        "<h1>Reports</h1>"
        + _tabs(REPORTS)
        + "<h2>Messages per kind and channel</h2>"
        + _period_form(REPORTS, first, last, zone, errors)
        + result
    )
    return layout(
        "Reports: messages", body, branding, adviser=adviser, csrf=csrf, current=REPORTS, panels_url=panels_url
    )


def _reasons(row: Row) -> str:
    return "<br>".join(f"{e(channel)}: {reason(why)}" for channel, why in row.unreachable.items())


def unreachable_page(
    branding: Branding, adviser: Adviser, csrf: str, found: Found, *, cursor: str = "", panels_url: str = ""
) -> str:
    lines = []
    for row in found.rows:
        c = row.candidate
        lines.append(
            f'<tr data-candidate="{e(c.candidate_id)}"><td><a href="{CANDIDATES}/{e(c.candidate_id)}">'
            f"{e(c.name or c.email)}</a></td><td>{e(c.email)}</td><td>{_reasons(row)}</td>"
            f"<td>{'paused' if c.paused else ''}</td><td>{e(' '.join(c.kinds_off))}</td>"
            f"<td>{e(getattr(c, 'join_code', '') or '')}</td></tr>"
        )
    table = (
        '<table id="unreachable"><caption class="muted">Newest registration first</caption><thead><tr>'
        '<th scope="col">Name</th><th scope="col">Email</th><th scope="col">Not reached, and why</th>'
        '<th scope="col">Paused</th><th scope="col">Kinds turned off</th><th scope="col">Cohort</th></tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table>"
        if lines
        else (
            f'<p id="none">No unreachable candidate among the {found.read} looked at here; more follow.</p>'
            if found.next_cursor
            else '<p id="none">Every candidate is reachable on the channels they chose.</p>'
        )
    )
    pager = ""
    if found.next_cursor:
        params = urllib.parse.urlencode({"cursor": found.next_cursor})
        pager = f'<p class="pager"><a href="{UNREACHABLE}?{e(params)}" rel="next">More candidates</a></p>'
    start = f' (<a href="{UNREACHABLE}">from the start</a>)' if cursor else ""
    body = (
        "<h1>Reports</h1>"
        + _tabs(UNREACHABLE)
        + '<section aria-labelledby="results"><h2 id="results">Unreachable candidates</h2>'
        "<p>Candidates a nudge would not reach now on a channel they chose, and why: an email that "
        "bounced or was marked as spam, STOP texted, no YES to texts yet, paused, or no address."
        f"{start}</p>{table}{pager}"
        + _csv_link(UNREACHABLE_CSV, {}, "Download every unreachable candidate as CSV")
        + "</section>"
    )
    return layout(
        "Reports: unreachable candidates",
        body,
        branding,
        adviser=adviser,
        csrf=csrf,
        current=REPORTS,
        panels_url=panels_url,
    )


def outcomes_page(
    branding: Branding,
    adviser: Adviser,
    csrf: str,
    *,
    first: str,
    last: str,
    cohort: str,
    zone: str,
    rows: Iterable[OutcomeRow] | None,
    errors: dict[str, str] | None = None,
    panels_url: str = "",
) -> str:
    errors = errors or {}
    extra = f'<div><label for="cohort">Cohort (join code)</label><input id="cohort" name="cohort" value="{e(cohort)}"></div>'
    result = ""
    if rows is not None:
        lines = [
            f'<tr data-cohort="{e(r.cohort)}" data-month="{e(r.month or "waiting")}">'
            f'<th scope="row">{e(r.cohort if r.cohort != NO_COHORT else NO_COHORT_LABEL)}</th>'
            f"<td>{e(r.month if r.month != WAITING else WAITING_LABEL)}</td>"
            f"<td>{r.offers}</td><td>{r.rejections}</td><td>{r.withdrawals}</td><td>{r.waiting}</td></tr>"
            for r in rows
        ]
        result = (
            '<section aria-labelledby="counts"><h2 id="counts">Outcomes from '
            f"{e(first)} to {e(last)}</h2>"
            + (
                '<table id="outcomes"><thead><tr><th scope="col">Cohort</th><th scope="col">Month of the outcome</th>'
                '<th scope="col">Offers</th><th scope="col">Rejections</th><th scope="col">Withdrawals</th>'
                f'<th scope="col">Still waiting</th></tr></thead><tbody>{"".join(lines)}</tbody></table>'
                if lines
                else '<p id="none">No application in this period.</p>'
            )
            + '<p class="muted">Each application counted once, under the outcome it has now and the month '
            "it came in your time zone; still waiting counts every application with no outcome yet, "
            "whatever the period.</p>"
            + _csv_link(OUTCOMES_CSV, {"from": first, "to": last, "cohort": cohort}, "Download as CSV")
            + "</section>"
        )
    body = (
        "<h1>Reports</h1>"
        + _tabs(OUTCOMES)
        + "<h2>Outcomes per cohort and month</h2>"
        + _period_form(OUTCOMES, first, last, zone, errors, extra)
        + result
    )
    return layout(
        "Reports: outcomes", body, branding, adviser=adviser, csrf=csrf, current=REPORTS, panels_url=panels_url
    )
