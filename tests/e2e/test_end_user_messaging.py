"""Texts through AWS End User Messaging SMS, on the local stack's emulator of it (moto has none):
each text's fate from its configuration set's events into the message log and `nudges
messages`, the opt-out list, and every request checked against botocore's service model, for
End User Messaging Social too."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = ROOT / ".venv" / "bin" / "nudges"
COMMAND = [str(INSTALLED)] if INSTALLED.exists() else [sys.executable, "-m", "nudges_cli"]


def _text_candidate(client, unique, month, phone):
    now = datetime(2036, month, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"eum-{unique}@example.org"
    reply = client.register(email=email, timezone="Europe/London", channels=["sms"], phone=phone, name="Ada Byron")
    assert reply.status == 201, reply
    client.set_clock(now)  # the welcome goes out
    booked = client.book(email, f"uid-eum-{unique}", datetime(2036, month, 10, 14, 0, tzinfo=UTC), now, name="Ada")
    assert booked.status == 200, booked
    return reply.body["candidate_id"], now


def _log(client, candidate_id):
    reply = client.request("GET", f"/candidates/{candidate_id}/messages")
    assert reply.status == 200, reply
    return reply.body


def _cli_messages(stack, candidate_id):
    env = {"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "AKIDOPERATOR", "AWS_SECRET_ACCESS_KEY": "x"}
    env["AWS_REGION"] = "us-east-1"
    run = subprocess.run(
        [*COMMAND, "messages", candidate_id, "--api-url", stack.base_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_a_text_is_delivered_from_its_event_and_failed_from_a_failure_event(client, stack, unique):
    candidate_id, _ = _text_candidate(client, unique, 1, "+447700900711")
    client.set_clock(datetime(2036, 1, 8, 14, 0, tzinfo=UTC))  # research prompt
    client.set_clock(datetime(2036, 1, 10, 16, 0, tzinfo=UTC))  # thank-you

    texts = {m["kind"]: m for m in _log(client, candidate_id) if m["channel"] == "sms"}
    assert set(texts) >= {"welcome", "research_prompt", "thank_you"}
    # Every text went through End User Messaging SMS, and its TEXT_DELIVERED event moved it on.
    assert {m["status"] for m in texts.values()} == {"delivered"}
    sent = {t.message_id: t for t in stack.sms_voice.sent}
    thank_you = sent[texts["thank_you"]["provider_message_id"]]
    assert thank_you.to == "+447700900711" and thank_you.configuration_set.endswith("SmsConfigurationSet")
    assert thank_you.message_type == "TRANSACTIONAL" and thank_you.origination == "+15555550100"
    outbox = [m for m in client.outbox() if m["channel"] == "sms" and m["to"] == "+447700900711"]
    assert [m["kind"] for m in outbox][-2:] == ["research_prompt", "thank_you"]

    # A carrier's failure receipt for the research prompt: that text is failed, the others stay delivered.
    research_id = texts["research_prompt"]["provider_message_id"]
    failed = client.request(
        "POST", "/_local/message-status", {"channel": "sms", "provider_message_id": research_id, "status": "failed"}
    )
    assert failed.status == 202, failed
    after = {m["provider_message_id"]: m["status"] for m in _log(client, candidate_id)}
    assert after[research_id] == "failed"
    assert after[texts["thank_you"]["provider_message_id"]] == "delivered"

    # The operator's command line shows each text's fate.
    table = _cli_messages(stack, candidate_id)
    lines = {line.split()[-1]: line for line in table.splitlines() if line.strip()}
    assert " failed " in lines[research_id] and " sms " in lines[research_id]
    assert " delivered " in lines[texts["thank_you"]["provider_message_id"]]

    # A status for no such text, or one SMS has not (read), is refused and changes nothing.
    unknown = {"channel": "sms", "provider_message_id": "no-such-text", "status": "delivered"}
    assert client.request("POST", "/_local/message-status", unknown).status == 404
    read = {"channel": "sms", "provider_message_id": research_id, "status": "read"}
    assert client.request("POST", "/_local/message-status", read).status == 400
    assert {m["provider_message_id"]: m["status"] for m in _log(client, candidate_id)} == after


def test_an_event_heard_twice_or_late_never_moves_a_text_back(client, stack, unique):
    candidate_id, _ = _text_candidate(client, unique, 2, "+447700900712")
    welcome = next(m for m in _log(client, candidate_id) if m["kind"] == "welcome")
    assert welcome["status"] == "delivered"
    body = {"channel": "sms", "provider_message_id": welcome["provider_message_id"], "status": "failed"}
    assert client.request("POST", "/_local/message-status", body).status == 202
    again = {**body, "status": "delivered"}  # a late TEXT_DELIVERED heard after the failure
    assert client.request("POST", "/_local/message-status", again).status == 202
    status = next(m["status"] for m in _log(client, candidate_id) if m["kind"] == "welcome")
    assert status == "failed"


def test_stop_puts_the_number_on_the_opt_out_list_and_start_takes_it_off(client, stack, unique):
    phone = "+447700900713"
    candidate_id, _ = _text_candidate(client, unique, 3, phone)
    assert client.request("POST", "/_local/sms", {"from": phone, "body": "Stop please"}).status == 202
    assert phone in stack.sms_voice.opt_outs["Default"]
    reachable = client.request("GET", f"/candidates/{candidate_id}").body["reachable"]
    assert reachable["sms"] is False
    before = len(stack.sms_voice.sent)
    client.set_clock(datetime(2036, 3, 8, 14, 0, tzinfo=UTC))  # research prompt: not texted
    assert all(t.to != phone for t in stack.sms_voice.sent[before:])

    assert client.request("POST", "/_local/sms", {"from": phone, "body": "START"}).status == 202
    assert phone not in stack.sms_voice.opt_outs["Default"]  # DeleteOptedOutNumber, by the function
    reply = [t for t in stack.sms_voice.sent if t.to == phone][-1]
    assert "back on" in reply.body


@pytest.fixture(scope="module")
def sms_voice(stack):
    """A client of the stack's End User Messaging SMS, as the functions get it (the endpoint variable)."""
    return boto3.client(
        "pinpoint-sms-voice-v2",
        endpoint_url=f"{stack.base_url}/_aws/sms-voice",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def social(stack):
    return boto3.client(
        "socialmessaging",
        endpoint_url=f"{stack.base_url}/_aws/social-messaging",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


def _raw(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    """A request as a client that does not check parameters would send it."""
    request = urllib.request.Request(url, json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, {"type": error.headers.get("x-amzn-errortype"), **json.loads(error.read())}


def _refused(call, **request) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**request)
    return raised.value.response


def test_a_wrong_parameter_to_end_user_messaging_sms_fails_as_in_aws(stack, sms_voice):
    good = {
        "DestinationPhoneNumber": "+447700900714",
        "OriginationIdentity": "+15555550100",
        "MessageBody": "hello",
        "ConfigurationSetName": stack.template.ref("SmsConfigurationSet"),
    }
    assert sms_voice.send_text_message(**good)["MessageId"]
    # The SDK itself refuses a parameter the model lacks; sent anyway, the service refuses it too.
    strict = boto3.client(
        "pinpoint-sms-voice-v2",
        endpoint_url=f"{stack.base_url}/_aws/sms-voice",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with pytest.raises(ParamValidationError):
        strict.send_text_message(**good, Body="hello")
    target = {"X-Amz-Target": "PinpointSMSVoiceV2.SendTextMessage", "Content-Type": "application/x-amz-json-1.0"}
    status, answer = _raw(f"{stack.base_url}/_aws/sms-voice", {**good, "Body": "hello"}, target)
    assert (status, answer["__type"]) == (400, "ValidationException") and "Body" in answer["message"]
    for wrong, words in (
        ({**good, "MessageType": "URGENT"}, "MessageType"),  # not one of the enum
        ({k: v for k, v in good.items() if k != "DestinationPhoneNumber"}, "DestinationPhoneNumber"),
        ({**good, "TimeToLive": 1}, "TimeToLive"),  # under the model's minimum
        ({**good, "DestinationPhoneNumber": "0044 7700"}, "DestinationPhoneNumber"),
    ):
        error = _refused(sms_voice.send_text_message, **wrong)["Error"]
        assert error["Code"] == "ValidationException" and words in error["Message"], error
    missing = _refused(sms_voice.send_text_message, **{**good, "ConfigurationSetName": "no-such-set"})
    assert missing["Error"]["Code"] == "ResourceNotFoundException"
    unknown = _refused(sms_voice.send_text_message, **{**good, "OriginationIdentity": "+15555550999"})
    assert unknown["Error"]["Code"] == "ResourceNotFoundException"


def test_a_wrong_parameter_to_end_user_messaging_social_fails_as_in_aws(stack, social):
    phone_id = stack.template.parameters["WhatsAppPhoneNumberId"]
    text = {"messaging_product": "whatsapp", "to": "+447700900715", "type": "text", "text": {"body": "hi"}}
    good = {"originationPhoneNumberId": phone_id, "message": json.dumps(text).encode(), "metaApiVersion": "v20.0"}
    assert social.send_whatsapp_message(**good)["messageId"]
    for wrong, code in (
        ({k: v for k, v in good.items() if k != "metaApiVersion"}, "ValidationException"),
        ({**good, "originationPhoneNumberId": "1234"}, "ValidationException"),  # the model's pattern
        ({**good, "message": b"not json"}, "ValidationException"),
        ({**good, "originationPhoneNumberId": "phone-number-id-ffff"}, "ResourceNotFoundException"),
    ):
        assert _refused(social.send_whatsapp_message, **wrong)["Error"]["Code"] == code, wrong
    misspelt = {**{k: v for k, v in good.items() if k != "message"}, "message": "e30=", "origination": phone_id}
    status, answer = _raw(f"{stack.base_url}/_aws/social-messaging/v1/whatsapp/send", misspelt, {})
    assert (status, answer["type"]) == (400, "ValidationException") and "origination" in answer["message"]
    # A template Meta does not have, or the right one with the wrong values, fails too.
    template = {"name": "no_such_template", "language": {"code": "en_GB"}}
    unknown = {**text, "type": "template", "template": template}
    refused = _refused(social.send_whatsapp_message, **{**good, "message": json.dumps(unknown).encode()})
    assert "132001" in refused["Error"]["Message"]


def test_a_restarted_stack_carries_on_with_the_texts_and_opt_outs_in_the_endpoint(client, stack, unique):
    phone = "+447700900716"
    _text_candidate(client, unique, 4, phone)
    assert client.request("POST", "/_local/sms", {"from": phone, "body": "STOP"}).status == 202
    sent = [(t.message_id, t.to, t.body) for t in stack.sms_voice.sent]
    from local_stack import LocalStack

    again = LocalStack(ROOT, endpoint_url=stack.endpoint_url)
    again.start()
    try:
        # The same texts (the outbox reads them) and the same opt-out list, none delivered twice.
        assert [(t.message_id, t.to, t.body) for t in again.sms_voice.sent] == sent
        assert phone in again.sms_voice.opt_outs["Default"]
        assert not any(t.delivered_event_due for t in again.sms_voice.sent)
        assert {m["body"] for m in again.outbox() if m["channel"] == "sms"} >= {body for *_, body in sent}
    finally:
        again.stop()
