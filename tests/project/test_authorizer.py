"""The authorising proxy as boto3 meets it: each service's refusal in that service's protocol
(botocore raises the error code AWS gives), named on the resource ARN AWS names, and the calls
a role's policies allow forwarded, signed again with the stack's credentials."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local_stack.authorizer import AuthorizingProxy, Credentials, role_credentials
from local_stack.aws_requests import Lookups
from local_stack.iam_policy import Statement
from local_stack.roles import Role

ACCOUNT, REGION = "123456789012", "us-east-1"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/app-Table"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000001"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-Secret-AbCdEf"


class _Upstream(BaseHTTPRequestHandler):
    """Answers every call with an empty success, and keeps what it was sent."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[dict]] = []

    def log_message(self, *args):
        return

    def _any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append({"path": self.path, "authorization": self.headers.get("Authorization"), "body": body})
        data = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _any


class _NoLookups:
    """The stack's own clients, for the unit: every lookup finds nothing (KMS keys are given as ARNs)."""

    def __call__(self, service):
        raise RuntimeError("no AWS here")


@pytest.fixture(scope="module")
def proxy():
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    statements = [
        Statement.parse(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": [TABLE, f"{TABLE}/index/GSI1"],
            },
            "inline#0",
        ),
        Statement.parse({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": SECRET}, "inline#1"),
    ]
    roles = {}
    credentials = role_credentials("Fn", "unit")
    roles[credentials.access_key] = Role("Fn", "app-fn", f"arn:aws:iam::{ACCOUNT}:role/app-FnRole", statements, [])
    proxy = AuthorizingProxy(
        f"http://127.0.0.1:{upstream.server_address[1]}",
        roles,
        Lookups(_NoLookups(), ACCOUNT, REGION),
        Credentials("stack-key", "stack-secret", ""),
    ).start()
    proxy.credentials = credentials
    yield proxy
    proxy.stop()
    upstream.shutdown()


def client(proxy, service, credentials=None):
    credentials = credentials or proxy.credentials
    return boto3.client(
        service,
        endpoint_url=proxy.url,
        region_name=REGION,
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        aws_session_token=credentials.session_token,
        config=Config(retries={"max_attempts": 1}),
    )


def refused(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error.get("Message", "")


def test_an_allowed_call_is_forwarded_signed_with_the_stacks_credentials(proxy):
    _Upstream.seen.clear()
    client(proxy, "dynamodb").get_item(TableName="app-Table", Key={"pk": {"S": "a"}})
    (forwarded,) = _Upstream.seen
    assert "Credential=stack-key/" in forwarded["authorization"]
    assert json.loads(forwarded["body"])["TableName"] == "app-Table"
    assert ("Fn", "inline#0", "dynamodb:GetItem", TABLE, "") in proxy.used


def test_an_index_is_its_own_resource(proxy):
    client(proxy, "dynamodb").query(
        TableName="app-Table",
        IndexName="GSI1",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    code, message = refused(
        client(proxy, "dynamodb").query,
        TableName="app-Table",
        IndexName="GSI2",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert code == "AccessDeniedException"
    assert f"dynamodb:Query on resource: {TABLE}/index/GSI2" in message


def test_json_protocols_refuse_with_access_denied_exception(proxy):
    code, message = refused(client(proxy, "dynamodb").put_item, TableName="app-Table", Item={"pk": {"S": "a"}})
    assert code == "AccessDeniedException"
    assert message == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-FnRole/app-fn is not authorized to perform: "
        f"dynamodb:PutItem on resource: {TABLE} because no identity-based policy allows the dynamodb:PutItem action"
    )
    assert refused(client(proxy, "kms").decrypt, KeyId=KEY, CiphertextBlob=b"x")[0] == "AccessDeniedException"
    code, message = refused(
        client(proxy, "secretsmanager").get_secret_value, SecretId=SECRET.replace("Secret", "Other")
    )
    assert code == "AccessDeniedException" and "secret:app-Other-AbCdEf" in message


def test_sqs_refuses_with_its_query_era_code(proxy):
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/app-Queue"
    code, message = refused(client(proxy, "sqs").send_message, QueueUrl=url, MessageBody="x")
    assert code == "AccessDenied"
    assert f"sqs:SendMessage on resource: arn:aws:sqs:{REGION}:{ACCOUNT}:app-Queue" in message
    # A batch is authorised as its single action.
    code, message = refused(
        client(proxy, "sqs").send_message_batch, QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}]
    )
    assert "sqs:SendMessage on" in message


def test_query_protocols_refuse_as_each_service_does(proxy):
    code, message = refused(client(proxy, "sns").publish, PhoneNumber="+15555550100", Message="hi")
    assert code == "AuthorizationError" and "sns:Publish on resource: *" in message
    code, _ = refused(client(proxy, "sns").publish, TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:t", Message="hi")
    assert code == "AuthorizationError"
    code, message = refused(
        client(proxy, "ses").send_email,
        Source="nudges@example.com",
        Destination={"ToAddresses": ["a@example.org"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
    )
    assert (
        code == "AccessDenied"
        and f"ses:SendEmail on resource: arn:aws:ses:{REGION}:{ACCOUNT}:identity/example.com" in message
    )


def test_rest_protocols_refuse_as_each_service_does(proxy):
    code, message = refused(
        client(proxy, "sesv2").send_email,
        FromEmailAddress="Nudges <nudges@example.com>",
        Destination={"ToAddresses": ["a@example.org"]},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        ConfigurationSetName="app-Set",
    )
    assert code == "AccessDeniedException" and "ses:SendEmail on resource" in message
    code, message = refused(
        client(proxy, "scheduler").create_schedule,
        Name="n1",
        GroupName="app-Group",
        ScheduleExpression="at(2030-01-01T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r"},
    )
    assert code == "AccessDeniedException"
    assert (
        f"scheduler:CreateSchedule on resource: arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/app-Group/n1" in message
    )
    code, message = refused(client(proxy, "s3").get_object, Bucket="app-bucket", Key="inbox/m1")
    assert code == "AccessDenied" and "s3:GetObject on resource: arn:aws:s3:::app-bucket/inbox/m1" in message
    code, message = refused(client(proxy, "s3").head_object, Bucket="app-bucket", Key="inbox/m1")
    assert code == "403"  # a HEAD has no body: botocore sees the status alone, as from AWS


def test_an_unknown_key_is_not_a_role(proxy):
    stranger = Credentials("ASIASTRANGER0000000", "x", "y")
    code, _ = refused(client(proxy, "dynamodb", stranger).get_item, TableName="app-Table", Key={"pk": {"S": "a"}})
    assert code == "UnrecognizedClientException"


@pytest.mark.parametrize(
    ("method", "path", "headers", "operation"),
    [
        ("DELETE", "/bucket/inbox/m1", {}, "DeleteObject"),
        ("DELETE", "/bucket/inbox/m1?uploadId=u1", {}, "AbortMultipartUpload"),
        ("GET", "/bucket/inbox/m1", {}, "GetObject"),
        ("GET", "/bucket/inbox/m1?tagging", {}, "GetObjectTagging"),
        ("PUT", "/bucket/inbox/m1", {}, "PutObject"),
        ("PUT", "/bucket/inbox/m1", {"x-amz-copy-source": "other/key"}, "CopyObject"),
        ("GET", "/bucket?list-type=2", {}, "ListObjectsV2"),
    ],
)
def test_s3_routes_of_one_path_are_told_apart_by_what_they_require(method, path, headers, operation):
    from local_stack.aws_requests import parse

    auth = "AWS4-HMAC-SHA256 Credential=ASIAX/20300101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab"
    request = parse(method, path, {"Authorization": auth, **headers}, b"")
    assert request.operation == operation


def test_a_service_specific_endpoint_is_fronted_too():
    """``AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`` (the stack's End User Messaging emulator, below a
    path): the function's variable points at the proxy, which forwards to where it pointed."""
    emulator = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=emulator.serve_forever, daemon=True).start()
    credentials = role_credentials("Sms", "unit")
    grant = Statement.parse(
        {
            "Effect": "Allow",
            "Action": "sms-voice:SendTextMessage",
            "Resource": f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:pool/pool-1",
        }
    )
    role = Role("Sms", "app-sms", f"arn:aws:iam::{ACCOUNT}:role/app-SmsRole", [grant], [])
    proxy = AuthorizingProxy(
        "http://127.0.0.1:9",
        {credentials.access_key: role},
        Lookups(_NoLookups(), ACCOUNT, REGION),
        Credentials("k", "s", ""),
    ).start()
    try:
        variable = "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"
        environment = proxy.front({variable: f"http://127.0.0.1:{emulator.server_address[1]}/_aws/sms-voice"})
        assert environment[variable] == f"{proxy.url}/_aws/sms-voice"
        sms = boto3.client(
            "pinpoint-sms-voice-v2",
            endpoint_url=environment[variable],
            region_name=REGION,
            aws_access_key_id=credentials.access_key,
            aws_secret_access_key=credentials.secret_key,
            aws_session_token=credentials.session_token,
            config=Config(retries={"max_attempts": 1}),
        )
        _Upstream.seen.clear()
        sms.send_text_message(DestinationPhoneNumber="+447700900123", OriginationIdentity="pool-1", MessageBody="hi")
        [forwarded] = _Upstream.seen
        assert forwarded["path"].startswith("/_aws/sms-voice")
        code, message = refused(
            sms.send_text_message,
            DestinationPhoneNumber="+447700900123",
            OriginationIdentity="pool-2",
            MessageBody="hi",
        )
        assert code == "AccessDeniedException" and "pool/pool-2" in message
    finally:
        proxy.stop()
        emulator.shutdown()
