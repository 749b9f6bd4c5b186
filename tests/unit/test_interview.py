"""Companies from organizer addresses, applications, and everyone met."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.interview import (
    Interview,
    Person,
    application_id_for,
    company_from_email,
    everyone_met,
    interview_id_for,
    normalise_company,
)


@pytest.mark.parametrize(
    ("email", "company"),
    [
        ("jane@acme.com", "acme"),
        ("Jane@Eng.Acme.co.uk", "acme"),
        ("sam@globex.io", "globex"),
        ("recruiter@gmail.com", None),
        ("someone@Outlook.com", None),
        ("x@proton.me", None),
    ],
)
def test_company_from_organizer_email_ignores_free_mail(email, company):
    assert company_from_email(email) == company


def test_company_names_normalise_to_one_key():
    assert normalise_company("Acme, Inc.") == normalise_company("ACME") == "acme"
    assert normalise_company("Globex Corporation Ltd") == "globex"


def test_one_application_per_candidate_and_company():
    assert application_id_for("Cand@Example.org", "Acme Ltd") == application_id_for("cand@example.org", "acme")
    assert application_id_for("cand@example.org", "acme") != application_id_for("cand@example.org", "globex")
    assert application_id_for("a@example.org", "acme") != application_id_for("b@example.org", "acme")


def test_interview_ids_are_stable_per_provider_booking():
    assert interview_id_for("calcom", "uid-1") == interview_id_for("calcom", "uid-1")
    assert interview_id_for("calcom", "uid-1") != interview_id_for("calendly", "uid-1")


def _round(start: datetime, people: tuple[Person, ...], status: str = "scheduled") -> Interview:
    return Interview(
        interview_id=f"iv_{start.day}",
        source="calcom",
        source_ref=str(start),
        candidate_email="cand@example.org",
        company="acme",
        title="Interview",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=people,
        status=status,  # type: ignore[arg-type]
    )


def test_everyone_met_is_deduplicated_by_email_in_meeting_order():
    jane, sam, lee = Person("Jane", "jane@acme.com"), Person("Sam", "sam@acme.com"), Person("Lee", "lee@acme.com")
    first = _round(datetime(2026, 12, 1, 10, tzinfo=UTC), (jane, sam))
    second = _round(datetime(2026, 12, 8, 10, tzinfo=UTC), (Person("Jane D", "JANE@acme.com"), lee))
    cancelled = _round(datetime(2026, 12, 9, 10, tzinfo=UTC), (Person("Nobody", "no@acme.com"),), "cancelled")
    assert everyone_met([second, cancelled, first]) == (jane, sam, lee)
