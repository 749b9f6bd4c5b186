"""TTL: a candidate's data expires DATA_RETENTION_DAYS after their last application closes."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from local_stack.client import calcom_booking


def test_every_item_expires_retention_days_after_the_application_closes(client, stack, unique):
    retention = timedelta(days=int(os.environ.get("DATA_RETENTION_DAYS") or stack.template.ref("DataRetentionDays")))
    now = datetime(2034, 2, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ttl-{unique}@example.org"
    reply = client.register(email=email, timezone="Europe/London", channels=["email"], name="Ada")
    candidate_id = reply.body["candidate_id"]
    start = datetime(2034, 2, 3, 14, 0, tzinfo=UTC)
    body = calcom_booking(
        "BOOKING_CREATED",
        uid=f"ttl-{unique}",
        start=start,
        end=start + timedelta(hours=1),
        attendee=("Ada", email),
        organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
        created_at=now,
    )
    interview_id = client.calcom(body).body["interview_id"]
    ddb = stack.aws.client("dynamodb")
    table = stack.template.ref("NudgesTable")

    def expiries() -> dict[tuple[str, str], int]:
        pks = [f"CANDIDATE#{candidate_id}", f"EMAIL#{email}", f"INTERVIEW#{interview_id}"]
        pks += [
            i["PK"]["S"]
            for i in ddb.query(
                TableName=table,
                IndexName="GSI1",
                KeyConditionExpression="GSI1PK = :pk",
                ExpressionAttributeValues={":pk": {"S": f"EMAIL#{email}"}},
            )["Items"]
        ]
        found = {}
        for pk in dict.fromkeys(pks):
            for item in ddb.query(
                TableName=table, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
            )["Items"]:
                found[(item["PK"]["S"], item["SK"]["S"])] = int(item["expires_at"]["N"])
        return found

    # Booked: the profile and pointers live at least as long as the interview's own items.
    booked = expiries()
    interview_expiry = int((start + timedelta(hours=1) + retention).timestamp())
    assert booked[(f"CANDIDATE#{candidate_id}", "PROFILE")] == interview_expiry
    assert booked[(f"EMAIL#{email}", "CANDIDATE")] == interview_expiry
    # Rejected a month later: every item is kept until the retention period after that moment.
    closed_at = now + timedelta(days=30)
    client.set_clock(closed_at)
    assert client.outcome(interview_id, "rejected").status == 202
    after = expiries()
    assert any(pk.startswith("APPLICATION#") for pk, _ in after)
    assert len(after) >= len(booked) + 1
    assert set(after.values()) == {int((closed_at + retention).timestamp())}, after
