"""The message log, end to end: every send with its provider's message id, and SES's events
moving its status (sent -> delivered, a bounce marks that message bounced), erased with the
candidate."""

from __future__ import annotations

from datetime import UTC, datetime

from local_stack.ses_events import SentEmail, notification

PHONE = "+447700900612"


def _story(client, unique, month):
    now = datetime(2034, month, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"log-{unique}@example.org"
    reply = client.register(
        email=email, timezone="Europe/London", channels=["email", "sms"], phone=PHONE, name="Ada Lovelace"
    )
    assert reply.status == 201, reply
    candidate_id = reply.body["candidate_id"]
    client.set_clock(now)  # the welcome goes out (email and SMS): logged like every other message
    booked = client.book(email, f"uid-log-{unique}", datetime(2034, month, 10, 14, 0, tzinfo=UTC), now, name="Ada")
    assert booked.status == 200, booked
    return candidate_id, booked.body["interview_id"], email


def _log(client, candidate_id):
    reply = client.request("GET", f"/candidates/{candidate_id}/messages")
    assert reply.status == 200, reply
    return reply.body


def test_each_send_is_logged_with_its_message_id_and_ses_delivers_the_email(client, stack, unique):
    candidate_id, interview_id, _ = _story(client, unique, 1)
    before = {m["provider_message_id"] for m in _log(client, candidate_id)}
    client.set_clock(datetime(2034, 1, 8, 14, 0, tzinfo=UTC))  # research prompt due

    messages = [m for m in _log(client, candidate_id) if m["provider_message_id"] not in before]
    by_channel = {m["channel"]: m for m in messages}
    assert set(by_channel) == {"email", "sms"}
    for m in messages:
        assert m["kind"] == "research_prompt" and m["interview_id"] == interview_id
        assert m["sent_at"] == "2034-01-08T14:00:00Z"
    # The email got SES's Delivery event, the text End User Messaging SMS's TEXT_DELIVERED.
    assert by_channel["email"]["status"] == "delivered"
    assert by_channel["sms"]["status"] == "delivered"
    # The ids are the providers' own: the SES MessageId of the email that reached the endpoint.
    sent_ids = {e.message_id for e in stack.ses_events.sent()}
    assert by_channel["email"]["provider_message_id"] in sent_ids


def test_a_bounce_marks_that_message_bounced_and_no_other(client, stack, unique):
    candidate_id, _, email = _story(client, unique, 2)
    client.set_clock(datetime(2034, 2, 8, 14, 0, tzinfo=UTC))  # research prompt
    client.set_clock(datetime(2034, 2, 10, 16, 0, tzinfo=UTC))  # thank-you
    emails = [m for m in _log(client, candidate_id) if m["channel"] == "email"]
    kinds = [m["kind"] for m in emails]
    assert kinds[:2] == ["thank_you", "research_prompt"]  # newest first
    assert all(m["status"] == "delivered" for m in emails)
    research = emails[1]

    reply = client.request(
        "POST", "/_local/email-event", {"type": "bounce", "to": email, "message_id": research["provider_message_id"]}
    )
    assert reply.status == 202, reply

    after = {m["provider_message_id"]: m["status"] for m in _log(client, candidate_id)}
    assert after[research["provider_message_id"]] == "bounced"
    assert after[emails[0]["provider_message_id"]] == "delivered"
    # A Delivery event heard again (SNS delivers at least once, in any order) never hides the bounce.
    bounced = SentEmail(research["provider_message_id"], (email,), "nudges@example.com")
    stack.controls.publish_ses_event(
        stack.controls.ses_topics("delivery"), notification("delivery", bounced, stack.clock.now())
    )
    assert {m["provider_message_id"]: m["status"] for m in _log(client, candidate_id)} == after
    # Naming a message the stack never sent changes nothing.
    again = client.request("POST", "/_local/email-event", {"type": "bounce", "message_id": "no-such-id"})
    assert again.status == 404


def test_messages_of_an_unknown_candidate_are_404_and_erasure_takes_the_log(client, stack, unique):
    assert client.request("GET", "/candidates/c_000000000000000000000000/messages").status == 404
    candidate_id, _, _ = _story(client, unique, 3)
    client.set_clock(datetime(2034, 3, 8, 14, 0, tzinfo=UTC))
    assert _log(client, candidate_id)
    assert client.request("DELETE", f"/candidates/{candidate_id}").status == 204
    table = stack.controls.send_record_table()[0]
    left = stack.aws.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CANDIDATE#{candidate_id}"}},
    )["Items"]
    assert left == []


def test_the_log_expires_with_the_candidates_data(client, stack, unique):
    candidate_id, interview_id, _ = _story(client, unique, 4)
    client.set_clock(datetime(2034, 4, 8, 14, 0, tzinfo=UTC))  # research prompt, two days before the start
    table = stack.controls.send_record_table()[0]
    ddb = stack.aws.client("dynamodb")

    def expiries():
        items = ddb.query(
            TableName=table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"CANDIDATE#{candidate_id}"}},
        )["Items"]
        profile = next(int(i["expires_at"]["N"]) for i in items if i["SK"]["S"] == "PROFILE")
        logged = [int(i["expires_at"]["N"]) for i in items if i["SK"]["S"].startswith("MESSAGE#")]
        return profile, logged

    profile, logged = expiries()
    assert len(logged) == 4 and all(
        e >= profile for e in logged
    )  # the welcome's two and the prompt's two  # never before the candidate's data
    # An offer weeks later closes the application: everything about the candidate is kept longer,
    # the log too.
    client.set_clock(datetime(2034, 4, 30, 9, 0, tzinfo=UTC))
    assert client.outcome(interview_id, "offer").status == 202
    later, logged = expiries()
    assert later > profile and all(e >= later for e in logged)
