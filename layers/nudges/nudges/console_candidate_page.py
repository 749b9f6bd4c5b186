"""The advisers' console's page of one candidate: their details, interviews and nudges, consent on
record, and the forms an adviser acts with (record an outcome, resend the consent request,
erase). The console's frame and shared pieces are nudges.console_pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nudges.domain.advisers import Adviser
    from nudges.domain.messages import Branding
    from nudges.services.adviser_views import CandidateDetail
from nudges.console_pages import (
    CANDIDATES,
    KIND_LABELS,
    OUTCOME_LABELS,
    _described,
    _error,
    badge,
    csrf_field,
    e,
    layout,
    reason,
    when,
)


def _consent(record: Any) -> str:
    if record is None:
        return "none"
    return f"{e(record.method)}, {e(record.obtained_at.date().isoformat())}"


def _nudge_rows(interview: dict[str, Any], zone: str) -> str:
    rows = []
    for nudge in interview["nudges"]:
        channels = []
        for channel, entry in sorted(nudge.get("channels", {}).items()):
            detail = (
                f" — {reason(entry.get('reason'))}"
                if entry.get("reason")
                else (f" {when(entry['sent_at'], zone)}" if entry.get("sent_at") else "")
            )
            channels.append(
                f'<li data-channel="{e(channel)}" data-status="{e(entry["status"])}">'
                f"{e(channel)}: {badge(entry['status'])}{detail}</li>"
            )
        why = f'<br><span class="muted">{reason(nudge["reason"])}</span>' if nudge.get("reason") else ""
        rows.append(
            f'<tr class="nudge" data-kind="{e(nudge["kind"])}" data-status="{e(nudge["status"])}">'
            f'<th scope="row">{e(KIND_LABELS.get(nudge["kind"], nudge["kind"]))}</th>'
            f"<td>{when(nudge.get('due_at'), zone)}</td><td>{badge(nudge['status'])}{why}</td>"
            f"<td>{'<ul>' + ''.join(channels) + '</ul>' if channels else '—'}</td></tr>"
        )
    if not rows:
        return '<p class="muted">No nudges planned.</p>'
    return (
        '<table><thead><tr><th scope="col">Nudge</th><th scope="col">Due</th><th scope="col">Status</th>'
        f'<th scope="col">Per channel</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _outcome_form(csrf: str, candidate_id: str, interview_id: str, error: str = "") -> str:
    field = f"outcome-{e(interview_id)}"
    options = "".join(f'<option value="{k}">{e(v)}</option>' for k, v in OUTCOME_LABELS.items())
    return (
        f'<form method="post" action="{CANDIDATES}/{e(candidate_id)}/outcome" class="outcome">{csrf_field(csrf)}'
        f'<input type="hidden" name="interview_id" value="{e(interview_id)}">'
        f'<label for="{field}">Outcome of this application</label>'
        f'<select id="{field}" name="outcome"{_described(field, error)}>{options}</select>'
        f'{_error(field, error)} <button type="submit">Record the outcome</button></form>'
    )


def _consent_form(csrf: str, candidate_id: str) -> str:
    return (
        f'<form method="post" action="{CANDIDATES}/{e(candidate_id)}/consent-request">{csrf_field(csrf)}'
        '<button type="submit">Resend the consent request</button></form>'
    )


def _erase_form(csrf: str, candidate_id: str, error: str = "") -> str:
    return (
        '<section aria-labelledby="erase"><h2 id="erase">Erase</h2>'
        "<p>Removes the candidate and everything stored about them, and cancels their nudges. "
        "This cannot be undone.</p>"
        f'<form method="post" action="{CANDIDATES}/{e(candidate_id)}/erase">{csrf_field(csrf)}'
        '<label for="confirm">Type ERASE to confirm</label>'
        f'<input id="confirm" name="confirm" autocomplete="off"{_described("confirm", error)}>'
        f'{_error("confirm", error)} <button type="submit">Erase this candidate</button></form></section>'
    )


def candidate_page(
    branding: Branding,
    adviser: Adviser,
    csrf: str,
    detail: CandidateDetail,
    *,
    zone: str,
    panels_url: str = "",
    notice: str = "",
    errors: dict[str, str] | None = None,
) -> str:
    errors = errors or {}
    c = detail.row.candidate
    reach = "".join(
        f'<li data-channel="{e(ch)}" data-reason="{e(why or "")}">{e(ch)}: '
        + (f'<span class="bad">not reachable — {reason(why)}</span>' if why else '<span class="ok">reachable</span>')
        + "</li>"
        for ch, why in detail.row.reasons.items()
    )
    calendars = "".join(
        f"<li>{e(cal.provider)}: {e(cal.account_email or cal.calendar_id)} (since {when(cal.connected_at, zone)})</li>"
        for cal in detail.calendars
    )
    interviews = []
    for interview in detail.interviews:
        people = ", ".join(e(p["name"] or p["email"]) for p in interview["interviewers"]) or "—"
        interviews.append(
            f'<article id="iv-{e(interview["interview_id"])}" data-status="{e(interview["status"])}">'
            f"<h3>{e(interview['title'])} {badge(interview['status'])}</h3>"
            f"<p>{when(interview['start'], zone)} · {e(interview['company'])} · with {people}</p>"
            + (
                f'<p><a class="move" href="{CANDIDATES}/{e(c.candidate_id)}/interviews/{e(interview["interview_id"])}/edit">'
                "Move or cancel this interview</a></p>"
                if interview.get("source") == "hand" and interview["status"] != "cancelled"
                else ""
            )
            + f"{_nudge_rows(interview, zone)}"
            + _outcome_form(
                csrf,
                c.candidate_id,
                interview["interview_id"],
                errors.get("outcome", "") if errors.get("interview_id") == interview["interview_id"] else "",
            )
            + "</article>"
        )
    messages = "".join(
        f'<tr data-kind="{e(m.kind)}" data-channel="{e(m.channel)}" data-status="{e(m.status)}">'
        f"<td>{when(m.sent_at, zone)}</td><td>{e(KIND_LABELS.get(m.kind, m.kind))}</td><td>{e(m.channel)}</td>"
        f"<td>{badge(m.status)}</td></tr>"
        for m in detail.messages
    )
    message_table = (
        '<table><thead><tr><th scope="col">Sent</th><th scope="col">Message</th><th scope="col">Channel</th>'
        f'<th scope="col">Status</th></tr></thead><tbody>{messages}</tbody></table>'
        if messages
        else '<p class="muted">No messages sent yet.</p>'
    )
    kinds_off = ", ".join(e(KIND_LABELS.get(k, k)) for k in c.kinds_off) or "none"
    body = (
        f'<p><a href="{CANDIDATES}">← Candidates</a></p><h1>{e(c.name or c.email)}</h1>'
        + (f'<p class="notice" role="status" id="notice">{e(notice)}</p>' if notice else "")
        + (f'<p class="error" role="alert">{e(errors["page"])}</p>' if errors.get("page") else "")
        + '<section aria-labelledby="profile"><h2 id="profile">Profile</h2><dl>'
        f"<dt>Email</dt><dd>{e(c.email)}</dd><dt>Phone</dt><dd>{e(c.phone or '—')}</dd>"
        f"<dt>Time zone</dt><dd>{e(c.timezone)}</dd><dt>Language</dt><dd>{e(c.locale)}</dd>"
        f"<dt>Channels</dt><dd>{e(', '.join(c.channels))}</dd>"
        f"<dt>Paused</dt><dd>{'yes' if c.paused else 'no'}</dd><dt>Nudges turned off</dt><dd>{kinds_off}</dd>"
        f"<dt>Registered</dt><dd>{when(c.created_at, zone)}</dd>"
        f'<dt>Id</dt><dd class="id">{e(c.candidate_id)}</dd></dl>'
        f'<p><a id="edit" href="{CANDIDATES}/{e(c.candidate_id)}/edit">Edit</a></p></section>'
        f'<section aria-labelledby="reach"><h2 id="reach">Reachability</h2><ul id="reachability">{reach}</ul>'
        f"<h3>Consent to texts</h3><p>From the operator: {_consent(c.sms_consent)}. "
        f"Their own YES: {_consent(c.sms_yes)}.</p>{_consent_form(csrf, c.candidate_id)}"
        f"<h3>Calendars</h3>{'<ul>' + calendars + '</ul>' if calendars else '<p class=muted>None connected.</p>'}"
        "</section>"
        f'<section aria-labelledby="ivs"><h2 id="ivs">Interviews and nudges</h2>'
        f'<p><a id="add-interview" href="{CANDIDATES}/{e(c.candidate_id)}/interviews/new">Add an interview by hand</a></p>'
        + (f'<div id="welcome">{_nudge_rows({"nudges": [detail.welcome]}, zone)}</div>' if detail.welcome else "")
        + f"{''.join(interviews) or '<p class=muted>No interviews yet.</p>'}</section>"
        f'<section aria-labelledby="log"><h2 id="log">Messages</h2>{message_table}</section>'
        f"{_erase_form(csrf, c.candidate_id, errors.get('confirm', ''))}"
    )
    return layout(c.name or c.email, body, branding, adviser=adviser, csrf=csrf, panels_url=panels_url)
