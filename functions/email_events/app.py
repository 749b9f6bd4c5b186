"""SES events from the configuration set's SNS topic.

- Delivery, DeliveryDelay, Bounce, Complaint, Reject: the message log's status of the message
  with that SES MessageId moves on (never back: events come late, out of order and twice).
- Nothing more is emailed to an address that bounced for good or whose owner complained.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.domain.deliveries import event_status
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _suppressions(notification: dict[str, Any]) -> list[tuple[str, str]]:
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        bounce = notification["bounce"]
        # Transient bounces (mailbox full, auto-replies) may succeed later; only permanent ones stop us.
        if bounce.get("bounceType") != "Permanent":
            return []
        return [(r["emailAddress"], "bounced") for r in bounce.get("bouncedRecipients", [])]
    if kind == "Complaint":
        return [(r["emailAddress"], "complained") for r in notification["complaint"].get("complainedRecipients", [])]
    return []


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    for record in event["Records"]:
        notification = json.loads(record["Sns"]["Message"])
        message_id = notification.get("mail", {}).get("messageId")
        for address, reason in _suppressions(notification):
            wiring.store().suppress_email(address, reason, clock.now())
            logger.info("address suppressed", extra={"reason": reason, "message_id": message_id})
        found = event_status(notification)
        if found is None:
            continue
        logged = wiring.message_log().set_status(found[0], found[1], clock.now())
        if logged is None:
            # Not one of ours to track (sent before the log existed, or erased since).
            logger.info("event for a message not in the log", extra={"message_id": message_id, "status": found[1]})
        else:
            logger.info(
                "message status",
                extra={"message_id": message_id, "status": logged.status, "candidate_id": logged.candidate_id},
            )
