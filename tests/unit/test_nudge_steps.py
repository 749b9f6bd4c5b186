"""The booking's and the outcome's pure decisions (``domain/nudge_steps.py``): plain data in
(the interview as it will stand, the nudges as read), steps out; nothing read, nothing written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from nudges.domain.candidate import Candidate
from nudges.domain.interview import Interview, Person, interview_id_for
from nudges.domain.nudge_steps import (
    CANCELLED,
    HAS_OFFER,
    LATER_ROUND,
    BookingView,
    Steps,
    Withdrawal,
    decide_booking,
    decide_outcome,
)
from nudges.domain.plan import NudgeTimings
from nudges.domain.records import Application, NudgeRecord

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
START = datetime(2030, 3, 11, 15, 0, tzinfo=UTC)  # a Monday, 15:00 in London
FOLLOW_UP = datetime(2030, 3, 18, 10, 0, tzinfo=UTC)  # the Monday after the end, 10:00 in London
TIMINGS = NudgeTimings()

ADA = Candidate(
    candidate_id="c_ada",
    email="ada@example.org",
    timezone="Europe/London",
    channels=("email",),
    created_at=NOW - timedelta(days=1),
    ics_inbox_token="inbox-token-ada-0001",
    name="Ada Lovelace",
)


def interview(ref: str = "bk-1", start: datetime = START, status: str = "scheduled") -> Interview:
    return Interview(
        interview_id=interview_id_for("calcom", ref),
        source="calcom",
        source_ref=ref,
        candidate_email="ada@example.org",
        company="acme-robotics.com",
        title="Final interview",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=(Person("Grace Hopper", "grace@acme-robotics.com"),),
        status=status,  # type: ignore[arg-type]
    )


def view(
    round_: Interview,
    *,
    nudges: dict[str, NudgeRecord] | None = None,
    application: Application | None = None,
    application_nudges: dict[str, NudgeRecord] | None = None,
    others: tuple[Interview, ...] = (),
    follow_ups: dict[str, NudgeRecord] | None = None,
    candidate: Candidate | None = ADA,
) -> BookingView:
    return BookingView(
        interview=round_,
        candidate=candidate,
        nudges=nudges or {},
        application=application,
        application_nudges=application_nudges or {},
        interviews=[*others, round_] if candidate is not None else [],
        follow_ups=follow_ups or {},
    )


def planned(steps: Steps) -> dict[tuple[str, str], tuple[str, datetime | None]]:
    return {(p.nudge.owner_id, p.nudge.kind): (p.nudge.status, p.nudge.due_at) for p in steps.plans}


def withdrawn(steps: Steps) -> dict[tuple[str, str], str]:
    return {(w.nudge.owner_id, w.nudge.kind): w.reason for w in steps.withdrawals}


def as_stored(steps: Steps) -> dict[str, NudgeRecord]:
    """The nudges as the steps leave them (for a delivery of the same news again)."""
    return {p.nudge.kind: p.nudge for p in steps.plans}


def test_a_new_booking_plans_the_research_prompt_the_thank_you_and_the_follow_up():
    booked = interview()
    steps = decide_booking(view(booked), NOW, TIMINGS)

    iid = booked.interview_id
    assert planned(steps) == {
        (iid, "research_prompt"): ("scheduled", START - timedelta(hours=48)),
        (iid, "thank_you"): ("scheduled", START + timedelta(hours=2)),
        (iid, "follow_up"): ("scheduled", FOLLOW_UP),
    }
    assert all(p.before is None for p in steps.plans)  # new: planned (and counted) once
    assert steps.withdrawals == () and steps.requeued == () and steps.attach is None
    # Each plan carries the opt-out records the sender reads with the profile.
    assert all(p.nudge.opt_outs and p.nudge.candidate_id == "c_ada" for p in steps.plans)


def test_the_same_booking_delivered_again_plans_the_same_and_withdraws_nothing():
    booked = interview()
    first = decide_booking(view(booked), NOW, TIMINGS)
    again = decide_booking(view(booked, nudges=as_stored(first)), NOW, TIMINGS)

    assert planned(again) == planned(first)
    assert all(p.before == p.nudge for p in again.plans)  # same due time: nothing new to log
    assert again.withdrawals == ()


def test_a_reschedule_moves_every_plan_to_the_new_time():
    first = decide_booking(view(interview()), NOW, TIMINGS)
    later = START + timedelta(days=2)
    moved = decide_booking(view(interview(start=later), nudges=as_stored(first)), NOW, TIMINGS)

    iid = interview().interview_id
    assert planned(moved)[(iid, "research_prompt")] == ("scheduled", later - timedelta(hours=48))
    assert planned(moved)[(iid, "thank_you")] == ("scheduled", later + timedelta(hours=2))
    assert {p.nudge.kind: p.before.due_at for p in moved.plans if p.before} == {
        kind: n.due_at for kind, n in as_stored(first).items()
    }


def test_a_cancel_withdraws_whatever_is_still_ahead_and_leaves_what_was_sent():
    first = as_stored(decide_booking(view(interview()), NOW, TIMINGS))
    first["research_prompt"] = replace(first["research_prompt"], status="sent")
    steps = decide_booking(view(interview(status="cancelled"), nudges=first), NOW, TIMINGS)

    iid = interview().interview_id
    assert withdrawn(steps) == {(iid, "thank_you"): CANCELLED, (iid, "follow_up"): CANCELLED}
    assert steps.plans == ()


def test_a_cancel_delivered_again_only_deletes_the_withdrawn_schedules_again():
    stored = {
        kind: replace(n, status="cancelled", reason=CANCELLED, schedule_name=f"s-{kind}")
        for kind, n in as_stored(decide_booking(view(interview()), NOW, TIMINGS)).items()
    }
    steps = decide_booking(view(interview(status="cancelled"), nudges=stored), NOW, TIMINGS)

    assert steps.plans == () and steps.withdrawals == ()
    assert set(steps.unscheduled) == {"s-research_prompt", "s-thank_you", "s-follow_up"}


def test_a_second_round_takes_the_follow_up_from_the_first():
    first = interview("bk-1")
    first_follow_up = as_stored(decide_booking(view(first), NOW, TIMINGS))["follow_up"]
    second = interview("bk-2", start=START + timedelta(days=7))
    steps = decide_booking(
        view(second, others=(first,), follow_ups={first.interview_id: first_follow_up}), NOW, TIMINGS
    )

    assert withdrawn(steps) == {(first.interview_id, "follow_up"): LATER_ROUND}
    assert planned(steps)[(second.interview_id, "follow_up")] == ("scheduled", FOLLOW_UP + timedelta(days=7))


def test_cancelling_the_later_round_gives_the_follow_up_back_to_the_earlier():
    first, second = interview("bk-1"), interview("bk-2", start=START + timedelta(days=7))
    given_way = replace(
        as_stored(decide_booking(view(first), NOW, TIMINGS))["follow_up"], status="cancelled", reason=LATER_ROUND
    )
    second_nudges = as_stored(decide_booking(view(second, others=(first,)), NOW, TIMINGS))
    steps = decide_booking(
        view(
            replace(second, status="cancelled"),
            nudges=second_nudges,
            others=(first,),
            follow_ups={first.interview_id: given_way},
        ),
        NOW,
        TIMINGS,
    )

    assert planned(steps) == {(first.interview_id, "follow_up"): ("scheduled", FOLLOW_UP)}
    assert (second.interview_id, "follow_up") in withdrawn(steps)


def test_an_interview_already_past_skips_the_research_prompt_and_thanks_at_once():
    past = interview(start=NOW - timedelta(days=2))
    steps = {kind: plan for (_, kind), plan in planned(decide_booking(view(past), NOW, TIMINGS)).items()}

    assert steps["research_prompt"] == ("skipped", None)
    status, due = steps["thank_you"]
    assert status == "scheduled" and due is not None and NOW <= due < NOW + timedelta(days=1)
    assert steps["follow_up"][0] == "scheduled"


def test_a_nudge_due_and_not_sent_is_queued_again_not_planned_again():
    stored = as_stored(decide_booking(view(interview()), NOW, TIMINGS))
    at_research = START - timedelta(hours=47)  # its time has come; no send recorded yet
    steps = decide_booking(view(interview(), nudges=stored), at_research, TIMINGS)

    assert [(n.kind, n.due_at) for n in steps.requeued] == [("research_prompt", START - timedelta(hours=48))]
    assert "research_prompt" not in {p.nudge.kind for p in steps.plans}


def test_a_paused_candidate_gets_each_nudge_skipped_ahead_of_time_and_a_planned_one_withdrawn():
    stored = as_stored(decide_booking(view(interview()), NOW, TIMINGS))
    paused = replace(ADA, paused=True)
    steps = decide_booking(view(interview(), nudges=stored, candidate=paused), NOW, TIMINGS)

    assert {w.nudge.kind: (w.status, w.reason) for w in steps.withdrawals} == {
        kind: ("skipped", "paused by the candidate") for kind in ("research_prompt", "thank_you", "follow_up")
    }
    fresh = decide_booking(view(interview(), candidate=paused), NOW, TIMINGS)
    assert {p.nudge.status for p in fresh.plans} == {"skipped"}


def test_nobody_registered_yet_nothing_is_planned():
    assert decide_booking(view(interview(), candidate=None), NOW, TIMINGS) == Steps()


def test_an_offer_known_first_withdraws_the_round_and_plans_connect_naming_it():
    booked = interview()
    offer = Application(booked.application_id, "ada@example.org", "acme-robotics.com", outcome="offer", outcome_at=NOW)
    stored = as_stored(decide_booking(view(booked), NOW, TIMINGS))
    steps = decide_booking(view(booked, nudges=stored, application=offer), NOW, TIMINGS)

    assert set(withdrawn(steps).values()) == {HAS_OFFER}
    assert [(p.nudge.owner_id, p.nudge.kind, p.nudge.interview_id) for p in steps.plans] == [
        (booked.application_id, "connect", booked.interview_id)
    ]
    assert steps.attach == (booked.application_id, booked.interview_id)


def test_a_rejection_known_first_withdraws_the_round_and_plans_the_reply():
    booked = interview(start=NOW - timedelta(days=3))
    rejected = Application(
        booked.application_id, "ada@example.org", "acme-robotics.com", outcome="rejected", outcome_at=NOW
    )
    steps = decide_booking(view(booked, application=rejected), NOW, TIMINGS)

    assert [(p.nudge.owner_id, p.nudge.kind) for p in steps.plans] == [(booked.application_id, "rejection_reply")]


def test_an_offer_withdraws_every_round_and_plans_connect_once():
    booked = interview()
    stored = as_stored(decide_booking(view(booked), NOW, TIMINGS))
    offer = Application(booked.application_id, "ada@example.org", "acme-robotics.com", outcome="offer")
    nudges = {booked.interview_id: stored, booked.application_id: {}}
    steps = decide_outcome(offer, [booked], nudges, ADA, NOW, TIMINGS)

    assert set(withdrawn(steps)) == {(booked.interview_id, k) for k in ("research_prompt", "thank_you", "follow_up")}
    assert [p.nudge.kind for p in steps.plans] == ["connect"]
    # Delivered again with the connect planned: the same plan, nothing withdrawn twice.
    after = {booked.interview_id: {}, booked.application_id: {"connect": steps.plans[0].nudge}}
    again = decide_outcome(offer, [booked], after, ADA, NOW, TIMINGS)
    assert planned(again) == planned(steps) and again.withdrawals == ()


def test_a_rejection_replaces_the_thank_you_with_the_reply():
    booked = interview()
    stored = as_stored(decide_booking(view(booked), NOW, TIMINGS))
    rejected = Application(booked.application_id, "ada@example.org", "acme-robotics.com", outcome="rejected")
    steps = decide_outcome(rejected, [booked], {booked.interview_id: stored}, ADA, NOW, TIMINGS)

    assert withdrawn(steps)[(booked.interview_id, "thank_you")] == "replaced by the rejection reply"
    assert [p.nudge.kind for p in steps.plans] == ["rejection_reply"]


def test_steps_touch_each_nudge_once():
    booked = interview()
    nudge = as_stored(decide_booking(view(booked), NOW, TIMINGS))["follow_up"]
    both = Steps(withdrawals=(Withdrawal(nudge, "cancelled", "first"),)) + Steps(
        withdrawals=(Withdrawal(nudge, "cancelled", "second"),)
    )
    assert [w.reason for w in both.withdrawals] == ["first"]
