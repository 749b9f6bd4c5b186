"""Providers' events -> message statuses (pure), and the emulators' model checks (no server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from local_stack.aws_api import ApiError
from local_stack.eum_sms import SmsVoiceEmulator
from local_stack.eum_social import SocialMessagingEmulator
from nudges.domain.deliveries import RANK, sms_event_status
from nudges.domain.whatsapp import TEMPLATES, template, template_values
from nudges.domain.whatsapp_events import read_event

NOW = datetime(2031, 5, 6, 9, 0, tzinfo=UTC)


def test_a_texts_carrier_receipt_is_its_status():
    assert sms_event_status({"eventType": "TEXT_DELIVERED", "messageId": "m1"}) == ("m1", "delivered")
    for failure in ("TEXT_BLOCKED", "TEXT_CARRIER_UNREACHABLE", "TEXT_SPAM", "TEXT_TTL_EXPIRED", "TEXT_INVALID"):
        assert sms_event_status({"eventType": failure, "messageId": "m1"}) == ("m1", "failed")
    # Handed to the carrier, or no final receipt: still sent.
    assert sms_event_status({"eventType": "TEXT_SUCCESSFUL", "messageId": "m1"}) is None
    assert sms_event_status({"eventType": "TEXT_UNKNOWN", "messageId": "m1"}) is None
    assert RANK["sent"] < RANK["delivered"] < RANK["read"]


def _emulators():
    published: list[tuple[str, dict]] = []
    sms = SmsVoiceEmulator("eu-west-2", "123456789012", lambda: NOW, lambda t, m: published.append((t, m)))
    social = SocialMessagingEmulator("eu-west-2", "123456789012", lambda: NOW, lambda t, m: published.append((t, m)))
    return sms, social, published


def test_the_sms_emulator_publishes_the_event_aws_writes():
    sms, _, published = _emulators()
    sms.register_origination_identity("+15555550100")
    sms.call("CreateConfigurationSet", ConfigurationSetName="set")
    topic = "arn:aws:sns:eu-west-2:123456789012:events"
    sms.call(
        "CreateEventDestination",
        ConfigurationSetName="set",
        EventDestinationName="log",
        MatchingEventTypes=["TEXT_DELIVERED", "TEXT_BLOCKED"],
        SnsDestination={"TopicArn": topic},
    )
    sent = sms.call(
        "SendTextMessage", DestinationPhoneNumber="+447700900001", MessageBody="hi", ConfigurationSetName="set"
    )
    sms.publish_due()
    sms.publish_due()  # once only
    [(to, event)] = published
    assert to == topic and event["messageId"] == sent["MessageId"] and event["eventType"] == "TEXT_DELIVERED"
    assert (event["messageStatus"], event["destinationPhoneNumber"], event["isFinal"]) == (
        "DELIVERED",
        "+447700900001",
        True,
    )
    sms.publish_status(sent["MessageId"], "TEXT_UNREACHABLE")  # not matched by the destination
    assert len(published) == 1
    with pytest.raises(ApiError) as refused:
        sms.call("SendTextMessage", DestinationPhoneNumber="+447700900001")  # no body
    assert refused.value.code == "ValidationException"


def test_a_whatsapp_template_is_filled_and_read_back_from_its_events():
    _, social, published = _emulators()
    social.link_phone_number("phone-number-id-abc")
    social.call(
        "PutWhatsAppBusinessAccountEventDestinations",
        id=social.waba_id,
        eventDestinations=[{"eventDestinationArn": "arn:aws:sns:eu-west-2:123456789012:events"}],
    )
    found = template("thank_you", "en-GB")
    assert found is not None and found.variables == ("first_name", "advice")
    definition = json.loads((TEMPLATES / "en-GB" / "thank_you.json").read_text(encoding="utf-8"))
    social.call("CreateWhatsAppMessageTemplate", id=social.waba_id, templateDefinition=json.dumps(definition).encode())
    values = template_values(found, "Ada\nLovelace", "Thank Grace by email.\nDon't connect yet.")
    assert values == {"first_name": "Ada Lovelace", "advice": "Thank Grace by email. Don't connect yet."}
    parameters = [{"type": "text", "parameter_name": k, "text": v} for k, v in values.items()]
    message = {
        "messaging_product": "whatsapp",
        "to": "+447700900002",
        "type": "template",
        "template": {
            "name": found.name,
            "language": {"code": "en_GB"},
            "components": [{"type": "body", "parameters": parameters}],
        },
    }
    sent = social.call(
        "SendWhatsAppMessage",
        originationPhoneNumberId="phone-number-id-abc",
        message=json.dumps(message).encode(),
        metaApiVersion="v20.0",
    )
    assert social.outbox()[0]["body"] == found.render(values) and social.outbox()[0]["template"] == found.name
    social.publish_due()
    statuses = [read_event(event)[0][0] for _topic, event in published]
    assert [(s.message_id, s.status) for s in statuses] == [
        (sent["messageId"], "sent"),
        (sent["messageId"], "delivered"),
    ]
    social.inbound("+447700900002", "HELP")
    _, [inbound] = read_event(published[-1][1])
    assert (inbound.sender, inbound.body) == ("+447700900002", "HELP")
    # One variable short: Meta refuses the message.
    short = {
        **message,
        "template": {**message["template"], "components": [{"type": "body", "parameters": parameters[:1]}]},
    }
    with pytest.raises(ApiError) as refused:
        social.call(
            "SendWhatsAppMessage",
            originationPhoneNumberId="phone-number-id-abc",
            message=json.dumps(short).encode(),
            metaApiVersion="v20.0",
        )
    assert "132000" in refused.value.message
