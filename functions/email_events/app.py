"""SES bounce and complaint notifications (via the configuration set's SNS topic): nothing more is
emailed to an address that bounced for good or whose owner complained."""

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
        journey_wiring.preference_service().email_event(json.loads(record["Sns"]["Message"]), clock.now())
