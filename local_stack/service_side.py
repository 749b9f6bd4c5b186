"""What AWS authorises on the service's side, in the caller's name, after the call itself is allowed.

A service that uses a customer managed KMS key for the caller asks KMS with the caller's
credentials (``kms:ViaService`` is then ``<service>.<region>.amazonaws.com``), and a service that
will act as a role later checks that the caller may pass it (``iam:PassRole``). Each row below
names the operations, what the service asks for, and on what; the proxy checks them as it checks
the call. Sources (AWS documentation, read for this table):

- DynamoDB (*How Amazon DynamoDB uses AWS KMS*): every item read or write of a table encrypted
  with a customer managed key needs the table key decrypted: ``kms:Decrypt``.
- Secrets Manager (*Secret encryption and decryption*): ``GetSecretValue`` decrypts
  (``kms:Decrypt``); ``CreateSecret``, ``PutSecretValue`` and ``UpdateSecret`` with a value encrypt
  (``kms:GenerateDataKey``).
- SQS (*Key management*, SSE-KMS): a producer needs ``kms:GenerateDataKey`` and ``kms:Decrypt``; a
  consumer ``kms:Decrypt``. Queues with SQS-managed keys (``SqsManagedSseEnabled``) need neither.
- SNS (*Key management*): publishing to an encrypted topic needs ``kms:GenerateDataKey`` and
  ``kms:Decrypt``.
- S3 (*Protecting data with SSE-KMS*): ``PutObject`` needs ``kms:GenerateDataKey``, ``GetObject``
  ``kms:Decrypt``, when the bucket's default encryption (or the object's) is a customer managed key.
- EventBridge Scheduler (*Set up the execution role*): ``CreateSchedule`` and ``UpdateSchedule``
  pass the target's ``RoleArn``: ``iam:PassRole`` on it, with ``iam:PassedToService`` =
  ``scheduler.amazonaws.com``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .aws_requests import AwsRequest, Lookups
    from .iam_policy import Context


@dataclass(frozen=True)
class Check:
    action: str
    resource: str
    context: Context
    via: str  # the service asking: "dynamodb", "secretsmanager", ... (shown in the report)


_DYNAMODB_ITEM_OPERATIONS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
}
_SECRET_WRITES = {"CreateSecret", "PutSecretValue", "UpdateSecret"}
_SQS_SENDS = {"SendMessage", "SendMessageBatch"}
_S3_WRITES = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart"}
_S3_READS = {"GetObject", "HeadObject", "CopyObject"}

# The table itself, for the docs and the report: (service, operations, what it asks for).
TABLE: list[tuple[str, str, str]] = [
    ("dynamodb", "item reads and writes of a table with a customer managed key", "kms:Decrypt on the table's key"),
    ("secretsmanager", "GetSecretValue", "kms:Decrypt on the secret's key"),
    (
        "secretsmanager",
        "CreateSecret, PutSecretValue, UpdateSecret (with a value)",
        "kms:GenerateDataKey on the secret's key",
    ),
    ("sqs", "SendMessage, SendMessageBatch (queue with a customer managed key)", "kms:GenerateDataKey and kms:Decrypt"),
    ("sqs", "ReceiveMessage (queue with a customer managed key)", "kms:Decrypt"),
    ("sns", "Publish, PublishBatch (topic with a customer managed key)", "kms:GenerateDataKey and kms:Decrypt"),
    ("s3", "PutObject (bucket or object with a customer managed key)", "kms:GenerateDataKey"),
    ("s3", "GetObject, HeadObject (object with a customer managed key)", "kms:Decrypt"),
    (
        "scheduler",
        "CreateSchedule, UpdateSchedule",
        "iam:PassRole on the target's RoleArn (iam:PassedToService scheduler.amazonaws.com)",
    ),
]


def checks(request: AwsRequest, pairs: list[tuple[str, str]], lookups: Lookups) -> list[Check]:
    """What the service will ask for in the caller's name, for a call allowed on ``pairs``."""
    service, operation, p = request.iam_prefix, request.operation, request.params
    out: list[Check] = []

    def kms(actions: tuple[str, ...], key: str | None, via: str) -> None:
        if key:
            context = {
                "kms:ViaService": [f"{via}.{lookups.region}.amazonaws.com"],
                "kms:CallerAccount": [lookups.account_id],
            }
            out.extend(Check(action, key, context, via) for action in actions)

    if service == "dynamodb" and operation in _DYNAMODB_ITEM_OPERATIONS:
        tables = {
            resource.split("/index/", 1)[0].rsplit("/", 1)[-1] for _action, resource in pairs if ":table/" in resource
        }
        for table in sorted(tables):
            kms(("kms:Decrypt",), lookups.table_key(table), "dynamodb")
    elif service == "secretsmanager" and pairs and pairs[0][1] != "*":
        secret = pairs[0][1]
        if operation == "GetSecretValue":
            kms(("kms:Decrypt",), lookups.secret_key(secret), "secretsmanager")
        elif operation in _SECRET_WRITES and ("SecretString" in p or "SecretBinary" in p):
            key = lookups.key_arn(p.get("KmsKeyId")) if p.get("KmsKeyId") else lookups.secret_key(secret)
            kms(("kms:GenerateDataKey",), key, "secretsmanager")
    elif service == "sqs" and p.get("QueueUrl"):
        if operation in _SQS_SENDS:
            kms(("kms:GenerateDataKey", "kms:Decrypt"), lookups.queue_key(p["QueueUrl"]), "sqs")
        elif operation == "ReceiveMessage":
            kms(("kms:Decrypt",), lookups.queue_key(p["QueueUrl"]), "sqs")
    elif service == "sns" and operation in ("Publish", "PublishBatch") and p.get("TopicArn"):
        kms(("kms:GenerateDataKey", "kms:Decrypt"), lookups.topic_key(p["TopicArn"]), "sns")
    elif service == "s3" and p.get("Bucket"):
        named = request.headers.get("x-amz-server-side-encryption-aws-kms-key-id")
        key = lookups.key_arn(named) if named else lookups.bucket_key(p["Bucket"])
        if operation in _S3_WRITES:
            kms(("kms:GenerateDataKey",), key, "s3")
        if operation in _S3_READS:
            kms(("kms:Decrypt",), key, "s3")
    elif service == "scheduler" and operation in ("CreateSchedule", "UpdateSchedule"):
        role = (p.get("Target") or {}).get("RoleArn")
        if role:
            out.append(Check("iam:PassRole", role, {"iam:PassedToService": ["scheduler.amazonaws.com"]}, "scheduler"))
    return out
