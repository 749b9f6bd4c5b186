"""A candidate's email changes (issues 28, 29): the old address kept as an alias, invites naming
either address matched to the same candidate, the old address told, a taken address refused
naming ``email`` with nothing changed. CandidateService and the booking service on the in-memory
fakes (tests/fakes), no AWS."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.booking import BookingChange
from nudges.domain.candidate import MAX_EMAIL_ALIASES, Candidate
from nudges.domain.interview import Interview, Person, interview_id_for
from nudges.errors import Conflict, InvalidInput
from nudges.models.api import CandidateChanges, NewCandidate
from nudges.services.candidates import CandidateService
from nudges.services.email_change import KIND, EmailChangeNotice
from tests.fakes.repositories import World

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


class Log:
    def __init__(self) -> None:
        self.recorded: list = []

    def record(self, message, candidate_expires_at=None) -> None:
        self.recorded.append(message)

    def set_status(self, *args, **kwargs) -> None:
        return None


def build(suppressed: frozenset[str] = frozenset()) -> tuple[CandidateService, World, Log]:
    world = World()
    log = Log()
    notice = EmailChangeNotice(world.email, log, refused=lambda a: a in suppressed)  # type: ignore[arg-type]
    service = CandidateService(
        world.candidates,
        world.interviews,
        world.applications,
        world.nudges,
        world.retention,
        world.planner,
        world.scheduler,
        None,  # type: ignore[arg-type]  (no calendar is touched)
        email_changed=notice,
    )
    return service, world, log


def register(service: CandidateService, email: str = "ada@uni.example") -> Candidate:
    new = NewCandidate.model_validate({"email": email, "timezone": "Europe/London", "name": "Ada Lovelace"})
    return service.register(new, NOW)


def booking(email: str, ref: str, company: str = "acme", days: int = 5) -> BookingChange:
    start = NOW + timedelta(days=days)
    return BookingChange(
        "booked",
        Interview(
            interview_id="",
            source="calcom",
            source_ref=ref,
            candidate_email=email,
            company=company,
            title="Interview",
            start=start,
            end=start + timedelta(hours=1),
            interviewers=(Person("Jane Doe", "jane@acme.com"),),
            updated_at=NOW,
        ),
    )


def test_the_new_address_is_current_and_the_old_one_an_alias_told_of_the_change():
    service, world, log = build()
    ada = register(service)
    changed = service.change_email(ada.candidate_id, " Ada@Work.Example ", NOW)
    assert changed.email == "ada@work.example" and changed.email_aliases == ("ada@uni.example",)
    assert world.candidates.by_email("ada@uni.example").candidate_id == ada.candidate_id
    assert world.candidates.by_email("ada@work.example").candidate_id == ada.candidate_id
    notice = world.email.sent[-1]
    assert notice["to"] == "ada@uni.example" and "ada@work.example" in notice["text"]
    assert [m.kind for m in log.recorded] == [KIND]
    # The same address again changes nothing and tells nobody.
    before = len(world.email.sent)
    assert service.change_email(ada.candidate_id, "ada@work.example", NOW).email == "ada@work.example"
    assert len(world.email.sent) == before


def test_invites_naming_the_old_or_the_new_address_plan_nudges_for_the_same_candidate():
    service, world, _ = build()
    ada = register(service)
    old = world.bookings.apply(booking("ada@uni.example", "before"), NOW)
    service.change_email(ada.candidate_id, "ada@work.example", NOW)
    to_old = world.bookings.apply(booking("ada@uni.example", "after-old", company="globex"), NOW)
    to_new = world.bookings.apply(booking("ada@work.example", "after-new", company="initech"), NOW)
    for interview in (old, to_old, to_new):
        assert world.nudges.get(interview.interview_id, "research_prompt").status == "scheduled"
    timeline = service.timeline(ada.candidate_id, NOW)
    assert {i["interview_id"] for i in timeline} == {old.interview_id, to_old.interview_id, to_new.interview_id}
    # News about the interview filed before the change, naming the new address, leaves it in its
    # application (filed under the old address).
    moved = replace(booking("ada@work.example", "before", days=6).interview, updated_at=NOW + timedelta(minutes=1))
    again = world.bookings.apply(BookingChange("rescheduled", moved), NOW)
    assert again.interview_id == old.interview_id and again.candidate_email == "ada@uni.example"
    assert again.application_id == old.application_id


def test_an_address_another_candidate_holds_is_refused_naming_email_and_nothing_changes():
    service, world, _ = build()
    ada = register(service)
    grace = register(service, "grace@example.org")
    service.change_email(grace.candidate_id, "grace@new.example", NOW)
    sent = len(world.email.sent)
    for taken in ("grace@new.example", "grace@example.org", "not an address"):
        with pytest.raises(InvalidInput) as refused:
            service.change_email(ada.candidate_id, taken, NOW)
        assert refused.value.field == "email"
    assert world.candidates.get(ada.candidate_id).email == "ada@uni.example"
    assert len(world.email.sent) == sent
    # A registration naming someone's alias is a duplicate, as registration already answers.
    with pytest.raises(Conflict) as duplicate:
        register(service, "grace@example.org")
    assert duplicate.value.field == "email"


def test_a_patch_with_email_changes_it_with_the_rest_and_a_taken_one_changes_nothing():
    service, world, _ = build()
    ada = register(service)
    register(service, "grace@example.org")
    with pytest.raises(InvalidInput):
        service.update(
            ada.candidate_id, CandidateChanges.model_validate({"email": "grace@example.org", "name": "A"}), NOW
        )
    assert world.candidates.get(ada.candidate_id).name == "Ada Lovelace"
    # A new address with another field refused: the address does not change either.
    with pytest.raises(InvalidInput) as refused:
        service.update(
            ada.candidate_id, CandidateChanges.model_validate({"email": "ada@work.example", "channels": ["sms"]}), NOW
        )
    assert refused.value.field == "phone" and world.candidates.get(ada.candidate_id).email == "ada@uni.example"
    updated = service.update(
        ada.candidate_id, CandidateChanges.model_validate({"email": "ada@work.example", "name": "Ada L."}), NOW
    )
    assert (updated.email, updated.name, updated.email_aliases) == ("ada@work.example", "Ada L.", ("ada@uni.example",))


def test_changing_back_to_an_alias_takes_it_off_the_list_and_there_is_a_limit():
    service, _, _ = build()
    ada = register(service)
    service.change_email(ada.candidate_id, "ada@work.example", NOW)
    back = service.change_email(ada.candidate_id, "ada@uni.example", NOW)
    assert back.email == "ada@uni.example" and back.email_aliases == ("ada@work.example",)
    for n in range(MAX_EMAIL_ALIASES - 1):
        service.change_email(ada.candidate_id, f"ada{n}@example.org", NOW)
    with pytest.raises(InvalidInput) as refused:
        service.change_email(ada.candidate_id, "one-more@example.org", NOW)
    assert refused.value.field == "email"


def test_a_suppressed_old_address_is_not_mailed():
    service, world, log = build(suppressed=frozenset({"ada@uni.example"}))
    ada = register(service)
    sent = len(world.email.sent)
    service.change_email(ada.candidate_id, "ada@work.example", NOW)
    assert len(world.email.sent) == sent and log.recorded == []


def test_an_interview_filed_under_the_new_address_before_the_change_becomes_theirs():
    service, world, _ = build()
    ada = register(service)
    early = world.bookings.apply(booking("ada@work.example", "early"), NOW)
    assert world.nudges.get(early.interview_id, "research_prompt") is None  # nobody registered with it yet
    service.change_email(ada.candidate_id, "ada@work.example", NOW)
    assert world.nudges.get(early.interview_id, "research_prompt").status == "scheduled"
    assert interview_id_for("calcom", "early") == early.interview_id
