"""SNS: nudges by text message, and the carrier-level opt-out list."""

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

    def opted_out(self, phone: str) -> bool:
        """True when the number replied STOP to AWS itself (SNS keeps that list)."""
        return bool(self._sns.check_if_phone_number_is_opted_out(phoneNumber=phone)["isOptedOut"])

    def opt_in(self, phone: str) -> None:
        self._sns.opt_in_phone_number(phoneNumber=phone)
