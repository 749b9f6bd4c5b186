"""Parts of a big calendar file, from the invite work queue: each part's events booked (as a
retry books them again, changing nothing), the part that finishes the file sending its receipt."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.batch import sqs_batch
from nudges.handlers import entry
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _part(record: SQSRecord) -> None:
    message = json.loads(record.body)
    interviews = wiring.invites().work(message, clock.now())
    logger.info("invite file part booked", extra={"part": message.get("part"), "interviews": len(interviews)})


@entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sqs_batch(event, context, _part, "invite file part")
