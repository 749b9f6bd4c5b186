"""SNS: nudges by text message."""

from __future__ import annotations

from typing import Any


class SmsSender:
    def __init__(self, sns_client: Any) -> None:
        self._sns = sns_client

    def send(self, to: str, text: str) -> str:
        response = self._sns.publish(
            PhoneNumber=to,
            Message=text,
            MessageAttributes={
                # Transactional: time-sensitive, routed for delivery rather than cost.
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        return str(response["MessageId"])
