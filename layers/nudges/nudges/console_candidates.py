"""The console's forms that act on candidates (a Powertools ``Router``, included by the console
function's ``app.py``):

GET|POST /console/candidates/new                                   add a candidate (as POST /candidates)
GET|POST /console/candidates/import                                import a CSV (file or pasted rows)
GET|POST /console/candidates/{id}/edit                             edit (as PATCH /candidates/{id})
GET|POST /console/candidates/{id}/interviews/new                   add an interview by hand
GET|POST /console/candidates/{id}/interviews/{interview_id}/edit   move or change one added by hand
POST     /console/candidates/{id}/interviews/{interview_id}/cancel cancel it

Each through ``console_wiring.adviser_candidate_actions()`` (the operator API's own models and services,
every action in the audit log). A refused form is shown again (400) with each message beside its
field and the input kept; the session, its role and the CSRF token are ``signed_in``'s.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import TYPE_CHECKING
from zoneinfo import available_timezones  # as the command line checks a row's zone

from aws_lambda_powertools.event_handler.api_gateway import Router

from nudges import candidate_forms_pages as pages
from nudges import clock, config, console_wiring, wiring
from nudges.console_pages import CANDIDATES
from nudges.console_web import ZONES, form_lists, html, panels, redirect, signed_in, zone
from nudges.domain.channels import CHANNEL_SPECS
from nudges.domain.locales import CODES
from nudges.journey_pages import default_zone
from nudges.models.candidate_rows import COLUMNS, FileError, read_rows  # the standard library only

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

    from nudges.models.forms import Form
    from nudges.services.console_auth import Current

# The forms are read by the service (console_wiring.adviser_candidate_actions()), not here: the console's
# cold start then loads neither pydantic nor the phone and address checks (about 0.9 s measured).
router = Router()
ADDRESS_FIELDS = {name: spec.address_field for name, spec in CHANNEL_SPECS.items()}
MAX_IMPORT_ROWS = 1000
MAX_IMPORT_BYTES = 256 * 1024
# Each row is a registration inside one request: the rows not reached in this many seconds (of
# the function's 29) are left for the same file uploaded again (measured on the local stack:
# about 0.4 s a row, so some 49 rows an upload there; far more against AWS).
IMPORT_SECONDS = 20.0


def _chrome(current: Current) -> pages.Chrome:
    return pages.Chrome(config.branding(), current.adviser, current.session.csrf, zone(current), panels())


def _to_candidate(candidate_id: str, done: str) -> Response:
    return redirect(f"{CANDIDATES}/{urllib.parse.quote(candidate_id)}?done={done}")


# ---------------------------------------------------------------- add
def _default_zone(current: Current) -> str:
    """Preselected for a new candidate: the adviser's own zone (Settings) once they chose one, else
    the stack's ``DefaultTimezone`` (``DEFAULT_TIMEZONE``, as the sign-up page's)."""
    return console_wiring.console_sessions().time_zone(current.adviser.sub) or default_zone()


def _add(current: Current, values: Form, errors: dict[str, str], status: int) -> Response:
    filled = pages.Filled(values, errors)
    return html(status, pages.add_page(_chrome(current), filled, ZONES, _default_zone(current)))


@router.get(pages.NEW)
@signed_in()
def add_form(current: Current) -> Response:
    return _add(current, {}, {}, 200)


@router.post(pages.NEW)
@signed_in()
def add(current: Current, form: dict[str, str]) -> Response:
    values = form_lists()
    acted = console_wiring.adviser_candidate_actions().add_form(current.adviser, values, clock.now())
    if acted.taken:
        return _add(current, values, {"email": f"Already registered: see {CANDIDATES}/{acted.taken}"}, 409)
    if acted.errors:
        return _add(current, values, acted.errors, 400)
    return _to_candidate(acted.candidate_id, "added")


# ---------------------------------------------------------------- import
def _import(current: Current, values: Form, errors: dict[str, str], status: int) -> Response:
    page = pages.import_page(
        _chrome(current), pages.Filled(values, errors), COLUMNS, MAX_IMPORT_ROWS, MAX_IMPORT_BYTES // 1024
    )
    return html(status, page)


@router.get(pages.IMPORT)
@signed_in()
def import_form(current: Current) -> Response:
    return _import(current, {}, {}, 200)


@router.post(pages.IMPORT)
@signed_in()
def import_csv(current: Current, form: dict[str, str]) -> Response:
    values = form_lists()
    uploaded = (values.get("file") or [""])[0]
    pasted = (values.get("text") or [""])[0]
    text, source = (uploaded, "the uploaded file") if uploaded.strip() else (pasted, "the pasted rows")
    kept = {"text": [pasted]}
    if not text.strip():
        return _import(current, kept, {"file": "Choose a CSV file or paste its rows."}, 400)
    if len(text.encode()) > MAX_IMPORT_BYTES:
        too_big = f"This is over {MAX_IMPORT_BYTES // 1024} KiB: split it, or use nudges candidates import."
        return _import(current, kept, {"file": too_big}, 413)
    now = clock.now()
    try:
        good, bad = read_rows(
            text.splitlines(keepends=True), frozenset(available_timezones()), CODES, ADDRESS_FIELDS, now
        )
    except FileError as wrong:
        return _import(current, kept, {"file": f"Nothing imported: {wrong}"}, 400)
    if len(good) + len(bad) > MAX_IMPORT_ROWS:
        too_many = (
            f"This has {len(good) + len(bad)} rows; at most {MAX_IMPORT_ROWS} at a time: split it, "
            "or use nudges candidates import."
        )
        return _import(current, kept, {"file": too_many}, 413)
    stop = time.monotonic() + IMPORT_SECONDS
    result = console_wiring.adviser_candidate_actions().import_rows(
        current.adviser, good, bad, now, source, out_of_time=lambda: time.monotonic() > stop
    )
    return html(200, pages.import_result_page(_chrome(current), result, source))


# ---------------------------------------------------------------- edit
def _edit(current: Current, candidate_id: str, values: Form, errors: dict[str, str], status: int) -> Response:
    candidate = wiring.candidate_service().get(candidate_id)
    return html(status, pages.edit_page(_chrome(current), candidate, pages.Filled(values, errors), ZONES))


@router.get(f"{CANDIDATES}/<candidate_id>/edit")
@signed_in()
def edit_form(current: Current, candidate_id: str) -> Response:
    return _edit(current, candidate_id, {}, {}, 200)


@router.post(f"{CANDIDATES}/<candidate_id>/edit")
@signed_in()
def edit(current: Current, form: dict[str, str], candidate_id: str) -> Response:
    values = form_lists()
    acted = console_wiring.adviser_candidate_actions().edit_form(current.adviser, candidate_id, values, clock.now())
    if acted.errors:
        return _edit(current, candidate_id, values, acted.errors, 400)
    return _to_candidate(candidate_id, "edited" if acted.changed else "unchanged")


# ---------------------------------------------------------------- interviews by hand
def _interview(current: Current, candidate_id: str, interview_id: str, f: pages.Filled, status: int) -> Response:
    actions = console_wiring.adviser_candidate_actions()
    candidate = wiring.candidate_service().get(candidate_id)
    interview = actions.interview(candidate_id, interview_id) if interview_id else None
    if interview is not None and not f.values:
        f = pages.Filled(pages.interview_values(interview), f.errors)
    return html(status, pages.interview_page(_chrome(current), candidate, f, ZONES, interview))


@router.get(f"{CANDIDATES}/<candidate_id>/interviews/new")
@signed_in()
def interview_form(current: Current, candidate_id: str) -> Response:
    return _interview(current, candidate_id, "", pages.Filled(), 200)


@router.post(f"{CANDIDATES}/<candidate_id>/interviews/new")
@signed_in()
def add_interview(current: Current, form: dict[str, str], candidate_id: str) -> Response:
    values = form_lists()
    acted = console_wiring.adviser_candidate_actions().interview_form(current.adviser, candidate_id, "", values, clock.now())
    if acted.errors:
        return _interview(current, candidate_id, "", pages.Filled(values, acted.errors), 400)
    return redirect(f"{CANDIDATES}/{urllib.parse.quote(candidate_id)}?done=interview_added#iv-{acted.interview_id}")


@router.get(f"{CANDIDATES}/<candidate_id>/interviews/<interview_id>/edit")
@signed_in()
def interview_edit_form(current: Current, candidate_id: str, interview_id: str) -> Response:
    return _interview(current, candidate_id, interview_id, pages.Filled(), 200)


@router.post(f"{CANDIDATES}/<candidate_id>/interviews/<interview_id>/edit")
@signed_in()
def move_interview(current: Current, form: dict[str, str], candidate_id: str, interview_id: str) -> Response:
    values = form_lists()
    actions = console_wiring.adviser_candidate_actions()
    acted = actions.interview_form(current.adviser, candidate_id, interview_id, values, clock.now())
    if acted.errors:
        return _interview(current, candidate_id, interview_id, pages.Filled(values, acted.errors), 400)
    return _to_candidate(candidate_id, "interview_moved")


@router.post(f"{CANDIDATES}/<candidate_id>/interviews/<interview_id>/cancel")
@signed_in()
def cancel_interview(current: Current, form: dict[str, str], candidate_id: str, interview_id: str) -> Response:
    console_wiring.adviser_candidate_actions().cancel_interview(current.adviser, candidate_id, interview_id, clock.now())
    return _to_candidate(candidate_id, "interview_cancelled")
