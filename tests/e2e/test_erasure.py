"""DELETE /candidates/{id}: nothing about the candidate is left in the table or in Scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

PHONE = "+447700900456"


def test_delete_leaves_no_item_and_no_schedule(client, stack, unique):
    now = datetime(2033, 3, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"erase-{unique}@example.org"
    reply = client.register(
        email=email, timezone="Europe/London", channels=["email", "sms"], phone=PHONE, name="Ada Lovelace"
    )
    assert reply.status == 201, reply
    candidate_id, inbox_url = reply.body["candidate_id"], reply.body["ics_inbox_url"]

    def book(trigger: str, uid: str, start: datetime, **extra):
        reply = client.book(email, uid, start, now, trigger=trigger, **extra)
        assert reply.status in (200, 201), reply
        return reply.body["interview_id"]

    interview_id = book("BOOKING_CREATED", f"old-{unique}", datetime(2033, 3, 7, 14, 0, tzinfo=UTC))
    # Moved: the new booking's uid is linked to the same interview (a SOURCE# item).
    uid = f"new-{unique}"
    moved = book("BOOKING_RESCHEDULED", uid, datetime(2033, 3, 8, 14, 0, tzinfo=UTC), reschedule_uid=f"old-{unique}")
    assert moved == interview_id
    # An offer from another company, kept before any interview with them.
    kept = client.outcome_event({"candidate_email": email, "company": "Other Co", "outcome": "offer"}, at=now)
    assert kept.status == 202, kept

    ddb = stack.aws.client("dynamodb")
    scheduler = stack.aws.client("scheduler")
    table = stack.template.ref("NudgesTable")
    group = stack.template.ref("NudgeScheduleGroup")

    def by_email() -> list[dict]:
        return ddb.query(
            TableName=table,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"EMAIL#{email}"}},
        )["Items"]

    def partition(pk: str) -> list[dict]:
        return ddb.query(
            TableName=table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=True,
        )["Items"]

    def schedules() -> list[str]:
        names = []
        for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group):
            names += [s["Name"] for s in page["Schedules"]]
        return [n for n in names if interview_id in n]

    owned = by_email()
    application_pks = [i["PK"]["S"] for i in owned if i["PK"]["S"].startswith("APPLICATION#")]
    assert len(owned) == 2 and len(application_pks) == 1  # the interview and the kept offer
    pks = [
        f"CANDIDATE#{candidate_id}",
        f"EMAIL#{email}",
        f"INBOX#{inbox_url.rsplit('/', 1)[1]}",
        f"INTERVIEW#{interview_id}",
        f"SOURCE#calcom#{uid}",
        *application_pks,
    ]
    assert [pk for pk in pks if not partition(pk)] == []  # each key finds something before...
    assert {s.removeprefix(f"{interview_id}-") for s in schedules()} >= {"research_prompt", "thank_you"}
    assert client.request("DELETE", f"/candidates/{candidate_id}").status == 204

    assert by_email() == []  # ...and nothing after
    assert {pk: partition(pk) for pk in pks} == {pk: [] for pk in pks}
    assert schedules() == []
    assert client.request("GET", f"/candidates/{candidate_id}").status == 404
    assert client.request("DELETE", f"/candidates/{candidate_id}").status == 204  # erasing twice is fine
    client.set_clock(datetime(2033, 3, 9, 12, 0, tzinfo=UTC))
    assert [m for m in client.outbox() if m["to"] in (email, PHONE)] == []
