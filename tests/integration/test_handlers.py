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


def test_outcome_webhook_events(stack):
    from local_stack.fake_ats import FakeAts

    # Greenhouse: the ping is answered; a forged hire refused; a signed hire recorded, once per event id
    assert body(invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-ping"))) == {"status": "pong"}
    assert invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-bad_signature"))["statusCode"] == 401
    hired = invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-hire_candidate"))
    assert (hired["statusCode"], body(hired)["status"], body(hired)["outcome"]) == (202, "kept", "offer"), hired
    again = invoke(stack, "GreenhouseWebhookFunction", load("greenhouse_webhook-hire_candidate"))
    assert body(again)["status"] == "duplicate"

    # The generic webhook: signed over "<t>.<body>" within 5 minutes of the (virtual) clock
    assert invoke(stack, "OutcomeWebhookFunction", load("outcome_webhook-bad_signature"))["statusCode"] == 401
    offer = invoke(stack, "OutcomeWebhookFunction", load("outcome_webhook-offer"))
    assert offer["statusCode"] == 202, offer
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
        assert (changed["statusCode"], body(changed)["status"]) == (202, "kept"), changed
        assert ats.requests == [
            ("lever", "/opportunities/250d8f03-738a-4bba-a671-8a3d73477145?expand=stage&expand=owner")
        ]
        replayed = invoke(stack, "LeverWebhookFunction", load("lever_webhook-candidate_stage_change"))
        assert replayed["statusCode"] == 401  # its token was used
    finally:
        ats.stop()
