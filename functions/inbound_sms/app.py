"""Inbound SMS from the two-way SMS topic: the keyword (STOP and its synonyms, START, HELP, YES, in
any case, with punctuation or words after it) is acted on by the inbound SMS service."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    service = wiring.inbound_sms()
    for record in event["Records"]:
        sms = json.loads(record["Sns"]["Message"])
        message_id = sms.get("inboundMessageId") or record["Sns"]["MessageId"]
        keyword = service.handle(sms["originationNumber"], sms.get("messageBody", ""), message_id, clock.now())
        logger.info(
            "inbound SMS handled", extra={"message_id": message_id, "keyword": keyword.value if keyword else "none"}
        )
