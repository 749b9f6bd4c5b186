"""Inbound SMS from the two-way SMS topic. For now it records the message (without the number,
only a hash of it); opting out by STOP arrives with the delivery-preferences work."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    for record in event["Records"]:
        sms = json.loads(record["Sns"]["Message"])
        sender_hash = hashlib.sha256(sms["originationNumber"].encode()).hexdigest()
        message_id = sms.get("inboundMessageId") or record["Sns"]["MessageId"]
        wiring.store().record_inbound_sms(message_id, sender_hash, sms.get("messageBody", ""), clock.now())
        logger.info(
            "inbound SMS recorded",
            extra={"message_id": message_id, "keyword": sms.get("messageBody", "").strip().upper()[:20]},
        )
