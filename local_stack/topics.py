"""SNS → Lambda: delivers inbound two-way SMS and SES events (ses_events.py) to the functions
subscribed to a topic."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from .async_invoke import invoke_async

if TYPE_CHECKING:
    from datetime import datetime

    from .provision import Aws
    from .runtime import Function

LOCAL_NUMBER = "+15555550100"


def two_way_sms(origination: str, body: str, account_id: str, destination: str = LOCAL_NUMBER) -> dict[str, Any]:
    """The JSON AWS End User Messaging publishes for an inbound SMS."""
    return {
        "originationNumber": origination,
        "destinationNumber": destination,
        "messageKeyword": f"KEYWORD_{account_id}",
        "messageBody": body,
        "inboundMessageId": str(uuid.uuid4()),
        "previousPublishedMessageId": str(uuid.uuid4()),
    }


def sns_event(
    *, topic_arn: str, message_id: str, message: str, subject: str | None, now: datetime, region: str
) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
                    "SignatureVersion": "1",
                    "Signature": "bG9jYWwtc3RhY2sgZG9lcyBub3Qgc2lnbg==",
                    "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-local.pem",
                    "UnsubscribeUrl": (
                        f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic_arn}:local"
                    ),
                    "MessageAttributes": {},
                },
            }
        ]
    }


def publish_and_deliver(
    aws: Aws, topic_arn: str, subscribers: list[Function], message: dict[str, Any], now: datetime
) -> None:
    """Publish to the topic (so the endpoint sees it) and invoke each subscribed function
    asynchronously, as SNS does (retries, then the function's destination or dead-letter queue)."""
    text = json.dumps(message)
    message_id = aws.client("sns").publish(TopicArn=topic_arn, Message=text)["MessageId"]
    event = sns_event(
        topic_arn=topic_arn, message_id=message_id, message=text, subject=None, now=now, region=aws.region
    )
    for fn in subscribers:
        invoke_async(aws, fn, event)
