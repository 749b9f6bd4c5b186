"""Texts out: AWS End User Messaging SMS (each text's fate reported), or SNS where the operator
chooses it (``SmsService``), and the carrier-level opt-out list each keeps."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from nudges.adapters.aws import Refused, attempt
from nudges.domain.deliveries import LOG_TAG
from nudges.errors import RecipientOptedOut


class EndUserMessagingSms:
    """``sms-voice:SendTextMessage`` from the operator's origination identity, through the
    configuration set whose event destination reports each text (TEXT_DELIVERED, TEXT_BLOCKED...)
    to the message log. The opt-out list is the phone number's (``Default`` unless set up otherwise)."""

    def __init__(
        self, client: Any, origination_identity: str, configuration_set: str | None, opt_out_list: str = "Default"
    ) -> None:
        self._client = client
        self._origination = origination_identity
        self._configuration_set = configuration_set
        self._opt_out_list = opt_out_list

    def send(self, to: str, text: str, ref: str | None = None) -> str:
        request: dict[str, Any] = {
            "DestinationPhoneNumber": to,
            "MessageBody": text,
            # Transactional: time-sensitive, routed for delivery rather than cost.
            "MessageType": "TRANSACTIONAL",
        }
        if ref:
            # Handed back with each of the text's events (``context``): its log record's key.
            request["Context"] = {LOG_TAG: ref}
        if self._origination:
            request["OriginationIdentity"] = self._origination
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            return str(self._client.send_text_message(**request)["MessageId"])
        except ClientError as exc:
            if exc.response.get("Reason") == "DESTINATION_PHONE_NUMBER_OPTED_OUT" or (
                exc.response.get("Error", {}).get("Code") == "ConflictException"
                and "opted out" in str(exc.response.get("Error", {}).get("Message", "")).lower()
            ):
                raise RecipientOptedOut(to) from None
            raise

    def opted_out(self, phone: str) -> bool:
        """True when the number is on the opt-out list (it texted STOP to AWS itself)."""
        answer = attempt(
            self._client.describe_opted_out_numbers,
            ("ResourceNotFoundException",),
            OptOutListName=self._opt_out_list,
            OptedOutNumbers=[phone],
        )
        return not isinstance(answer, Refused) and bool(answer.get("OptedOutNumbers"))

    def opt_in(self, phone: str) -> None:
        """Off the opt-out list (the candidate texted START): a number not on it is left as it is."""
        attempt(
            self._client.delete_opted_out_number,
            ("ResourceNotFoundException",),
            OptOutListName=self._opt_out_list,
            OptedOutNumber=phone,
        )


class SmsSender:
    """SNS ``Publish`` to a phone number: no per-message delivery status (SNS reports SMS delivery
    only to CloudWatch Logs), so the message log keeps each text ``sent``."""

    def __init__(self, sns_client: Any) -> None:
        self._sns = sns_client

    def send(self, to: str, text: str, ref: str | None = None) -> str:
        # SNS reports no per-message status: nothing carries ``ref`` back.
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
