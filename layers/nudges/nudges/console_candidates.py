"""The console's forms that act on candidates (a Powertools ``Router``, included by the console
function's ``app.py``):

GET|POST /console/candidates/new                                   add a candidate (as POST /candidates)
GET|POST /console/candidates/import                                import a CSV (file or pasted rows)
GET|POST /console/candidates/{id}/edit                             edit (as PATCH /candidates/{id})
GET|POST /console/candidates/{id}/interviews/new                   add an interview by hand
GET|POST /console/candidates/{id}/interviews/{interview_id}/edit   move or change one added by hand
POST     /console/candidates/{id}/interviews/{interview_id}/cancel cancel it

Each through ``wiring.adviser_candidate_actions()`` (the operator API's own models and services,
every action in the audit log). A refused form is shown again (400) with each message beside its
field and the input kept; the session, its role and the CSRF token are ``signed_in``'s.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler.api_gateway import Router

from nudges import candidate_forms_pages as pages
from nudges import clock, config, wiring
from nudges.console_pages import CANDIDATES
from nudges.console_web import ZONES, form_lists, html, panels, redirect, signed_in, zone
from nudges.domain.channels import CHANNELS
from nudges.domain.locales import CODES
from nudges.domain.page_words import say
from nudges.errors import Conflict, InvalidInput
from nudges.journey_pages import default_zone
from nudges.models.api import NewInterview
from nudges.models.candidate_forms import candidate_changes, new_candidate
from nudges.models.candidate_rows import COLUMNS, FileError, read_rows
from nudges.models.forms import FieldErrors, Form, hand_interview
from nudges.models.parsing import parse

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

    from nudges.services.console_auth import Current

router = Router()
MAX_IMPORT_ROWS = 1000
MAX_IMPORT_BYTES = 256 * 1024
# Each row is a registration inside one request: the rows not reached in this many seconds (of
# the function's 29) are left for the same file uploaded again (measured on the local stack:
# about 0.45 s a row, so some 40 rows an upload there; far more against AWS).
IMPORT_SECONDS = 20.0
# The console speaks to advisers: the candidate pages' words, where those speak to the candidate.
ADVISER_WORDS = {
    "channels": "Choose at least one way to reach them.",
    "phone_needed": "A mobile number is needed for text messages and WhatsApp.",
}


def _chrome(current: Current) -> pages.Chrome:
    return pages.Chrome(config.branding(), current.adviser, current.session.csrf, zone(current), panels())


def _words(errors: dict[str, str]) -> dict[str, str]:
    """``FieldErrors`` keys in plain words (the candidate pages' catalog, in English)."""
    return {name: ADVISER_WORDS.get(key) or say("fields", key, "en-GB", n=200) for name, key in errors.items()}


def _refused(bad: InvalidInput | Conflict, known: set[str]) -> dict[str, str]:
    """The API's refusal ("phone: must be ...") beside its field, else at the top."""
    name = (bad.field or "").split(".")[0]
    return {name if name in known else "summary": bad.message}


def _to_candidate(candidate_id: str, done: str) -> Response:
    return redirect(f"{CANDIDATES}/{urllib.parse.quote(candidate_id)}?done={done}")


# ---------------------------------------------------------------- add
def _default_zone(current: Current) -> str:
    """Preselected for a new candidate: the adviser's own zone (Settings) once they chose one, else
    the stack's ``DefaultTimezone`` where the function has it (the console's environment is at
    Lambda's 4 KB, so it does not), else Europe/London."""
    return wiring.console_sessions().time_zone(current.adviser.sub) or default_zone()


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
    now = clock.now()
    try:
        body = new_candidate(values, now)
        candidate = wiring.adviser_candidate_actions().register(current.adviser, body, now)
    except FieldErrors as refused:
        return _add(current, values, _words(refused.errors), 400)
    except Conflict as taken:
        link = f"{CANDIDATES}/{taken.details.get('candidate_id', '')}"
        return _add(current, values, {"email": f"Already registered: see {link}"}, 409)
    except InvalidInput as bad:
        return _add(current, values, _refused(bad, {"email", "name", "phone", "timezone", "locale", "join_code"}), 400)
    return _to_candidate(candidate.candidate_id, "added")


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
        good, bad = read_rows(text.splitlines(keepends=True), frozenset(ZONES), CODES, CHANNELS, now)
    except FileError as wrong:
        return _import(current, kept, {"file": f"Nothing imported: {wrong}"}, 400)
    if len(good) + len(bad) > MAX_IMPORT_ROWS:
        too_many = (
            f"This has {len(good) + len(bad)} rows; at most {MAX_IMPORT_ROWS} at a time: split it, "
            "or use nudges candidates import."
        )
        return _import(current, kept, {"file": too_many}, 413)
    stop = time.monotonic() + IMPORT_SECONDS
    result = wiring.adviser_candidate_actions().import_rows(
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
    try:
        body = candidate_changes(values)
        wiring.adviser_candidate_actions().update(current.adviser, candidate_id, body, clock.now())
    except FieldErrors as refused:
        return _edit(current, candidate_id, values, _words(refused.errors), 400)
    except InvalidInput as bad:
        known = {"name", "phone", "timezone", "locale", "channels"}
        return _edit(current, candidate_id, values, _refused(bad, known), 400)
    return _to_candidate(candidate_id, "edited")


# ---------------------------------------------------------------- interviews by hand
INTERVIEW_FIELDS = {"company", "role", "date", "time", "duration", "timezone", "location", "interviewer_name_1"}


def _interview(current: Current, candidate_id: str, interview_id: str, f: pages.Filled, status: int) -> Response:
    actions = wiring.adviser_candidate_actions()
    candidate = wiring.candidate_service().get(candidate_id)
    interview = actions.interview(candidate_id, interview_id) if interview_id else None
    if interview is not None and not f.values:
        f = pages.Filled(pages.interview_values(interview), f.errors)
    return html(status, pages.interview_page(_chrome(current), candidate, f, ZONES, interview))


def _read_interview(values: Form) -> NewInterview:
    return parse(NewInterview, hand_interview(values, clock.now()).body())


@router.get(f"{CANDIDATES}/<candidate_id>/interviews/new")
@signed_in()
def interview_form(current: Current, candidate_id: str) -> Response:
    return _interview(current, candidate_id, "", pages.Filled(), 200)


@router.post(f"{CANDIDATES}/<candidate_id>/interviews/new")
@signed_in()
def add_interview(current: Current, form: dict[str, str], candidate_id: str) -> Response:
    values = form_lists()
    try:
        new = _read_interview(values)
    except FieldErrors as refused:
        return _interview(current, candidate_id, "", pages.Filled(values, _words(refused.errors)), 400)
    except InvalidInput as bad:
        return _interview(current, candidate_id, "", pages.Filled(values, _refused(bad, INTERVIEW_FIELDS)), 400)
    booked = wiring.adviser_candidate_actions().add_interview(current.adviser, candidate_id, new, clock.now())
    return redirect(f"{CANDIDATES}/{urllib.parse.quote(candidate_id)}?done=interview_added#iv-{booked.interview_id}")


@router.get(f"{CANDIDATES}/<candidate_id>/interviews/<interview_id>/edit")
@signed_in()
def interview_edit_form(current: Current, candidate_id: str, interview_id: str) -> Response:
    return _interview(current, candidate_id, interview_id, pages.Filled(), 200)


@router.post(f"{CANDIDATES}/<candidate_id>/interviews/<interview_id>/edit")
@signed_in()
def move_interview(current: Current, form: dict[str, str], candidate_id: str, interview_id: str) -> Response:
    values = form_lists()
    try:
        new = _read_interview(values)
    except FieldErrors as refused:
        return _interview(current, candidate_id, interview_id, pages.Filled(values, _words(refused.errors)), 400)
    except InvalidInput as bad:
        errors = _refused(bad, INTERVIEW_FIELDS)
        return _interview(current, candidate_id, interview_id, pages.Filled(values, errors), 400)
    wiring.adviser_candidate_actions().move_interview(current.adviser, candidate_id, interview_id, new, clock.now())
    return _to_candidate(candidate_id, "interview_moved")


@router.post(f"{CANDIDATES}/<candidate_id>/interviews/<interview_id>/cancel")
@signed_in()
def cancel_interview(current: Current, form: dict[str, str], candidate_id: str, interview_id: str) -> Response:
    wiring.adviser_candidate_actions().cancel_interview(current.adviser, candidate_id, interview_id, clock.now())
    return _to_candidate(candidate_id, "interview_cancelled")
