"""The advisers' console forms about candidates: add one, import a CSV (and its result), edit
one, add, move or cancel an interview by hand. Plain HTML on ``console_pages.layout``, no
JavaScript; each refused field has its message beside it (``aria-describedby``) and the input
is kept. The routes are ``nudges.console_candidates``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nudges.console_pages import CANDIDATES, csrf_field, e, layout, when
from nudges.domain.channels import CHANNEL_SPECS, CHANNELS
from nudges.domain.locales import LOCALES
from nudges.domain.page_words import say
from nudges.page_frame import COUNTRIES, country_for

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from nudges.domain.advisers import Adviser
    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview
    from nudges.domain.messages import Branding
    from nudges.services.adviser_candidate_actions import Imported

NEW = f"{CANDIDATES}/new"
IMPORT = f"{CANDIDATES}/import"
# The join page's names; a channel never used to ask for consent needs the opt-in recorded first.
CHANNEL_LABELS = {
    name: say("join", f"channel.{name}", "en-GB") + ("" if spec.asks_for_consent else " (needs their opt-in)")
    for name, spec in CHANNEL_SPECS.items()
}
MAX_INTERVIEWER_ROWS = 3


def edit_url(candidate_id: str) -> str:
    return f"{CANDIDATES}/{e(candidate_id)}/edit"


def interview_url(candidate_id: str, interview_id: str = "") -> str:
    base = f"{CANDIDATES}/{e(candidate_id)}/interviews"
    return f"{base}/{e(interview_id)}/edit" if interview_id else f"{base}/new"


@dataclass
class Filled:
    """A form as shown: its values (the adviser's input, kept on a refusal) and, per field, what
    is wrong with it in plain words."""

    values: Mapping[str, list[str]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "", index: int = 0) -> str:
        given = self.values.get(name)
        return given[index] if given and len(given) > index else default


@dataclass(frozen=True)
class Chrome:
    """What every console page is drawn with."""

    branding: Branding
    adviser: Adviser
    csrf: str
    zone: str
    panels_url: str = ""


def _page(chrome: Chrome, title: str, body: str) -> str:
    return layout(title, body, chrome.branding, adviser=chrome.adviser, csrf=chrome.csrf, panels_url=chrome.panels_url)


def _error(fid: str, message: str | None) -> str:
    return f'<p class="error" id="{fid}-error">{e(message)}</p>' if message else ""


def _aria(fid: str, message: str | None, hint: str = "") -> str:
    ids = ([f"{fid}-hint"] if hint else []) + ([f"{fid}-error"] if message else [])
    attrs = f' aria-describedby="{" ".join(ids)}"' if ids else ""
    return attrs + (' aria-invalid="true"' if message else "")


def _hint(fid: str, hint: str) -> str:
    return f'<p class="muted" id="{fid}-hint">{e(hint)}</p>' if hint else ""


def text(
    f: Filled,
    name: str,
    label: str,
    *,
    kind: str = "text",
    fid: str = "",
    index: int = 0,
    hint: str = "",
    default: str = "",
    extra: str = "",
) -> str:
    fid = fid or name
    message = f.errors.get(fid)
    return (
        f'<label for="{fid}">{e(label)}</label>{_hint(fid, hint)}'
        f'<input id="{fid}" name="{name}" type="{kind}" value="{e(f.value(name, default, index))}"'
        f"{_aria(fid, message, hint)}{extra}>{_error(fid, message)}"
    )


def choose(f: Filled, name: str, label: str, options: Iterable[tuple[str, str]], chosen: str, hint: str = "") -> str:
    message = f.errors.get(name)
    picked = f.value(name, chosen)
    items = "".join(
        f'<option value="{e(v)}"{" selected" if v == picked else ""}>{e(text)}</option>' for v, text in options
    )
    return (
        f'<label for="{name}">{e(label)}</label>{_hint(name, hint)}'
        f'<select id="{name}" name="{name}"{_aria(name, message, hint)}>{items}</select>{_error(name, message)}'
    )


def _channels(f: Filled, chosen: Iterable[str]) -> str:
    message = f.errors.get("channels")
    picked = set(f.values.get("channels", [])) if f.values else set(chosen)
    boxes = "".join(
        f'<div><input type="checkbox" id="channel-{c}" name="channels" value="{c}"'
        f"{' checked' if c in picked else ''}{_aria('channels', message)}>"
        f' <label for="channel-{c}" style="display:inline;font-weight:400">{e(CHANNEL_LABELS.get(c, c))}</label></div>'
        for c in CHANNELS
    )
    return f"<fieldset><legend><strong>Channels</strong></legend>{boxes}{_error('channels', message)}</fieldset>"


def _languages(default_first: bool) -> list[tuple[str, str]]:
    known = [(x.code, f"{x.name} ({x.code})") for x in LOCALES]
    return ([("", "The service's default for their time zone")] if default_first else []) + known


def _person(f: Filled, zones: list[str], zone: str, *, join: bool, phone_hint: str) -> str:
    """The fields the add and edit forms share."""
    return (
        text(f, "name", "Name")
        + text(f, "phone", "Mobile number", kind="tel", hint=phone_hint)
        + choose(f, "country", "Country of a number typed without +", COUNTRIES, country_for(zone))
        + choose(f, "timezone", "Time zone", [(z, z.replace("_", " ")) for z in zones], zone)
        + choose(f, "locale", "Language", _languages(join), "")
    )


def _form(action: str, csrf: str, inner: str, button: str, multipart: bool = False) -> str:
    enctype = ' enctype="multipart/form-data"' if multipart else ""
    return (
        f'<form method="post" action="{action}"{enctype} novalidate>{csrf_field(csrf)}{inner}'
        f'<p><button type="submit">{e(button)}</button></p></form>'
    )


def _summary(f: Filled) -> str:
    if not f.errors:
        return ""
    said = f.errors.get("summary") or "see the fields marked below"
    return f'<p class="error" role="alert" id="summary">Nothing was saved: {e(said)}.</p>'


# ---------------------------------------------------------------- add
def add_page(chrome: Chrome, f: Filled, zones: list[str], default_zone: str) -> str:
    inner = (
        text(f, "email", "Email address", kind="email")
        + _person(f, zones, default_zone, join=True, phone_hint="As they write it; needed for texts and WhatsApp.")
        + _channels(f, ["email"])
        + text(f, "join_code", "Cohort (join code)", hint="Optional: the join code of their cohort.")
        + text(
            f,
            "sms_consent",
            "Consent to texts already obtained",
            hint="Optional: how they agreed (\u201cpaper form, careers fair 3 March\u201d) or yes. "
            "Left empty, the welcome text asks them to reply YES first.",
        )
    )
    body = (
        f'<p><a href="{CANDIDATES}">← Candidates</a></p><h1>Add a candidate</h1>{_summary(f)}'
        "<p>They get the welcome at once, as when they are registered through the API.</p>"
        f'<section class="narrow">{_form(NEW, chrome.csrf, inner, "Add the candidate")}</section>'
    )
    return _page(chrome, "Add a candidate", body)


# ---------------------------------------------------------------- import
def import_page(chrome: Chrome, f: Filled, columns: Iterable[str], max_rows: int, max_kib: int) -> str:
    message = f.errors.get("file")
    inner = (
        '<label for="file">CSV file</label>'
        f'<p class="muted" id="file-hint">Line 1 names the columns: {e(", ".join(columns))} '
        "(email and timezone needed; no channels means email; phones as people write them with their +; "
        "sms_consent: yes, or how they agreed). "
        f"At most {max_rows} rows and {max_kib} KiB a file (the command line, "
        "<code>nudges candidates import</code>, takes any size). A long file may need uploading twice: "
        "the page says so, and the second upload finishes it.</p>"
        f'<input id="file" name="file" type="file" accept=".csv,text/csv"{_aria("file", message, "hint")}>'
        '<label for="text">Or paste the rows</label>'
        f'<textarea id="text" name="text" rows="8" cols="80">{e(f.value("text"))}</textarea>'
        f"{_error('file', message)}"
    )
    body = (
        f'<p><a href="{CANDIDATES}">← Candidates</a></p><h1>Import candidates</h1>'
        "<p>Every row is checked; the good rows are registered (each gets the welcome), and each bad row "
        "is named by its line and what is wrong. An address already registered is left as it is, so the "
        "same file, fixed, can be uploaded again: nobody is registered twice.</p>"
        f"<section>{_form(IMPORT, chrome.csrf, inner, 'Import', multipart=True)}</section>"
    )
    return _page(chrome, "Import candidates", body)


def import_result_page(chrome: Chrome, result: Imported, source: str) -> str:
    def link(candidate_id: str, email: str) -> str:
        return f'<a href="{CANDIDATES}/{e(candidate_id)}">{e(email)}</a>' if candidate_id else e(email)

    failed = "".join(
        f'<tr data-line="{line}"><th scope="row">line {line}</th><td>{e(why)}</td></tr>' for line, why in result.failed
    )
    created = "".join(
        f'<tr data-line="{line}"><th scope="row">line {line}</th><td>{link(cid, email)}</td></tr>'
        for line, email, cid in result.created
    )
    already = "".join(
        f'<tr data-line="{line}"><th scope="row">line {line}</th><td>{link(cid, email)}'
        + (f' <span class="warn">(registered with {e(note)}: edit them to change it)</span>' if note else "")
        + "</td></tr>"
        for line, email, cid, note in result.already
    )

    def table(tid: str, title: str, rows: str, empty: str) -> str:
        inner = (
            f'<table id="{tid}"><thead><tr><th scope="col">Line</th><th scope="col">Candidate</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            if rows
            else f'<p class="muted">{e(empty)}</p>'
        )
        return f'<section aria-labelledby="{tid}-h"><h2 id="{tid}-h">{e(title)}</h2>{inner}</section>'

    summary = (
        f"{len(result.created)} registered, {len(result.already)} already registered, {len(result.failed)} not imported"
    ) + (f", {len(result.left)} not reached yet" if result.left else "")
    left = "".join(
        f'<tr data-line="{line}"><th scope="row">line {line}</th><td>{e(email)}</td></tr>'
        for line, email in result.left
    )
    left_section = (
        '<section aria-labelledby="left-h"><h2 id="left-h">Not reached yet</h2>'
        f'<p class="warn">Time ran out before these rows. <a href="{IMPORT}">Upload the same file again</a> to finish: '
        "the rows done now are not registered twice.</p>"
        '<table id="left"><thead><tr><th scope="col">Line</th><th scope="col">Email</th></tr></thead>'
        f"<tbody>{left}</tbody></table></section>"
        if left
        else ""
    )
    bad_table = (
        '<table id="failed"><thead><tr><th scope="col">Line</th><th scope="col">What is wrong</th></tr></thead>'
        f"<tbody>{failed}</tbody></table>"
        if failed
        else '<p class="muted">Every row was good.</p>'
    )
    body = (
        f'<p><a href="{CANDIDATES}">← Candidates</a></p><h1>Import: {e(source)}</h1>'
        f'<p class="notice" role="status" id="notice">{e(summary)}.</p>'
        f'<section aria-labelledby="failed-h"><h2 id="failed-h">Not imported</h2>{bad_table}'
        + (f'<p>Fix these lines and <a href="{IMPORT}">upload the file again</a>.</p>' if failed else "")
        + "</section>"
        + left_section
        + table("created", "Registered now", created, "Nobody new.")
        + table("already", "Already registered (left as they are)", already, "None.")
    )
    return _page(chrome, "Import", body)


# ---------------------------------------------------------------- edit
def edit_page(chrome: Chrome, candidate: Candidate, f: Filled, zones: list[str]) -> str:
    if not f.values:
        f = Filled(
            {
                "email": [candidate.email],
                "name": [candidate.name or ""],
                "phone": [candidate.phone or ""],
                "timezone": [candidate.timezone],
                "locale": [candidate.locale],
                "channels": list(candidate.channels),
                "paused": ["on"] if candidate.paused else [],
            },
            f.errors,
        )
    paused = f.value("paused") == "on"
    inner = (
        text(
            f,
            "email",
            "Email address",
            kind="email",
            hint="A new address: the old one is told, and kept, so invitations sent to it still find them.",
        )
        + _person(f, zones, candidate.timezone, join=False, phone_hint="A new number is asked to reply YES again.")
        + _channels(f, candidate.channels)
        + '<p><input type="checkbox" id="paused" name="paused" value="on"'
        + (" checked" if paused else "")
        + '> <label for="paused" style="display:inline">Pause every nudge</label></p>'
    )
    name = candidate.name or candidate.email
    body = (
        f'<p><a href="{CANDIDATES}/{e(candidate.candidate_id)}">← {e(name)}</a></p><h1>Edit {e(name)}</h1>'
        f"{_summary(f)}"
        "<p>Nudges still ahead follow the change (a new zone or language, a channel added or taken away).</p>"
        f'<section class="narrow">{_form(edit_url(candidate.candidate_id), chrome.csrf, inner, "Save")}</section>'
    )
    return _page(chrome, f"Edit {name}", body)


# ---------------------------------------------------------------- interviews by hand
def interview_values(interview: Interview) -> dict[str, list[str]]:
    local = interview.start
    minutes = int((interview.end - interview.start).total_seconds() // 60)
    return {
        "company": [interview.company],
        "role": [interview.title if interview.title != interview.company else ""],
        "date": [local.date().isoformat()],
        "time": [local.strftime("%H:%M")],
        "duration": [str(minutes)],
        "timezone": [str(getattr(local.tzinfo, "key", "") or "UTC")],
        "interviewer_name": [p.name for p in interview.interviewers],
        "interviewer_email": [p.email for p in interview.interviewers],
        "location": [interview.location or ""],
    }


def _interview_fields(f: Filled, zones: list[str], zone: str) -> str:
    people = "".join(
        text(f, "interviewer_name", f"Interviewer {n}: name", fid=f"interviewer_name_{n}", index=n - 1)
        + text(
            f,
            "interviewer_email",
            f"Interviewer {n}: email (optional)",
            kind="email",
            fid=f"interviewer_email_{n}",
            index=n - 1,
        )
        for n in range(1, MAX_INTERVIEWER_ROWS + 1)
    )
    return (
        text(f, "company", "Company")
        + text(f, "role", "Role (optional)")
        # Text, not the browser's date and time pickers: what was typed stays as typed when refused.
        + text(f, "date", "Date", hint="YYYY-MM-DD, like 2033-03-10", extra=' inputmode="numeric" autocomplete="off"')
        + text(f, "time", "Start", hint="HH:MM, 24-hour, in the interview's time zone", extra=' autocomplete="off"')
        + text(f, "duration", "Length in minutes", kind="number", default="60", extra=' min="5" max="600"')
        + choose(f, "timezone", "The interview's time zone", [(z, z.replace("_", " ")) for z in zones], zone)
        + f"<fieldset><legend><strong>Interviewers</strong></legend>{people}</fieldset>"
        + text(f, "location", "Where (optional)", hint="An address, a video link or a phone number")
    )


def interview_page(
    chrome: Chrome, candidate: Candidate, f: Filled, zones: list[str], interview: Interview | None = None
) -> str:
    name = candidate.name or candidate.email
    back = f'<p><a href="{CANDIDATES}/{e(candidate.candidate_id)}">← {e(name)}</a></p>'
    if interview is None:
        title = f"Add an interview for {name}"
        body = (
            f"{back}<h1>{e(title)}</h1>{_summary(f)}"
            "<p>Planned as a calendar's booking: a research prompt before it, a thank-you after it, "
            "a follow-up a week later.</p>"
            f'<section class="narrow">{_form(interview_url(candidate.candidate_id), chrome.csrf, _interview_fields(f, zones, candidate.timezone), "Add the interview")}</section>'
        )
        return _page(chrome, title, body)
    title = f"{interview.company}: {name}"
    when_text = when(interview.start, chrome.zone)
    if interview.source != "hand":
        body = (
            f"{back}<h1>{e(title)}</h1><p>{when_text}</p>"
            f'<p id="read-only">This interview came from {e(interview.source)}: it changes there, not here.</p>'
        )
        return _page(chrome, title, body)
    if interview.status == "cancelled":
        body = f'{back}<h1>{e(title)}</h1><p id="cancelled">Cancelled. Add a new one if it is on again.</p>'
        return _page(chrome, title, body)
    action = interview_url(candidate.candidate_id, interview.interview_id)
    cancel = f"{CANDIDATES}/{e(candidate.candidate_id)}/interviews/{e(interview.interview_id)}/cancel"
    body = (
        f"{back}<h1>{e(title)}</h1><p>Now: {when_text}</p>{_summary(f)}"
        "<p>Moving it moves its nudges; cancelling it cancels those still ahead.</p>"
        f'<section class="narrow" aria-labelledby="move"><h2 id="move">Move or change</h2>'
        f"{_form(action, chrome.csrf, _interview_fields(f, zones, candidate.timezone), 'Save the change')}</section>"
        '<section class="narrow" aria-labelledby="cancel"><h2 id="cancel">Cancel</h2>'
        f'<form method="post" action="{cancel}" id="cancel-form">{csrf_field(chrome.csrf)}'
        "<p>The candidate is not told; nudges still ahead are not sent.</p>"
        '<p><button type="submit">Cancel this interview</button></p></form></section>'
    )
    return _page(chrome, title, body)
