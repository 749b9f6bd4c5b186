"""Mail to a candidate's inbox address: SES stored it in S3 and notified this topic; the invite
in it is read like one posted to the inbox URL."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source

from nudges import clock, wiring
from nudges.metrics import log_metrics
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from nudges.services.receipts import InviteReceipts

# SES marks mail it judged to carry a virus; nothing in it is read.
REFUSED_VERDICTS = {"FAIL"}


def _receipts() -> InviteReceipts | None:
    """Answers to forwarded mail, unless the template's AcknowledgeForwardedInvites is false."""
    if os.environ.get("ACKNOWLEDGE_FORWARDED_INVITES", "true").lower() != "true":
        return None
    from nudges.adapters.aws import LazyClient
    from nudges.adapters.email import EmailSender
    from nudges.services.receipts import InviteReceipts

    email = EmailSender(LazyClient("sesv2"), os.environ["SENDER_EMAIL"], os.environ.get("CONFIGURATION_SET_NAME"))
    return InviteReceipts(wiring.store(), email, wiring.composer().unsubscribe_link)


@event_source(data_class=SNSEvent)
@logger.inject_lambda_context(clear_state=True)
@log_metrics
def lambda_handler(event: SNSEvent, context: LambdaContext) -> dict[str, Any]:
    from nudges.adapters.aws import client
    from nudges.adapters.mailbox import Mailbox
    from nudges.services.invites import InviteService

    mailbox = Mailbox(client("s3"))
    invites = InviteService(wiring.store(), wiring.planner(), _receipts())
    handled = []
    for record in event.records:
        notification = json.loads(record.sns.message)
        receipt = notification.get("receipt") or {}
        action = receipt.get("action") or {}
        if notification.get("notificationType") != "Received" or action.get("type") != "S3":
            logger.info("SES notification ignored", extra={"type": notification.get("notificationType")})
            continue
        bucket, key = action["bucketName"], action["objectKey"]
        if (receipt.get("virusVerdict") or {}).get("status") in REFUSED_VERDICTS:
            logger.warning("mail with a virus verdict dropped", extra={"object_key": key})
        else:
            message = mailbox.read(bucket, key)
            interviews = invites.receive_mail(
                receipt.get("recipients") or [], os.environ["INBOX_DOMAIN"], message, clock.now(), mail_id=key
            )
            handled += [i.interview_id for i in interviews]
        mailbox.delete(bucket, key)  # read once; nothing of the mail is kept
    return {"interviews": handled}
