"""What a service asks for in the caller's name (local_stack/service_side.py): one refusal per row
of its table, through the proxy as boto3 meets it, and the same call allowed once the role has
the grant, with the condition AWS sets (``kms:ViaService``, ``iam:PassedToService``)."""

from __future__ import annotations

import contextlib
import threading
from http.server import ThreadingHTTPServer

import pytest

from local_stack import service_side
from local_stack.authorizer import AuthorizingProxy, Credentials, role_credentials
from local_stack.aws_requests import Lookups
from local_stack.iam_policy import Statement
from local_stack.roles import Role
from tests.project.test_authorizer import ACCOUNT, REGION, _NoLookups, _Upstream, client, refused

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-Secret-AbCdEf"
QUEUE = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/app-Queue"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:app-Topic"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app-SchedulerRole"
CALLS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sns:Publish",
    "s3:GetObject",
    "s3:PutObject",
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
]


class EncryptedLookups(Lookups):
    """Every table, secret, queue, topic and bucket is encrypted with KEY (a customer managed key)."""

    def key_arn(self, key_id):
        return KEY if key_id else None

    def table_key(self, table):
        return KEY

    def secret_key(self, secret_arn):
        return KEY

    def queue_key(self, queue_url):
        return KEY

    def topic_key(self, topic_arn):
        return KEY

    def bucket_key(self, bucket):
        return KEY


def _start(statements: list[dict]) -> AuthorizingProxy:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    credentials = role_credentials("Fn", "unit-service-side")
    parsed = [Statement.parse(s, f"inline#{i}") for i, s in enumerate(statements)]
    role = Role("Fn", "app-fn", f"arn:aws:iam::{ACCOUNT}:role/app-FnRole", parsed, [])
    proxy = AuthorizingProxy(
        f"http://127.0.0.1:{upstream.server_address[1]}",
        {credentials.access_key: role},
        EncryptedLookups(_NoLookups(), ACCOUNT, REGION),
        Credentials("stack-key", "stack-secret", ""),
    ).start()
    proxy.credentials = credentials
    proxy.upstream_server = upstream
    return proxy


def _via(service: str) -> dict:
    return {"StringEquals": {"kms:ViaService": f"{service}.{REGION}.amazonaws.com"}}


@pytest.fixture(scope="module")
def bare():
    """Allowed every call, but no KMS key and no role to pass."""
    proxy = _start([{"Effect": "Allow", "Action": CALLS, "Resource": "*"}])
    yield proxy
    proxy.stop()
    proxy.upstream_server.shutdown()


@pytest.fixture(scope="module")
def granted():
    """The same, with the grants each service asks for, each only through that service."""
    statements = [{"Effect": "Allow", "Action": CALLS, "Resource": "*"}]
    for service, actions in (
        ("dynamodb", ["kms:Decrypt"]),
        ("secretsmanager", ["kms:Decrypt", "kms:GenerateDataKey"]),
        ("sqs", ["kms:Decrypt", "kms:GenerateDataKey"]),
        ("sns", ["kms:Decrypt", "kms:GenerateDataKey"]),
        ("s3", ["kms:Decrypt", "kms:GenerateDataKey"]),
    ):
        statements.append({"Effect": "Allow", "Action": actions, "Resource": KEY, "Condition": _via(service)})
    statements.append(
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": ROLE,
            "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        }
    )
    proxy = _start(statements)
    yield proxy
    proxy.stop()
    proxy.upstream_server.shutdown()


SCHEDULE = {
    "Name": "n1",
    "GroupName": "app-Group",
    "ScheduleExpression": "at(2030-01-01T00:00:00)",
    "FlexibleTimeWindow": {"Mode": "OFF"},
    "Target": {"Arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "RoleArn": ROLE},
}

# (service, method, arguments, what the service asks for in the caller's name)
CASES = [
    ("dynamodb", "get_item", {"TableName": "app-Table", "Key": {"pk": {"S": "a"}}}, ("kms:Decrypt", "dynamodb")),
    ("dynamodb", "put_item", {"TableName": "app-Table", "Item": {"pk": {"S": "a"}}}, ("kms:Decrypt", "dynamodb")),
    (
        "dynamodb",
        "query",
        {
            "TableName": "app-Table",
            "IndexName": "GSI1",
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "a"}},
        },
        ("kms:Decrypt", "dynamodb"),
    ),
    ("secretsmanager", "get_secret_value", {"SecretId": SECRET}, ("kms:Decrypt", "secretsmanager")),
    (
        "secretsmanager",
        "put_secret_value",
        {"SecretId": SECRET, "SecretString": "s"},
        ("kms:GenerateDataKey", "secretsmanager"),
    ),
    ("sqs", "send_message", {"QueueUrl": QUEUE, "MessageBody": "m"}, ("kms:GenerateDataKey", "sqs")),
    ("sqs", "receive_message", {"QueueUrl": QUEUE}, ("kms:Decrypt", "sqs")),
    ("sns", "publish", {"TopicArn": TOPIC, "Message": "m"}, ("kms:GenerateDataKey", "sns")),
    ("s3", "put_object", {"Bucket": "app-bucket", "Key": "inbox/m1", "Body": b"m"}, ("kms:GenerateDataKey", "s3")),
    ("s3", "get_object", {"Bucket": "app-bucket", "Key": "inbox/m1"}, ("kms:Decrypt", "s3")),
    ("scheduler", "create_schedule", SCHEDULE, ("iam:PassRole", "scheduler")),
    ("scheduler", "update_schedule", SCHEDULE, ("iam:PassRole", "scheduler")),
]


@pytest.mark.parametrize(("service", "method", "arguments", "asked"), CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_each_service_side_check_refuses_without_its_grant(bare, service, method, arguments, asked):
    bare.refusals.clear()
    code, message = refused(getattr(client(bare, service), method), **arguments)
    assert code in ("AccessDeniedException", "AccessDenied", "AuthorizationError")
    action, via = asked
    [refusal] = bare.refusals
    assert (refusal.action, refusal.via) == (action, via)
    assert f"{action} on resource: {ROLE if action == 'iam:PassRole' else KEY}" in message


@pytest.mark.parametrize(("service", "method", "arguments", "asked"), CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_the_grant_through_that_service_allows_it(granted, service, method, arguments, asked):
    granted.refusals.clear()
    # (The fake upstream's empty answer may not parse as the operation's output: the decision counts.)
    with contextlib.suppress(Exception):
        getattr(client(granted, service), method)(**arguments)
    assert granted.refusals == []
    assert any(entry[4] == asked[1] for entry in granted.used)


def test_a_kms_grant_through_another_service_does_not_count(granted):
    """The table's key granted through Secrets Manager only: DynamoDB's use of it is refused."""
    proxy = _start(
        [
            {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY, "Condition": _via("secretsmanager")},
        ]
    )
    try:
        refused(client(proxy, "dynamodb").get_item, TableName="app-Table", Key={"pk": {"S": "a"}})
        assert [(r.action, r.via) for r in proxy.refusals] == [("kms:Decrypt", "dynamodb")]
    finally:
        proxy.stop()
        proxy.upstream_server.shutdown()


def test_the_table_is_the_documented_one():
    services = {row[0] for row in service_side.TABLE}
    assert services == {"dynamodb", "secretsmanager", "sqs", "sns", "s3", "scheduler"}
