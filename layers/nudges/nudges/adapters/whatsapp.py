"""WhatsApp out: AWS End User Messaging Social's ``SendWhatsAppMessage`` from the operator's
phone number id, the message being the WhatsApp Cloud API's message object (Meta's API version
``META_API_VERSION``). The client needs the ``socialmessaging`` model, which the layer ships
(``nudges/aws_models``) for the Lambda runtime's older botocore."""

from __future__ import annotations

import json
from typing import Any

from botocore import xform_name

META_API_VERSION = "v20.0"


class WhatsAppSender:
    def __init__(self, client: Any, phone_number_id: str, meta_api_version: str = META_API_VERSION) -> None:
        self._client = client
        self._phone_number_id = phone_number_id
        self._version = meta_api_version

    @property
    def configured(self) -> bool:
        return bool(self._phone_number_id)

    def _send(self, message: dict[str, Any]) -> str:
        # The method's name is the running botocore's: ``send_whats_app_message`` in the Lambda
        # runtime's 1.35, ``send_whatsapp_message`` in later ones (which spell "WhatsApp" whole).
        send = getattr(self._client, xform_name("SendWhatsAppMessage"))
        answer = send(
            originationPhoneNumberId=self._phone_number_id,
            message=json.dumps(message, ensure_ascii=False).encode(),
            metaApiVersion=self._version,
        )
        return str(answer["messageId"])

    def send_template(self, to: str, name: str, language: str, values: dict[str, str]) -> str:
        """An approved template with its named variables' values: the message's AWS messageId."""
        parameters = [{"type": "text", "parameter_name": k, "text": v} for k, v in values.items()]
        return self._send(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "template",
                "template": {
                    "name": name,
                    "language": {"code": language},
                    "components": [{"type": "body", "parameters": parameters}],
                },
            }
        )

    def send_text(self, to: str, body: str) -> str:
        """Free text: only within the 24-hour window the recipient's own message opened."""
        return self._send(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "text",
                "text": {"preview_url": False, "body": body},
            }
        )
