"""The console's candidate forms and import, without a stack: the CSV rows (one copy, shared with
the command line), the add and edit readers, multipart bodies, and AdviserCandidateActions
(through the API's own models, already-registered rows left alone, each action audited)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import available_timezones

import pytest

from nudges.console_candidates import ADDRESS_FIELDS
from nudges.console_web import _multipart
from nudges.domain.advisers import Adviser
from nudges.domain.candidate import Candidate
from nudges.domain.locales import CODES
from nudges.errors import Conflict, InvalidInput, NotFound
from nudges.models import candidate_rows
from nudges.models.candidate_forms import candidate_changes, new_candidate
from nudges.models.forms import FieldErrors
from nudges.services.adviser_candidate_actions import AdviserCandidateActions

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2033, 3, 7, 9, tzinfo=UTC)
ADVISER = Adviser("sub-1", "adviser@example.org", frozenset({"advisers"}))
ZONES = frozenset(available_timezones())


def test_the_command_line_reads_the_same_rows_module_as_the_console():
    shared = ROOT / "nudges_cli" / "rows.py"
    assert shared.is_symlink()
    assert shared.resolve() == (ROOT / "layers/nudges/nudges/models/candidate_rows.py").resolve()
    from nudges_cli import importer

    assert importer.COLUMNS == candidate_rows.COLUMNS
    assert importer.ADDRESS_FIELDS == ADDRESS_FIELDS  # the console's, from the channel registry


def test_rows_pasted_with_windows_line_ends_are_numbered_as_in_the_file():
    text = "Email,Timezone,SMS_Consent,Phone\r\na@example.org,Europe/London,yes,+447700900001\r\n\r\nb@x,Nowhere,,\r\n"
    good, bad = candidate_rows.read_rows(text.splitlines(keepends=True), ZONES, CODES, ADDRESS_FIELDS, NOW)
    assert [(r.line, r.candidate["email"]) for r in good] == [(2, "a@example.org")]
    assert good[0].candidate["channels"] == ["email"]  # no channels column: email
    assert good[0].candidate["sms_consent"] == {"obtained_at": "2033-03-07T09:00:00+00:00", "method": "operator import"}
    assert bad == [(4, "email: not an email address")]
    with pytest.raises(candidate_rows.FileError, match="no timezone column"):
        candidate_rows.read_rows(["email,zone\n"], ZONES, CODES, ADDRESS_FIELDS)


def _form(**values):
    return {k: v if isinstance(v, list) else [v] for k, v in values.items()}


def test_the_add_form_reads_phones_as_typed_and_records_how_consent_was_given():
    body = new_candidate(
        _form(
            email="Nia@Example.org",
            name="Nia",
            phone="07700 900 321",
            country="GB",
            channels=["email", "sms"],
            timezone="Europe/London",
            locale="",
            join_code=" Spring-2033 ",
            sms_consent="paper form",
        ),
        NOW,
    )
    assert body["email"] == "nia@example.org" and body["phone"] == "+447700900321"
    assert body["join_code"] == "spring-2033" and "locale" not in body  # the stack's default
    assert body["sms_consent"] == {"obtained_at": "2033-03-07T09:00:00+00:00", "method": "paper form"}
    with pytest.raises(FieldErrors) as refused:
        new_candidate(_form(email="nobody", channels=["sms"], timezone="Mars/Olympus", sms_consent="x" * 201), NOW)
    assert refused.value.errors == {
        "email": "email",
        "phone": "phone_needed",
        "timezone": "timezone",
        "sms_consent": "too_long",
    }


def test_the_edit_form_sends_every_field_and_an_empty_phone_removes_it():
    body = candidate_changes(
        _form(
            email="Lee@Example.org",
            name="",
            phone="",
            channels=["email"],
            timezone="Europe/Paris",
            locale="fr-FR",
            paused="on",
        )
    )
    assert body == {
        "email": "lee@example.org",
        "name": None,
        "phone": None,
        "channels": ["email"],
        "timezone": "Europe/Paris",
        "locale": "fr-FR",
        "paused": True,
    }
    with pytest.raises(FieldErrors) as refused:
        candidate_changes(_form(email="lee", channels=["sms"], timezone="Europe/Paris", locale="xx"))
    assert refused.value.errors == {"email": "email", "phone": "phone_needed", "locale": "locale"}


def test_a_multipart_upload_gives_its_fields_and_the_file_as_text():
    raw = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="csrf"\r\n\r\n'
        b"token-1\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="c.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
        b"\xef\xbb\xbfemail,timezone\r\nzo\xc3\xab@example.org,Europe/London\r\n"
        b"\r\n--XyZ--\r\n"
    )
    fields = _multipart(raw, "multipart/form-data; boundary=XyZ")
    assert fields["csrf"] == ["token-1"]
    assert fields["file"] == ["email,timezone\r\nzoë@example.org,Europe/London\r\n"]  # BOM dropped
    assert _multipart(b"garbage", "multipart/form-data; boundary=XyZ") == {}


# ---------------------------------------------------------------- the service
def _candidate(email, candidate_id="c_1", **more):
    return Candidate(
        candidate_id=candidate_id,
        email=email,
        timezone="Europe/London",
        channels=("email",),
        created_at=NOW,
        ics_inbox_token="t",
        **more,
    )


class _Service:
    def __init__(self):
        self.people: dict[str, Candidate] = {}
        self.updates: list = []

    def find(self, email):
        if email.lower() not in self.people:
            raise NotFound("no candidate registered with this email", field="email")
        return self.people[email.lower()]

    def register(self, new, now):
        candidate = _candidate(str(new.email).lower(), f"c_{len(self.people) + 1}", name=new.name)
        self.people[candidate.email] = candidate
        return candidate

    def get(self, candidate_id):
        return next(c for c in self.people.values() if c.candidate_id == candidate_id)

    def update(self, candidate_id, changes, now):
        self.updates.append(changes)
        current = self.get(candidate_id)
        return replace(current, **changes.model_dump(exclude_unset=True, exclude={"channels"}))


class _Audit:
    def __init__(self):
        self.entries = []

    def write(self, entry):
        self.entries.append(entry)


def test_an_import_registers_new_rows_once_and_names_what_the_api_refuses():
    service, audit = _Service(), _Audit()
    actions = AdviserCandidateActions(service, None, audit)  # type: ignore[arg-type]
    rows = [
        candidate_rows.Row(2, {"email": "ivy@example.org", "timezone": "Europe/London", "channels": ["email"]}),
        candidate_rows.Row(3, {"email": "x@example.org", "timezone": "Europe/London", "channels": ["sms"]}),
    ]
    first = actions.import_rows(ADVISER, rows, [(4, "email: not an email address")], NOW, "the uploaded file")
    assert [(line, email) for line, email, _ in first.created] == [(2, "ivy@example.org")]
    assert first.failed == [(3, "phone is required when channels include sms"), (4, "email: not an email address")]
    again = actions.import_rows(ADVISER, rows[:1], [], NOW, "the uploaded file")
    assert again.created == [] and [(line, email) for line, email, _, _ in again.already] == [(2, "ivy@example.org")]
    assert [(e.action, e.detail, e.adviser_email) for e in audit.entries] == [
        ("register", "imported from the uploaded file, line 2", "adviser@example.org")
    ]


def test_adding_an_address_already_registered_is_refused_naming_the_candidate():
    service, audit = _Service(), _Audit()
    actions = AdviserCandidateActions(service, None, audit)  # type: ignore[arg-type]
    actions.register(ADVISER, {"email": "nia@example.org", "timezone": "Europe/London"}, NOW)
    with pytest.raises(Conflict) as taken:
        actions.register(ADVISER, {"email": "NIA@example.org", "timezone": "Europe/London"}, NOW)
    assert taken.value.details["candidate_id"] == "c_1"
    with pytest.raises(InvalidInput, match="timezone"):
        actions.register(ADVISER, {"email": "o@example.org", "timezone": "Mars/Olympus"}, NOW)
    assert len(audit.entries) == 1


def test_an_edit_is_audited_with_what_changed_and_a_save_without_change_is_not():
    service, audit = _Service(), _Audit()
    service.people["lee@example.org"] = _candidate("lee@example.org", name="Lee")
    actions = AdviserCandidateActions(service, None, audit)  # type: ignore[arg-type]
    same = {
        "email": "lee@example.org",
        "name": "Lee",
        "phone": None,
        "channels": ["email"],
        "timezone": "Europe/London",
        "locale": "en-GB",
    }
    assert actions.update(ADVISER, "c_1", {**same, "paused": False}, NOW) == []
    assert service.updates == [] and audit.entries == []
    assert actions.update(ADVISER, "c_1", {**same, "name": "Lee Wong", "paused": True}, NOW) == ["name", "paused"]
    [entry] = audit.entries
    assert (entry.action, entry.detail, entry.candidate_id, entry.subject) == (
        "update",
        "changed name, paused",
        "c_1",
        "lee@example.org",
    )


def test_rows_not_reached_in_time_are_left_for_the_same_file_again():
    service, audit = _Service(), _Audit()
    actions = AdviserCandidateActions(service, None, audit)  # type: ignore[arg-type]
    rows = [
        candidate_rows.Row(n, {"email": f"p{n}@example.org", "timezone": "Europe/London", "channels": ["email"]})
        for n in (2, 3, 4)
    ]
    calls = iter([False, True])
    first = actions.import_rows(ADVISER, rows, [], NOW, "f", out_of_time=lambda: next(calls))
    assert [line for line, _, _ in first.created] == [2]
    assert first.left == [(3, "p3@example.org"), (4, "p4@example.org")]
    again = actions.import_rows(ADVISER, rows, [], NOW, "f")
    assert [line for line, _, _ in again.created] == [3, 4] and [r[0] for r in again.already] == [2]
    assert again.left == [] and len(audit.entries) == 3


def test_the_add_form_answers_in_plain_words_beside_each_field():
    service, audit = _Service(), _Audit()
    actions = AdviserCandidateActions(service, None, audit)  # type: ignore[arg-type]
    refused = actions.add_form(ADVISER, _form(email="nia@example.org", channels=[], timezone="Europe/London"), NOW)
    assert refused.errors == {"channels": "Choose at least one way to reach them."}
    form = _form(email="nia@example.org", channels=["email"], timezone="Europe/London", locale="")
    added = actions.add_form(ADVISER, form, NOW)
    assert added.errors == {} and added.candidate_id == "c_1"
    again = actions.add_form(ADVISER, form, NOW)
    assert again.taken == "c_1" and again.errors == {"email": "Already registered."}
    bad_code = actions.add_form(ADVISER, {**form, "email": ["o@example.org"], "join_code": ["no spaces!"]}, NOW)
    assert list(bad_code.errors) == ["join_code"] and len(audit.entries) == 1
