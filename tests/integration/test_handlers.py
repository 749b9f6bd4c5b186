"""Each handler invoked with the real-shaped events in ``events/``, against a moto server.

The local stack provides what Lambda would: the template's resources in the AWS endpoint and
each function's environment; the handlers are called directly with the event files, as
``sam local invoke -e events/<file>`` would call them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
NOW = datetime(2030, 3, 4, 9, 13, tzinfo=UTC)  # the stack's clock (conftest)


def load(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def invoke(stack, logical_id: str, event: dict):
    return stack.runtime.by_logical_id[logical_id].invoke(event)


def body(response: dict) -> dict:
    return json.loads(response["body"]) if response.get("body") else {}


def test_every_event_file_is_used_by_a_test():
    used = set(Path(__file__).read_text().split('"')) | set(Path(__file__).read_text().split("'"))
    unused = [p.stem for p in EVENTS.glob("*.json") if p.stem not in used]
    assert unused == []


def test_operator_api_and_calcom_webhook_events(stack):
    created = invoke(stack, "OperatorApiFunction", load("operator_api-create_candidate"))
    assert created["statusCode"] == 201, created
    candidate_id = body(created)["candidate_id"]
    assert body(created)["ics_inbox_url"].startswith(stack.base_url + "/webhooks/ics/")

    bad_zone = invoke(stack, "OperatorApiFunction", load("operator_api-create_candidate_bad_timezone"))
    assert (bad_zone["statusCode"], body(bad_zone)["field"]) == (400, "timezone")

    def with_candidate(name: str) -> dict:
        event = json.loads(json.dumps(load(name)).replace("c_0123456789abcdef01234567", candidate_id))
        return invoke(stack, "OperatorApiFunction", event)

    assert body(with_candidate("operator_api-get_candidate"))["email"] == "ada@example.org"

    assert invoke(stack, "CalcomWebhookFunction", load("calcom_webhook-bad_signature"))["statusCode"] == 401
    booked = invoke(stack, "CalcomWebhookFunction", load("calcom_webhook-booking_created"))
    assert booked["statusCode"] == 200, booked
    interview_id = body(booked)["interview_id"]
    moved = invoke(stack, "CalcomWebhookFunction", load("calcom_webhook-booking_rescheduled"))
    assert body(moved)["interview_id"] == interview_id
    [interview] = body(with_candidate("operator_api-list_interviews"))
    assert interview["start"] == "2030-03-08T10:00:00Z"
    cancelled = invoke(stack, "CalcomWebhookFunction", load("calcom_webhook-booking_cancelled"))
    # The cancel names the original booking, which the reschedule replaced: the interview stands.
    assert body(cancelled)["interview_status"] == "scheduled"

    offer = json.loads(
        json.dumps(load("operator_api-record_offer")).replace("iv_0123456789abcdef01234567", interview_id)
    )
    recorded = invoke(stack, "OperatorApiFunction", offer)
    assert recorded["statusCode"] == 202, recorded

    assert with_candidate("operator_api-delete_candidate")["statusCode"] == 204
    assert with_candidate("operator_api-get_candidate")["statusCode"] == 404


def test_sender_events_for_nudges_that_do_not_exist_send_nothing(stack):
    before = len(stack.outbox())
    assert invoke(stack, "SenderFunction", load("sender-scheduled_research_prompt")) is None
    assert invoke(stack, "SenderFunction", load("sender-send_queue_connect")) == {"batchItemFailures": []}
    assert len(stack.outbox()) == before


def test_inbound_sms_event_is_recorded_without_the_number(stack):
    invoke(stack, "InboundSmsFunction", load("inbound_sms-stop"))
    table = stack.template.ref("NudgesTable")
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    item = dynamodb.get_item(
        TableName=table, Key={"PK": {"S": "INBOUND_SMS#cae173d2-66b9-564c-8309-21f858e9fb84"}, "SK": {"S": "SMS"}}
    )["Item"]
    assert item["body"]["S"] == "STOP"
    assert "+447700900123" not in json.dumps(item)


def test_delivery_preference_events(stack):
    # The sample candidate was erased by the test above, so the address registers afresh.
    created = invoke(stack, "OperatorApiFunction", load("operator_api-create_candidate"))
    assert created["statusCode"] == 201, created
    candidate_id = body(created)["candidate_id"]
    update = json.loads(
        json.dumps(load("operator_api-update_candidate")).replace("c_0123456789abcdef01234567", candidate_id)
    )
    updated = invoke(stack, "OperatorApiFunction", update)
    assert (updated["statusCode"], body(updated)["channels"], body(updated)["locale"]) == (200, ["email"], "en-US")
    # A preview for an interview that does not exist is a 404, not a crash.
    assert invoke(stack, "OperatorApiFunction", load("operator_api-preview_nudge"))["statusCode"] == 404
    # The signature in the sample link is not real: both routes refuse it and change nothing.
    assert invoke(stack, "UnsubscribeFunction", load("unsubscribe-confirm_page"))["statusCode"] == 404
    assert invoke(stack, "UnsubscribeFunction", load("unsubscribe-one_click"))["statusCode"] == 404

    store_items = boto3.client("dynamodb", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    table = stack.template.ref("NudgesTable")
    for event, address, reason in (
        ("email_events-bounce", "bounced.candidate@example.org", "bounced"),
        ("email_events-complaint", "annoyed.candidate@example.org", "complained"),
    ):
        invoke(stack, "EmailEventsFunction", load(event))
        item = store_items.get_item(TableName=table, Key={"PK": {"S": f"SUPPRESSED#{address}"}, "SK": {"S": "EMAIL"}})[
            "Item"
        ]
        assert item["reason"]["S"] == reason

    # A text's delivery receipt for a message the log never had changes nothing, and fails nothing.
    assert invoke(stack, "MessageEventsFunction", load("message_events-text_delivered")) is None

    before = stack.outbox()
    invoke(stack, "InboundSmsFunction", load("inbound_sms-help"))
    # The outbox is in send order (the virtual time of each send): the reply is the one new message
    [reply] = [m for m in stack.outbox() if m not in before]
    assert reply["to"] == "+447700900123" and "Reply STOP" in reply["body"]
    assert reply["kind"] == "sms_reply" and reply["sent_at"]


def _registered_ada(stack) -> dict:
    """The candidate of the Calendly and .ics events (ada@example.org), registered if need be."""
    created = invoke(stack, "OperatorApiFunction", load("operator_api-create_candidate"))
    assert created["statusCode"] in (201, 409), created
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    table = stack.template.ref("NudgesTable")
    pointer = dynamodb.get_item(TableName=table, Key={"PK": {"S": "EMAIL#ada@example.org"}, "SK": {"S": "CANDIDATE"}})
    candidate_id = pointer["Item"]["candidate_id"]["S"]
    event = json.loads(
        json.dumps(load("operator_api-get_candidate")).replace("c_0123456789abcdef01234567", candidate_id)
    )
    return body(invoke(stack, "OperatorApiFunction", event))


def _timeline(stack, candidate_id: str) -> list[dict]:
    event = json.loads(
        json.dumps(load("operator_api-list_interviews")).replace("c_0123456789abcdef01234567", candidate_id)
    )
    return body(invoke(stack, "OperatorApiFunction", event))


def test_calendly_webhook_events_book_then_move_one_interview(stack):
    stack.set_clock(datetime(2030, 3, 4, 9, 13, tzinfo=UTC))  # within 3 minutes of the events' signatures
    ada = _registered_ada(stack)
    assert invoke(stack, "CalendlyWebhookFunction", load("calendly_webhook-stale_signature"))["statusCode"] == 401

    booked = invoke(stack, "CalendlyWebhookFunction", load("calendly_webhook-invitee_created"))
    assert booked["statusCode"] == 200, booked
    interview_id = body(booked)["interview_id"]
    # The reschedule: the old invitee cancelled with rescheduled: true, then the new one created.
    replaced = invoke(stack, "CalendlyWebhookFunction", load("calendly_webhook-invitee_canceled_rescheduled"))
    assert body(replaced) == {"status": "accepted", "interview_id": interview_id, "interview_status": "scheduled"}
    moved = invoke(stack, "CalendlyWebhookFunction", load("calendly_webhook-invitee_created_rescheduled"))
    assert body(moved)["interview_id"] == interview_id

    [interview] = [i for i in _timeline(stack, ada["candidate_id"]) if i["interview_id"] == interview_id]
    assert (interview["status"], interview["start"], interview["company"]) == (
        "scheduled",
        "2030-03-08T10:00:00Z",
        "Acme Robotics",
    )
    assert interview["interviewers"] == [{"name": "Grace Hopper", "email": "grace.hopper@acme-robotics.com"}]


def test_ics_webhook_and_email_events_book_from_the_inbox(stack):
    ada = _registered_ada(stack)
    token = ada["ics_inbox_url"].rsplit("/", 1)[1]

    unknown = invoke(stack, "IcsWebhookFunction", load("ics_webhook-google_request"))
    assert unknown["statusCode"] == 401  # the event's own token belongs to nobody

    posted = json.loads(json.dumps(load("ics_webhook-google_request")).replace("inboxTOKENexample0000000", token))
    answer = invoke(stack, "IcsWebhookFunction", posted)
    assert answer["statusCode"] == 200, answer
    [created] = body(answer)["interviews"]
    [interview] = [i for i in _timeline(stack, ada["candidate_id"]) if i["interview_id"] == created["interview_id"]]
    assert interview["start"] == "2030-03-11T15:00:00Z"
    assert [p["name"] for p in interview["interviewers"]] == ["Grace Hopper", "Alan Turing"]  # no room, no Ada

    # The same invite by email: SES stored it in the bucket and notified the topic.
    event = load("ics_email-ses_received")
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    bucket = stack.template.ref("InboxMailBucket")
    domain = stack.template.parameters["InboxDomain"]
    notification["receipt"]["action"]["bucketName"] = bucket
    notification["receipt"]["recipients"] = [f"{token}@{domain}"]
    event["Records"][0]["Sns"]["Message"] = json.dumps(notification)
    key = notification["receipt"]["action"]["objectKey"]
    s3 = boto3.client("s3", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    invite = body_of(load("ics_webhook-google_request")).replace(b"Final interview", b"Final interview (moved)")
    invite = (
        invite.replace(b"SEQUENCE:0", b"SEQUENCE:1")
        .replace(b"20300311T15", b"20300312T15")
        .replace(b"20300311T16", b"20300312T16")
    )
    s3.put_object(Bucket=bucket, Key=key, Body=_mail_with(invite))

    assert invoke(stack, "IcsEmailFunction", event) == {"interviews": [created["interview_id"]]}
    [interview] = [i for i in _timeline(stack, ada["candidate_id"]) if i["interview_id"] == created["interview_id"]]
    assert (interview["start"], interview["title"]) == (
        "2030-03-12T15:00:00Z",
        "Final interview (moved): Ada Lovelace / Acme Robotics",
    )
    assert s3.list_objects_v2(Bucket=bucket, Prefix="inbox/").get("KeyCount") == 0  # read once, then deleted


def body_of(event: dict) -> bytes:
    return event["body"].encode()


def _mail_with(invite: bytes) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Ada Lovelace <ada@example.org>"
    message["To"] = "inbox@inbox.example.com"
    message["Subject"] = "Fwd: Invitation: Final interview"
    message.set_content("Forwarding my interview invite.")
    message.add_alternative(invite, maintype="text", subtype="calendar", params={"method": "REQUEST"})
    return bytes(message)


def test_calendar_connect_event_for_an_unknown_candidate_is_404(stack):
    reply = invoke(stack, "OperatorApiFunction", load("operator_api-connect_calendar"))
    assert (reply["statusCode"], body(reply)["field"]) == (404, "candidate_id")


def _calendar_jobs(stack) -> list[dict]:
    sqs = stack.aws.client("sqs")
    url = stack.template.ref("CalendarSyncQueue")
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return [json.loads(m["Body"]) for m in found]


def test_calendar_webhook_events_are_checked_against_the_stored_watch(stack):
    from nudges.adapters.calendar_connections import CalendarConnections, Watch

    calendars = CalendarConnections(stack.aws.client("dynamodb"), stack.template.ref("NudgesTable"))
    google = load("calendar_webhook-google_exists")["headers"]
    graph = json.loads(load("calendar_webhook-microsoft_notification")["body"])["value"][0]
    expires = datetime(2030, 3, 11, 9, 0, tzinfo=UTC)

    # Before the channel and subscription exist, nothing is accepted or queued
    assert invoke(stack, "CalendarWebhookFunction", load("calendar_webhook-google_exists"))["statusCode"] == 401
    assert (
        invoke(stack, "CalendarWebhookFunction", load("calendar_webhook-microsoft_notification"))["statusCode"] == 401
    )
    assert _calendar_jobs(stack) == []

    calendars.put_watch(
        Watch(
            "google",
            google["x-goog-channel-id"],
            "c_0123456789abcdef01234567",
            "primary",
            google["x-goog-channel-token"],
            google["x-goog-resource-id"],
        ),
        expires,
    )
    calendars.put_watch(
        Watch(
            "microsoft", graph["subscriptionId"], "c_0123456789abcdef01234567", "primary", graph["clientState"], None
        ),
        expires,
    )
    assert invoke(stack, "CalendarWebhookFunction", load("calendar_webhook-google_forged"))["statusCode"] == 401
    assert invoke(stack, "CalendarWebhookFunction", load("calendar_webhook-google_exists"))["statusCode"] == 200
    assert (
        invoke(stack, "CalendarWebhookFunction", load("calendar_webhook-microsoft_notification"))["statusCode"] == 202
    )
    assert invoke(stack, "CalendarWebhookFunction", load("calendar_webhook-microsoft_lifecycle"))["statusCode"] == 202
    jobs = sorted(_calendar_jobs(stack), key=lambda j: (j["provider"], j["action"]))
    assert [(j["provider"], j["action"], j.get("event_id")) for j in jobs] == [
        ("google", "sync", None),
        ("microsoft", "event", "AAMkAGI2THVSAAA="),
        ("microsoft", "renew", None),
    ]

    validation = invoke(stack, "CalendarWebhookFunction", load("calendar_webhook-microsoft_validation"))
    assert validation["statusCode"] == 200
    assert validation["headers"]["Content-Type"].startswith("text/plain")
    assert validation["body"].startswith("Validation: Testing client application reachability for subscription")


def test_calendar_sync_events_without_connections_do_nothing(stack):
    assert invoke(stack, "CalendarSyncFunction", load("calendar_sync-sync_job")) == {"batchItemFailures": []}
    assert invoke(stack, "CalendarSyncFunction", load("calendar_sync-renew_watches")) == {"renewed": 0, "failed": 0}


def test_outcome_webhook_events(stack):
    from tests.fakes.ats import FakeAts

    # Greenhouse: the ping is answered; a forged hire refused; a signed hire recorded, once per event id
    assert body(invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-ping"))) == {"status": "pong"}
    assert invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-bad_signature"))["statusCode"] == 401
    hired = invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-hire_candidate"))
    # Ada's Acme Robotics interviews were booked by the calendar tests above: the offer applies at once.
    assert (hired["statusCode"], body(hired)["status"], body(hired)["outcome"]) == (200, "applied", "offer"), hired
    again = invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-hire_candidate"))
    assert body(again)["status"] == "duplicate"

    # The generic webhook: signed over "<t>.<body>" within 5 minutes of the (virtual) clock
    assert invoke(stack, "OutcomeWebhookFunction", load("outcome_webhook-bad_signature"))["statusCode"] == 401
    offer = invoke(stack, "OutcomeWebhookFunction", load("outcome_webhook-offer"))
    assert (offer["statusCode"], body(offer)["status"]) == (200, "applied"), offer
    assert invoke(stack, "OutcomeWebhookFunction", load("outcome_webhook-offer"))["statusCode"] == 401  # replayed

    # Lever: a stale delivery is refused; a fresh one is read back from the (fake) Lever API
    assert invoke(stack, "LeverWebhookFunction", load("lever_webhook-stale"))["statusCode"] == 401
    ats = FakeAts()
    url = ats.start()
    try:
        ats.lever_opportunity(
            "250d8f03-738a-4bba-a671-8a3d73477145",
            emails=["ada@example.org"],
            stage="Offer",
            owner_email="hiring@acme-robotics.com",
        )
        lever = stack.runtime.by_logical_id["LeverWebhookFunction"]
        lever.environment["LEVER_API_BASE_URL"] = f"{url}/lever/v1"
        changed = invoke(stack, "LeverWebhookFunction", load("lever_webhook-candidate_stage_change"))
        assert (changed["statusCode"], body(changed)["status"]) == (200, "applied"), changed
        assert ats.requests == [
            ("lever", "/opportunities/250d8f03-738a-4bba-a671-8a3d73477145?expand=stage&expand=owner")
        ]
        replayed = invoke(stack, "LeverWebhookFunction", load("lever_webhook-candidate_stage_change"))
        assert replayed["statusCode"] == 401  # its token was used
    finally:
        ats.stop()


def test_candidate_pages_and_sms_yes_events(stack):
    """The candidate's pages with the sample links (signature replaced by a real one), and a YES."""
    from nudges import links

    created = invoke(stack, "OperatorApiFunction", load("operator_api-create_candidate"))
    assert created["statusCode"] in (201, 409), created
    ada = _registered_ada(stack)
    secret = boto3.client("secretsmanager", endpoint_url=stack.endpoint_url, region_name="us-east-1")
    key = json.loads(secret.get_secret_value(SecretId=stack.template.ref("UnsubscribeSigningKey"))["SecretString"])
    key = key["key"][0] if isinstance(key["key"], list) else key["key"]

    def signed(name: str, purpose: str) -> dict:
        token = links.make_token(key, purpose, ada["candidate_id"])
        return json.loads(json.dumps(load(name)).replace("c_0123456789abcdef01234567.SIGNATURE", token))

    # As they come (a made-up signature): refused, nothing changed
    assert invoke(stack, "CandidatePagesFunction", load("candidate_pages-preferences_page"))["statusCode"] == 404
    assert invoke(stack, "CandidatePagesFunction", load("candidate_pages-preferences_change"))["statusCode"] == 404
    assert invoke(stack, "CandidatePagesFunction", load("candidate_pages-connect_google"))["statusCode"] == 404
    # Signed for Ada: the page, a change (303 back), the connect link (503: no OAuth client yet)
    page = invoke(stack, "CandidatePagesFunction", signed("candidate_pages-preferences_page", "preferences"))
    assert page["statusCode"] == 200 and "Your Interview Nudges" in page["body"]
    assert "default-src 'none'" in page["headers"]["Content-Security-Policy"]
    changed = invoke(stack, "CandidatePagesFunction", signed("candidate_pages-preferences_change", "preferences"))
    assert changed["statusCode"] == 303, changed
    after = _registered_ada(stack)
    assert (after["timezone"], after["channels"], after["kinds_off"]) == ("America/New_York", ["email"], ["thank_you"])
    empty = {"google": {"client_id": "", "client_secret": ""}, "microsoft": {"client_id": "", "client_secret": ""}}
    secret.put_secret_value(SecretId=stack.template.ref("CalendarOAuthClients"), SecretString=json.dumps(empty))
    connect = invoke(stack, "CandidatePagesFunction", signed("candidate_pages-connect_google", "connect"))
    # in plain words, naming no secret, ARN or path
    assert connect["statusCode"] == 503 and "not set up yet" in connect["body"]
    assert "CalendarOAuthClients" not in connect["body"] and "arn:" not in connect["body"]
    denied = invoke(stack, "CandidatePagesFunction", load("candidate_pages-oauth_callback_denied"))
    assert denied["statusCode"] == 400 and "access was not allowed" in denied["body"]
    # YES from Ada's number: consent on record, with the inbound message's id
    invoke(stack, "InboundSmsFunction", load("inbound_sms-yes"))
    yes = _registered_ada(stack)["sms_yes"]
    assert (yes["method"], yes["message_id"]) == ("sms_yes", "7a2b9c1d-3e4f-4a5b-8c6d-0e1f2a3b4c5d")
