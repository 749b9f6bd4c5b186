"""Mail to a candidate's inbox address: SES stored it in S3 and notified this topic; the invite
in it is read like one posted to the inbox URL."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source

from nudges import clock, config, wiring
from nudges.handlers import entry

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@event_source(data_class=SNSEvent)
@entry
def lambda_handler(event: SNSEvent, context: LambdaContext) -> dict[str, Any]:
    handled = []
    for record in event.records:
        interviews = wiring.invites().mail_stored(
            json.loads(record.sns.message), config.inbox_domain() or "", clock.now()
        )
        handled += [i.interview_id for i in interviews]
    return {"interviews": handled}
