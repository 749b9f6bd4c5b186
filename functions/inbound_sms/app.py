"""Inbound SMS from the two-way SMS topic: STOP and friends opt out, START opts back in, HELP
answers, YES gives consent to texts (``PreferenceService.sms_received``; the YES kept on each
candidate with that number, with its time and message id). Numbers are remembered only as hashes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nudges import clock, journey_wiring
from nudges.handlers import entry

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    for record in event["Records"]:
        sms = json.loads(record["Sns"]["Message"])
        message_id = sms.get("inboundMessageId") or record["Sns"]["MessageId"]
        journey_wiring.preference_service().sms_received(
            message_id, sms["originationNumber"], sms.get("messageBody", ""), clock.now()
        )
