"""The whole story and its variations, driven only through the local stack's HTTP routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from local_stack.client import calcom_booking
from tests.e2e.steps import register

PHONE = "+447700900123"

JANE = ("Jane Doe", "jane.doe@acme-robotics.com")


def on_both_channels(*kinds):
    return [(kind, channel) for kind in kinds for channel in ("email", "sms")]


def mine(client, email, interview_ids):
    """(kind, channel) of every message sent about these interviews, in send order."""
    return [(m["kind"], m["channel"]) for m in client.outbox() if m["interview_id"] in interview_ids]


def test_the_whole_story(client, unique):
    # Given a registered candidate (London) and a clock on a Monday morning
    now = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    # When Cal.com books an interview for Thursday 14:00
    start = datetime(2031, 3, 6, 14, 0, tzinfo=UTC)
    reply = client.book(email, f"uid-{unique}", start, now)
    assert reply.status == 200, reply
    interview_id = reply.body["interview_id"]
    [interview] = client.interviews(candidate_id)
    assert interview["company"] == "Acme Robotics"
    assert interview["interviewers"] == [{"name": "Jane Doe", "email": "jane.doe@acme-robotics.com"}]
    assert {n["kind"]: n["due_at"] for n in interview["nudges"]} == {
        "research_prompt": "2031-03-04T14:00:00Z",
        "thank_you": "2031-03-06T16:00:00Z",
        "follow_up": "2031-03-13T10:00:00Z",  # a week after, if nothing is heard
    }
    # Then nothing is sent before the research prompt is due
    client.set_clock(datetime(2031, 3, 4, 13, 59, tzinfo=UTC))
    assert mine(client, email, {interview_id}) == []
    # ...the research prompt goes out 48 h before, by email and SMS
    fired = client.set_clock(datetime(2031, 3, 4, 14, 0, tzinfo=UTC))["fired"]
    assert [f["at"][:16] for f in fired] == ["2031-03-04T14:00"]
    research = [m for m in client.outbox() if m["interview_id"] == interview_id]
    assert [(m["kind"], m["channel"], m["to"]) for m in research] == [
        ("research_prompt", "email", email),
        ("research_prompt", "sms", "+447700900123"),
    ]
    assert "Jane Doe" in research[0]["body"] and "first-degree connections" in research[0]["body"]
    assert research[0]["sent_at"].startswith("2031-03-04T14:00")
    # ...the thank-you 1 h after the end
    client.set_clock(datetime(2031, 3, 6, 16, 0, tzinfo=UTC))
    thank_you = [m for m in client.outbox() if m["interview_id"] == interview_id and m["kind"] == "thank_you"]
    assert [m["channel"] for m in thank_you] == ["email", "sms"]
    assert "Dear Jane," in thank_you[0]["body"] and "Hold off on LinkedIn" in thank_you[0]["body"]
    # When an offer is recorded
    client.set_clock(datetime(2031, 3, 8, 12, 0, tzinfo=UTC))
    assert client.outcome(interview_id, "offer").status == 202
    client.set_clock(datetime(2031, 3, 8, 12, 1, tzinfo=UTC))
    # Then the connect nudge names everyone met, once per channel
    connect = [
        m
        for m in client.outbox()
        if m["kind"] == "connect" and m["to"] in (email, "+447700900123") and m["interview_id"] == interview_id
    ]
    assert [m["channel"] for m in connect] == ["email", "sms"]
    assert "Now is the time to connect" in connect[0]["body"] and "Jane Doe" in connect[0]["body"]
    statuses = {n["kind"]: n["status"] for n in client.interviews(candidate_id)[0]["nudges"]}
    assert statuses == {"research_prompt": "sent", "thank_you": "sent", "follow_up": "cancelled", "connect": "sent"}
    assert client.interviews(candidate_id)[0]["status"] == "completed"


def test_a_reschedule_moves_the_nudges_and_the_old_ones_never_arrive(client, unique):
    now = datetime(2031, 5, 5, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    first = datetime(2031, 5, 8, 14, 0, tzinfo=UTC)
    interview_id = client.book(email, f"old-{unique}", first, now).body["interview_id"]
    # The candidate moves it to the next Monday 10:00
    moved = datetime(2031, 5, 12, 10, 0, tzinfo=UTC)
    reply = client.book(
        email,
        f"new-{unique}",
        moved,
        now + timedelta(hours=1),
        trigger="BOOKING_RESCHEDULED",
        reschedule_uid=f"old-{unique}",
    )
    assert reply.status == 200 and reply.body["interview_id"] == interview_id
    [interview] = client.interviews(candidate_id)
    assert interview["start"] == "2031-05-12T10:00:00Z"
    assert {n["kind"]: n["due_at"] for n in interview["nudges"]} == {
        "research_prompt": "2031-05-10T10:00:00Z",
        "thank_you": "2031-05-12T12:00:00Z",
        "follow_up": "2031-05-19T09:00:00Z",  # 10:00 BST
    }
    # The old due times pass: nothing
    client.set_clock(datetime(2031, 5, 8, 16, 30, tzinfo=UTC))
    assert [m for m in client.outbox() if m["interview_id"] == interview_id] == []
    # The new ones arrive, once each
    client.set_clock(datetime(2031, 5, 10, 10, 0, tzinfo=UTC))
    client.set_clock(datetime(2031, 5, 12, 12, 0, tzinfo=UTC))
    assert mine(client, email, {interview_id}) == on_both_channels("research_prompt", "thank_you")
    # A later cancel naming the new booking finds the same interview
    reply = client.book(email, f"new-{unique}", moved, now + timedelta(hours=2), trigger="BOOKING_CANCELLED")
    assert reply.body["interview_id"] == interview_id


def test_a_cancel_stops_the_nudges(client, unique):
    now = datetime(2031, 7, 7, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    start = datetime(2031, 7, 10, 14, 0, tzinfo=UTC)
    interview_id = client.book(email, f"uid-{unique}", start, now).body["interview_id"]
    client.book(email, f"uid-{unique}", start, now + timedelta(hours=1), trigger="BOOKING_CANCELLED")
    [interview] = client.interviews(candidate_id)
    assert interview["status"] == "cancelled"
    assert {n["status"] for n in interview["nudges"]} == {"cancelled"}
    client.set_clock(datetime(2031, 7, 11, 12, 0, tzinfo=UTC))
    assert mine(client, email, {interview_id}) == []


def test_the_same_webhook_three_times_makes_one_interview_and_one_set_of_messages(client, unique):
    now = datetime(2031, 9, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    start = datetime(2031, 9, 4, 14, 0, tzinfo=UTC)
    body = calcom_booking(
        "BOOKING_CREATED",
        uid=f"uid-{unique}",
        start=start,
        end=start + timedelta(hours=1),
        attendee=("Ada", email),
        organizer=JANE,
        created_at=now,
    )
    ids = {client.calcom(body).body["interview_id"] for _ in range(3)}
    assert len(ids) == 1
    assert len(client.interviews(candidate_id)) == 1
    client.set_clock(datetime(2031, 9, 2, 14, 0, tzinfo=UTC))
    client.set_clock(datetime(2031, 9, 4, 16, 0, tzinfo=UTC))
    assert mine(client, email, ids) == on_both_channels("research_prompt", "thank_you")


def test_deliver_twice_sends_each_message_once(client, unique):
    now = datetime(2031, 11, 3, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    register(client, email, PHONE)
    start = datetime(2031, 11, 6, 14, 0, tzinfo=UTC)
    interview_id = client.book(email, f"uid-{unique}", start, now).body["interview_id"]
    client.set_clock(datetime(2031, 11, 4, 14, 0, tzinfo=UTC), deliver_twice=True)
    client.set_clock(datetime(2031, 11, 6, 16, 0, tzinfo=UTC), deliver_twice=True)
    client.set_clock(datetime(2031, 11, 7, 12, 0, tzinfo=UTC))
    client.outcome(interview_id, "offer")
    client.set_clock(datetime(2031, 11, 7, 12, 1, tzinfo=UTC), deliver_twice=True)
    assert mine(client, email, {interview_id}) == on_both_channels("research_prompt", "thank_you", "connect")


def test_an_interview_for_an_unknown_address_waits_for_registration(client, unique):
    now = datetime(2032, 1, 5, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"later-{unique}@example.org"
    start = datetime(2032, 1, 9, 14, 0, tzinfo=UTC)
    interview_id = client.book(email, f"uid-{unique}", start, now).body["interview_id"]
    client.set_clock(datetime(2032, 1, 7, 15, 0, tzinfo=UTC))
    assert mine(client, email, {interview_id}) == []  # nobody is messaged before registering
    candidate_id = register(client, email, PHONE)["candidate_id"]
    [interview] = client.interviews(candidate_id)
    assert [n["kind"] for n in interview["nudges"]] == ["research_prompt", "thank_you", "follow_up"]
    client.set_clock(datetime(2032, 1, 7, 15, 1, tzinfo=UTC))
    assert ("research_prompt", "email") in mine(client, email, {interview_id})


def test_a_bad_signature_answers_401_and_stores_nothing(client, unique):
    now = datetime(2032, 3, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    body = calcom_booking(
        "BOOKING_CREATED",
        uid=f"uid-{unique}",
        start=now + timedelta(days=3),
        end=now + timedelta(days=3, hours=1),
        attendee=("Ada", email),
        organizer=JANE,
        created_at=now,
    )
    for signature in ("0" * 64, "no-secret-provided"):
        reply = client.calcom(body, signature=signature)
        assert reply.status == 401, reply
        assert "signature" in reply.body["message"]
    unsigned = client.request("POST", "/webhooks/calcom", body)
    assert unsigned.status == 401
    assert client.interviews(candidate_id) == []


def test_malformed_and_oversized_bodies_are_refused_and_store_nothing(client, unique):
    now = datetime(2032, 5, 3, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    reply = client.calcom(b'{"triggerEvent": "BOOKING_CREATED", "payload": {')
    assert reply.status == 400 and "JSON" in reply.body["message"]
    body = calcom_booking(
        "BOOKING_CREATED",
        uid=f"uid-{unique}",
        start=now + timedelta(days=3),
        end=now + timedelta(days=3, hours=1),
        attendee=("Ada", email),
        organizer=JANE,
        created_at=now,
    )
    del body["payload"]["startTime"]
    reply = client.calcom(body)
    assert reply.status == 400 and "startTime" in reply.body["message"]
    huge = json.dumps({**body, "padding": "x" * (2 * 1024 * 1024)}).encode()
    assert client.calcom(huge).status == 413
    assert client.request("POST", "/candidates", raw=b"{not json").status == 400
    assert client.interviews(candidate_id) == []


def test_operator_api_validates_each_field(client, unique):
    cases = {
        "email": {"email": "not-an-address", "timezone": "Europe/London", "channels": ["email"]},
        "phone": {
            "email": f"p-{unique}@example.org",
            "phone": "07700 900123",
            "timezone": "Europe/London",
            "channels": ["sms"],
        },
        "timezone": {"email": f"t-{unique}@example.org", "timezone": "Mars/Olympus", "channels": ["email"]},
        "channels.0": {"email": f"c-{unique}@example.org", "timezone": "Europe/London", "channels": ["pigeon"]},
    }
    for field, body in cases.items():
        reply = client.request("POST", "/candidates", body)
        assert reply.status == 400, (field, reply)
        assert reply.body["field"] == field and field in reply.body["message"]
    assert client.request("GET", "/candidates/c_nope").status == 404
    email = f"dup-{unique}@example.org"
    register(client, email, PHONE)
    assert client.register(email=email.upper(), timezone="Europe/London", channels=["email"]).status == 409
    assert client.outcome("iv_unknown", "offer").status == 404
    assert client.request("POST", "/interviews/iv_x/outcome", {"outcome": "maybe"}).status == 400


def test_deleting_a_candidate_erases_them_and_cancels_their_schedules(client, unique, stack):
    now = datetime(2032, 7, 5, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    interview_id = client.book(email, f"uid-{unique}", datetime(2032, 7, 9, 14, 0, tzinfo=UTC), now).body[
        "interview_id"
    ]
    assert client.request("DELETE", f"/candidates/{candidate_id}").status == 204
    assert client.request("GET", f"/candidates/{candidate_id}").status == 404
    fired = client.set_clock(datetime(2032, 7, 10, 12, 0, tzinfo=UTC))["fired"]
    assert not [f for f in fired if interview_id in f["name"]]
    assert mine(client, email, {interview_id}) == []


def test_no_email_address_or_phone_number_reaches_the_logs(stack, client, unique):
    # Listen to everything the functions' processes write (what would reach CloudWatch).
    lines: list[str] = []

    def tap(_function: str, _stream: str, line: str) -> None:
        lines.append(line)

    stack.runtime.add_log_listener(tap)
    now = datetime(2032, 9, 6, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"private-{unique}@example.org"
    register(client, email, PHONE)
    client.register(email="broken@", timezone="Europe/London", channels=["email"])  # the error echoes input
    interview_id = client.book(email, f"uid-{unique}", datetime(2032, 9, 9, 14, 0, tzinfo=UTC), now).body[
        "interview_id"
    ]
    client.set_clock(datetime(2032, 9, 7, 14, 0, tzinfo=UTC))
    client.set_clock(datetime(2032, 9, 9, 16, 0, tzinfo=UTC))
    assert len(mine(client, email, {interview_id})) == 4
    stack.runtime.remove_log_listener(tap)
    logs = "".join(lines)
    assert '"message":"nudge sent"' in logs  # the functions did log
    for secret in (email, "+447700900123", "jane.doe@acme-robotics.com", "broken@"):
        assert secret not in logs


def test_the_stack_keeps_secrets_and_topics_under_the_template_keys(stack):
    # Given the resources the template declares, provisioned in the AWS endpoint
    kms, sm, sns = (stack.aws.client(s) for s in ("kms", "secretsmanager", "sns"))
    secrets_key = stack.provisioner.resolved["SecretsKey"][1]
    ops_key = stack.provisioner.resolved["OpsKey"][1]
    # Then every secret is encrypted with SecretsKey, and every topic with OpsKey
    for name in ("WebhookSecrets", "UnsubscribeSigningKey", "CalendarOAuthClients"):
        arn = stack.provisioner.resolved[name][0]
        assert sm.describe_secret(SecretId=arn)["KmsKeyId"] in (secrets_key["KeyId"], secrets_key["Arn"]), name
    for name in ("AlarmTopic", "EmailEventsTopic", "InboundSmsTopic", "InboxMailTopic"):
        attributes = sns.get_topic_attributes(TopicArn=stack.provisioner.resolved[name][0])["Attributes"]
        assert attributes["KmsMasterKeyId"] in (ops_key["KeyId"], ops_key["Arn"]), name
    # And both keys rotate, with the template's key policy
    for key in (secrets_key, ops_key):
        assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=secrets_key["KeyId"], PolicyName="default")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["AccountAdministers", "UseThroughSecretsManager"]
