"""Each text's and WhatsApp message's fate, from the message events topic: End User Messaging
SMS's configuration-set events (TEXT_DELIVERED, TEXT_BLOCKED, ...) and End User Messaging
Social's WhatsApp events (statuses sent, delivered, read, failed; messages the candidate wrote)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.handlers import entry

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    for record in event["Records"]:
        wiring.message_events().handle(json.loads(record["Sns"]["Message"]), clock.now())
