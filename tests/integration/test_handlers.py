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
import pytest

from local_stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"


def load(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def stack():
    with LocalStack(ROOT) as stack:
        stack.set_clock(datetime(2030, 3, 4, 9, 13, tzinfo=UTC))
        yield stack


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


def test_calendar_connect_event_for_an_unknown_candidate_is_404(stack):
    reply = invoke(stack, "OperatorApiFunction", load("operator_api-connect_calendar"))
    assert (reply["statusCode"], body(reply)["field"]) == (404, "candidate_id")


def _calendar_jobs(stack) -> list[dict]:
    sqs = stack.aws.client("sqs")
    url = stack.template.ref("CalendarSyncQueue")
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return [json.loads(m["Body"]) for m in found]


def test_calendar_webhook_events_are_checked_against_the_stored_watch(stack):
    from nudges.adapters.calendars import CalendarStore, Watch

    calendars = CalendarStore(stack.aws.client("dynamodb"), stack.template.ref("NudgesTable"))
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
