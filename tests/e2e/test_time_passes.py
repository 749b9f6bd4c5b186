"""A clock jump is time passing: each schedule due on the way is delivered at its own due time.

Through the local stack's HTTP routes: one jump of a week past an interview delivers the research
prompt two days before it, the thank-you an hour after it and the follow-up a week later, each
with the clock standing at its due time (the outbox's ``sent_at``), none skipped as too late.
A London candidate in December: UTC is local time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

JANE = ("Jane Doe", "jane.doe@acme-robotics.com")


def test_a_jump_of_weeks_delivers_each_nudge_at_its_own_time(client, unique):
    # Given a candidate registered on Monday 30 November at 09:00, booked for Thursday 3 December 14:00-15:00
    email = f"ada-time-{unique}@example.org"
    now = datetime(2037, 11, 30, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    reply = client.register(email=email, timezone="Europe/London", channels=["email"], name="Ada Lovelace")
    assert reply.status == 201, reply
    candidate_id = reply.body["candidate_id"]
    start = datetime(2037, 12, 3, 14, 0, tzinfo=UTC)
    booked = client.book(email, f"time-{unique}", start, now, name="Ada Lovelace", organizer=JANE)
    assert booked.status == 200, booked
    interview_id = booked.body["interview_id"]

    # When the clock jumps once, three weeks ahead
    target = datetime(2037, 12, 21, 12, 0, tzinfo=UTC)
    moved = client.set_clock(target)

    # Then each nudge was delivered at its own due time, in order, and none was skipped
    sent = {m["kind"]: m for m in client.outbox() if m.get("interview_id") == interview_id}
    assert set(sent) == {"research_prompt", "thank_you", "follow_up"}, sorted(sent)
    research_at = datetime.fromisoformat(sent["research_prompt"]["sent_at"])
    thank_you_at = datetime.fromisoformat(sent["thank_you"]["sent_at"])
    follow_up_at = datetime.fromisoformat(sent["follow_up"]["sent_at"])
    assert research_at == start - timedelta(hours=48)
    assert thank_you_at == start + timedelta(hours=2)  # an hour after the 15:00 end
    # FollowUpDays (7) after the end, at 10:00 on a weekday: Thursday 10 December
    assert follow_up_at == datetime(2037, 12, 10, 10, 0, tzinfo=UTC)
    [interview] = [i for i in client.interviews(candidate_id) if i["interview_id"] == interview_id]
    statuses = {n["kind"]: n["status"] for n in interview["nudges"]}
    assert statuses["research_prompt"] == "sent"
    assert statuses["thank_you"] == "sent"
    assert statuses["follow_up"] == "sent"
    # And the clock call reports each firing at its due time, in due order, then stands at the target
    ats = [datetime.fromisoformat(f["at"]) for f in moved["fired"]]
    assert ats == sorted(ats)
    assert research_at in ats and thank_you_at in ats and follow_up_at in ats
    assert datetime.fromisoformat(moved["now"]) == target


def test_a_move_backwards_only_sets_the_clock(client, unique):
    # Given a candidate booked for a day well ahead
    email = f"ada-back-{unique}@example.org"
    now = datetime(2038, 3, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    reply = client.register(email=email, timezone="Europe/London", channels=["email"], name="Ada Lovelace")
    assert reply.status == 201, reply
    booked = client.book(email, f"back-{unique}", datetime(2038, 3, 10, 14, 0, tzinfo=UTC), now, organizer=JANE)
    interview_id = booked.body["interview_id"]
    # When the clock goes back a day, nothing is delivered
    moved = client.set_clock(now - timedelta(days=1))
    assert moved["fired"] == []
    assert not [m for m in client.outbox() if m.get("interview_id") == interview_id]
