"""`make redrive` against a moto server: dead letters go back to the queue that works on them."""

from __future__ import annotations

import json

import boto3
import pytest
from moto.server import ThreadedMotoServer

from scripts import redrive

STACK = "redrive-test"


@pytest.fixture
def endpoint(monkeypatch):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield url
    server.stop()


def _bodies(sqs, url: str) -> list[str]:
    """Every message in the queue, left there (visible again) after reading."""
    read = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
        "Messages", []
    ):
        read += messages
    for message in read:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return [m["Body"] for m in read]


def test_redrive_moves_deliveries_and_jobs_back_and_keeps_the_rest(endpoint, capsys):
    sqs = boto3.client("sqs", endpoint_url=endpoint)
    # Named as the local stack names them (<stack>-<LogicalId>); there is no CloudFormation stack.
    urls = {
        name: sqs.create_queue(QueueName=f"{STACK}-{name}")["QueueUrl"]
        for name in ("SendQueue", "NudgeDeadLetterQueue", "CalendarSyncQueue", "CalendarSyncDeadLetterQueue")
    }
    delivery = {"owner_id": "iv_1", "kind": "thank_you", "due_at": "2030-01-01T10:00:00Z"}
    lambda_failure = {
        "version": "1.0",
        "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": {"owner_id": "iv_2", "kind": "research_prompt", "due_at": "2030-01-01T08:00:00Z"},
        "responsePayload": {"errorMessage": "Throttling"},
    }
    mail_failure = {"requestContext": {}, "requestPayload": {"Records": [{"EventSource": "aws:sns"}]}}
    for body in (delivery, lambda_failure, mail_failure):
        sqs.send_message(QueueUrl=urls["NudgeDeadLetterQueue"], MessageBody=json.dumps(body))
    job = {"candidate_id": "c_1", "provider": "google", "calendar_id": "primary", "action": "sync"}
    sqs.send_message(QueueUrl=urls["CalendarSyncDeadLetterQueue"], MessageBody=json.dumps(job))
    sqs.send_message(QueueUrl=urls["CalendarSyncDeadLetterQueue"], MessageBody=json.dumps({"action": "renew"}))

    assert redrive.main(["--stack", STACK]) == 0

    printed = capsys.readouterr().out
    assert "NudgeDeadLetterQueue -> SendQueue: moved 2, kept 1" in printed
    assert "CalendarSyncDeadLetterQueue -> CalendarSyncQueue: moved 1, kept 1" in printed
    sent = sorted(json.loads(b)["owner_id"] for b in _bodies(sqs, urls["SendQueue"]))
    assert sent == ["iv_1", "iv_2"]
    # The Lambda failure record went back as the bare delivery the sender reads.
    assert [json.loads(b) for b in _bodies(sqs, urls["CalendarSyncQueue"])] == [job]
    assert [json.loads(b) for b in _bodies(sqs, urls["NudgeDeadLetterQueue"])] == [mail_failure]
    assert [json.loads(b) for b in _bodies(sqs, urls["CalendarSyncDeadLetterQueue"])] == [{"action": "renew"}]

    # A second run finds nothing more to move.
    assert redrive.main(["--stack", STACK]) == 0
    assert "moved 0, kept 1" in capsys.readouterr().out


def test_nudge_delivery_unwraps_lambda_failures_only_for_deliveries():
    assert redrive.nudge_delivery("not json") is None
    assert redrive.nudge_delivery(json.dumps({"requestPayload": {"Records": []}})) is None
    wrapped = {"requestPayload": {"owner_id": "ap_1", "kind": "connect", "due_at": "x", "extra": 1}}
    assert json.loads(redrive.nudge_delivery(json.dumps(wrapped))) == {
        "owner_id": "ap_1",
        "kind": "connect",
        "due_at": "x",
    }
