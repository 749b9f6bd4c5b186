"""SES inbound mail: what a receipt rule with an S3 action does with a message.

The stack reads the template's ``AWS::SES::ReceiptRule`` resources. For a message whose
recipients one of them accepts, it puts the raw message into the rule's bucket under its
prefix, as SES would, then publishes SES's "Received" notification to the rule's topic and
delivers it to the functions subscribed there.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from .template import Template


@dataclass(frozen=True)
class S3Rule:
    name: str
    recipients: tuple[str, ...]  # addresses or domains, as SES matches them
    bucket: str
    prefix: str
    topic_arn: str | None

    def accepts(self, address: str) -> bool:
        address = address.lower()
        domain = address.rpartition("@")[2]
        for recipient in self.recipients:
            recipient = recipient.lower()
            if (
                address == recipient
                or domain == recipient
                or (recipient.startswith(".") and domain.endswith(recipient))
            ):
                return True
        return not self.recipients  # a rule without recipients takes every address


def s3_rules(template: Template) -> list[S3Rule]:
    rules = []
    for logical_id, res in template.of_type("AWS::SES::ReceiptRule").items():
        if "Condition" in res and not template.condition(res["Condition"]):
            continue
        rule = template.resolve(res.get("Properties") or {}).get("Rule") or {}
        if rule.get("Enabled") is False:
            continue
        for action in rule.get("Actions") or []:
            s3 = action.get("S3Action")
            if s3:
                rules.append(
                    S3Rule(
                        name=str(rule.get("Name") or logical_id),
                        recipients=tuple(str(r) for r in rule.get("Recipients") or []),
                        bucket=str(s3["BucketName"]),
                        prefix=str(s3.get("ObjectKeyPrefix") or ""),
                        topic_arn=str(s3["TopicArn"]) if s3.get("TopicArn") else None,
                    )
                )
    return rules


def recipients_of(raw: bytes) -> list[str]:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    fields = message.get_all("To", []) + message.get_all("Cc", [])
    return [addr for _name, addr in email.utils.getaddresses(fields) if "@" in addr]


def received_notification(
    raw: bytes, rule: S3Rule, recipients: list[str], message_id: str, now: datetime, account_id: str, region: str
) -> dict[str, Any]:
    """The JSON SES publishes for a message an S3 action stored (notificationType "Received")."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    headers = [{"name": k, "value": str(v)} for k, v in message.items()]
    source = email.utils.parseaddr(str(message.get("From", "")))[1]
    passed = {"status": "PASS"}
    return {
        "notificationType": "Received",
        "mail": {
            "timestamp": stamp,
            "source": source,
            "messageId": message_id,
            "destination": recipients,
            "headersTruncated": False,
            "headers": headers,
            "commonHeaders": {
                "returnPath": source,
                "from": [str(message.get("From", ""))],
                "date": str(message.get("Date", "")),
                "to": [str(v) for v in message.get_all("To", [])],
                "messageId": str(message.get("Message-ID", "")),
                "subject": str(message.get("Subject", "")),
            },
        },
        "receipt": {
            "timestamp": stamp,
            "processingTimeMillis": 1,
            "recipients": recipients,
            "spamVerdict": passed,
            "virusVerdict": passed,
            "spfVerdict": passed,
            "dkimVerdict": passed,
            "dmarcVerdict": passed,
            "action": {
                "type": "S3",
                "topicArn": rule.topic_arn,
                "bucketName": rule.bucket,
                "objectKeyPrefix": rule.prefix,
                "objectKey": rule.prefix + message_id,
            },
        },
    }


def new_message_id() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex[:8]
