"""The advisers' console forms about a candidate (add, edit), read as people fill them.

Each reader answers the operator API's body (``POST /candidates``, ``PATCH /candidates/{id}``),
for the same model and service, or ``FieldErrors`` (field -> a ``page_words`` ``fields`` key),
so the page shows each message beside its field and keeps the input. The add form is the
candidate's own join form (``forms.signup``: phones as people type them, with a country) plus
what only an operator records: the cohort's join code and how consent to texts was obtained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nudges.domain.channels import CHANNELS
from nudges.domain.locales import CODES
from nudges.models.candidate_rows import consent_record
from nudges.models.forms import FieldErrors, Form, email_address, one, phone_number, signup, zone_name

if TYPE_CHECKING:
    from datetime import datetime


def new_candidate(form: Form, now: datetime) -> dict[str, object]:
    """``NewCandidate``'s body; ``sms_consent`` (a method, or ``yes``) recorded as obtained now."""
    try:
        read = signup(form, CHANNELS, CODES)
    except FieldErrors as refused:
        errors = dict(refused.errors)
    else:
        errors = {}
    body = dict(read.registration) if not errors else {}
    join_code = one(form, "join_code", 64).lower()
    if join_code:
        body["join_code"] = join_code
    consent = one(form, "sms_consent")
    if len(consent) > 200:
        errors["sms_consent"] = "too_long"
    elif consent:
        body["sms_consent"] = consent_record(consent, now)
    if errors:
        raise FieldErrors(errors)
    return body


def candidate_changes(form: Form) -> dict[str, object]:
    """``CandidateChanges``' body: every field of the edit form (an empty name or phone removes it;
    the email as it stands changes nothing)."""
    errors: dict[str, str] = {}
    body: dict[str, object] = {}
    try:
        body["email"] = email_address(one(form, "email", 320))
    except ValueError:
        errors["email"] = "email"
    name = one(form, "name")
    if len(name) > 200:
        errors["name"] = "name"
    body["name"] = name or None
    chosen = [c for c in dict.fromkeys(form.get("channels", [])) if c in CHANNELS]
    if not chosen:
        errors["channels"] = "channels"
    body["channels"] = chosen
    raw_phone = one(form, "phone", 40)
    body["phone"] = None
    if raw_phone:
        try:
            body["phone"] = phone_number(raw_phone, one(form, "country", 2))
        except ValueError:
            errors["phone"] = "phone"
    elif any(c != "email" for c in chosen):
        errors["phone"] = "phone_needed"
    try:
        body["timezone"] = zone_name(one(form, "timezone", 64))
    except ValueError:
        errors["timezone"] = "timezone"
    locale = one(form, "locale", 10)
    if locale not in CODES:
        errors["locale"] = "locale"
    body["locale"] = locale
    body["paused"] = one(form, "paused") == "on"
    if errors:
        raise FieldErrors(errors)
    return body
