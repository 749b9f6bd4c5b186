"""The local stack against a tiny fake project and one embedded moto server.

The fake project has its own template (table, queue + DLQ, schedule group, topic, secret,
SES identity) and three trivial functions that append every event they receive to a JSON
lines file and fail when the event asks them to.
"""

from __future__ import annotations

import json
import shutil
import textwrap
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import boto3
import pytest

from local_stack import DEFAULT_WEBHOOK_SECRETS, LocalStack

REPO = Path(__file__).resolve().parents[2]
STACK = "ls-test"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  SenderEmail:
    Type: String
    Default: sender@example.com
  EventsFile:
    Type: String
  PublicBaseUrl:
    Type: String
    Default: ""
Globals:
  Function:
    Runtime: python3.13
    Handler: app.lambda_handler
    MemorySize: 256
    Timeout: 10
    Layers: [!Ref FakeLayer]
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        EVENTS_FILE: !Ref EventsFile
        SHARED: from-globals
Resources:
  FakeLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/fake/
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
        - {AttributeName: GSI1PK, AttributeType: S}
        - {AttributeName: GSI1SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema:
            - {AttributeName: GSI1PK, KeyType: HASH}
            - {AttributeName: GSI1SK, KeyType: RANGE}
          Projection: {ProjectionType: ALL}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}
  WebhookSecrets:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString:
        SecretStringTemplate: "{}"
        GenerateStringKey: calcom
        PasswordLength: 20
        ExcludePunctuation: true
  Group:
    Type: AWS::Scheduler::ScheduleGroup
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 3
  DeadLetters:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
  Identity:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: !Ref SenderEmail
  InboundSmsTopic:
    Type: AWS::SNS::Topic
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/api/
      Environment:
        Variables:
          SHARED: from-function
          PUBLIC_BASE_URL: !Ref PublicBaseUrl
          ROLE_ARN: !GetAtt Role.Arn
          WORKER_ARN: !GetAtt WorkerFunction.Arn
          QUEUE_URL: !Ref WorkQueue
          QUEUE_NAME: !GetAtt WorkQueue.QueueName
          INDEX_ARN: !Sub "${Table.Arn}/index/*"
          GROUP: !Sub ["${G}@${AWS::Region}", {G: !Ref Group}]
          SECRET_ARN: !Ref WebhookSecrets
      Events:
        Post:
          Type: HttpApi
          Properties: {Method: POST, Path: "/things/{thing_id}"}
        Get:
          Type: HttpApi
          Properties: {Method: GET, Path: "/things/{thing_id}"}
        Bare:
          Type: HttpApi
          Properties: {Method: GET, Path: /bare}
        Crash:
          Type: HttpApi
          Properties: {Method: GET, Path: /crash}
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt WorkQueue.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  SmsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/sms/
      Events:
        Inbound:
          Type: SNS
          Properties:
            Topic: !Ref InboundSmsTopic
"""

RECORDER = """
import json, os

def record(fn, event, **extra):
    from nudges import clock
    with open(os.environ["EVENTS_FILE"], "a") as fh:
        fh.write(json.dumps({"fn": fn, "event": event, "now": clock.now().isoformat(), **extra}) + "\\n")
"""

API_APP = """
import json, os
from recorder import record

def lambda_handler(event, context):
    if event["rawPath"] == "/bare":
        return {"bare": True}
    if event["rawPath"] == "/crash":
        raise RuntimeError("boom")
    env = {k: os.environ.get(k) for k in (
        "TABLE_NAME", "SHARED", "PUBLIC_BASE_URL", "ROLE_ARN", "WORKER_ARN", "QUEUE_URL", "QUEUE_NAME",
        "INDEX_ARN", "GROUP", "SECRET_ARN", "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME")}
    record("api", event, env=env, context={"name": context.function_name, "memory": context.memory_limit_in_mb,
           "arn": context.invoked_function_arn, "remaining": context.get_remaining_time_in_millis()})
    return {"statusCode": 201, "headers": {"X-Thing": event["pathParameters"]["thing_id"]},
            "cookies": ["a=1"], "body": json.dumps({"got": event.get("body")})}
"""

WORKER_APP = """
import json
from recorder import record

def lambda_handler(event, context):
    record("worker", event)
    if "Records" in event:
        failures = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if json.loads(r["body"]).get("fail")]
        return {"batchItemFailures": failures}
    if event.get("fail"):
        raise RuntimeError("told to fail")
    return {"ok": True}
"""

SMS_APP = """
from recorder import record

def lambda_handler(event, context):
    record("sms", event)
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fake_project")
    _write(root / "template.yaml", TEMPLATE)
    for name, app in (("api", API_APP), ("worker", WORKER_APP), ("sms", SMS_APP)):
        _write(root / "functions" / name / "app.py", app)
        _write(root / "functions" / name / "recorder.py", RECORDER)
    layer = root / "layers" / "fake" / "nudges"
    layer.mkdir(parents=True)
    (layer / "__init__.py").write_text("")
    shutil.copy(REPO / "layers" / "nudges" / "nudges" / "clock.py", layer / "clock.py")
    return root


@pytest.fixture(scope="module")
def stack(project: Path, monkeypatch_module: pytest.MonkeyPatch) -> LocalStack:
    monkeypatch_module.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch_module.delenv("AWS_PROFILE", raising=False)
    monkeypatch_module.setenv("WEBHOOK_SECRET_LEVER", "custom-lever")
    s = LocalStack(
        project,
        stack_name=STACK,
        parameter_overrides={"EventsFile": str(project / "events.jsonl")},
    )
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def client(stack: LocalStack, service: str):
    return boto3.client(
        service,
        endpoint_url=stack.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def call(stack: LocalStack, method: str, path: str, body: object = None, headers: dict | None = None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(stack.base_url + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def events(project: Path, fn: str) -> list[dict]:
    path = project / "events.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [line for line in lines if line["fn"] == fn]


def set_clock(stack: LocalStack, when: datetime, twice: bool = False) -> dict:
    status, _h, body = call(stack, "POST", "/_local/clock", {"now": when.isoformat(), "deliver_twice": twice})
    assert status == 200, body
    return json.loads(body)


def make_schedule(stack: LocalStack, name: str, at: datetime, payload: dict, **extra) -> None:
    target = {
        "Arn": f"arn:aws:lambda:us-east-1:123456789012:function:{STACK}-WorkerFunction",
        "RoleArn": f"arn:aws:iam::123456789012:role/{STACK}-Role",
        "Input": json.dumps(payload),
        **extra.pop("target", {}),
    }
    client(stack, "scheduler").create_schedule(
        Name=name,
        GroupName=f"{STACK}-Group",
        ScheduleExpression=f"at({at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
        **extra,
    )


def schedule_or_none(stack: LocalStack, name: str) -> dict | None:
    try:
        return client(stack, "scheduler").get_schedule(Name=name, GroupName=f"{STACK}-Group")
    except client(stack, "scheduler").exceptions.ResourceNotFoundException:
        return None


def queue_url(stack: LocalStack, logical_id: str) -> str:
    return client(stack, "sqs").get_queue_url(QueueName=f"{STACK}-{logical_id}")["QueueUrl"]


def fired_names(result: dict, prefix: str) -> list[str]:
    return [f["name"] for f in result["fired"] if f["name"].startswith(prefix)]


# ---------------------------------------------------------------------- provisioning


def test_resources_come_from_the_template_and_a_restart_creates_nothing(stack: LocalStack, project: Path):
    assert set(stack.created) == {
        "Table",
        "WebhookSecrets",
        "Group",
        "WorkQueue",
        "DeadLetters",
        "Identity",
        "InboundSmsTopic",
    }

    table = client(stack, "dynamodb").describe_table(TableName=f"{STACK}-Table")["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["PK", "SK"]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "GSI1"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client(stack, "dynamodb").describe_time_to_live(TableName=f"{STACK}-Table")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    backups = client(stack, "dynamodb").describe_continuous_backups(TableName=f"{STACK}-Table")
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"

    attrs = client(stack, "sqs").get_queue_attributes(QueueUrl=queue_url(stack, "WorkQueue"), AttributeNames=["All"])
    redrive = json.loads(attrs["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(f":{STACK}-DeadLetters")
    assert int(redrive["maxReceiveCount"]) == 3
    assert attrs["Attributes"]["VisibilityTimeout"] == "30"

    client(stack, "scheduler").get_schedule_group(Name=f"{STACK}-Group")
    topics = [t["TopicArn"] for t in client(stack, "sns").list_topics()["Topics"]]
    assert f"arn:aws:sns:us-east-1:123456789012:{STACK}-InboundSmsTopic" in topics
    secret = client(stack, "secretsmanager").get_secret_value(SecretId=f"{STACK}-WebhookSecrets")
    assert json.loads(secret["SecretString"]) == {**DEFAULT_WEBHOOK_SECRETS, "lever": "custom-lever"}
    assert "sender@example.com" in client(stack, "ses").list_identities()["Identities"]

    again = LocalStack(
        project,
        stack_name=STACK,
        parameter_overrides={"EventsFile": str(project / "events.jsonl")},
        endpoint_url=stack.endpoint_url,
    )
    again.start()
    try:
        assert again.created == []
        status, _h, _b = call(again, "GET", "/_local/health")
        assert status == 200
    finally:
        again.stop()
    versions = client(stack, "secretsmanager").list_secret_version_ids(SecretId=f"{STACK}-WebhookSecrets")
    assert len(versions["Versions"]) == 2  # generated, then the local secrets once


# ---------------------------------------------------------------------- HTTP API


def test_http_route_gets_a_v2_event_and_its_response_is_mapped(stack: LocalStack, project: Path):
    status, headers, body = call(
        stack,
        "POST",
        "/things/ab%20c?x=1&x=2&y=",
        {"hello": "world"},
        {"Content-Type": "application/json", "Cookie": "k=v; k2=v2", "X-Multi": "a"},
    )
    assert status == 201
    assert headers["x-thing"] == "ab c"
    assert headers["set-cookie"] == "a=1"
    assert json.loads(body) == {"got": '{"hello": "world"}'}

    record = events(project, "api")[-1]
    event = record["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /things/{thing_id}"
    assert event["rawPath"] == "/things/ab%20c"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["pathParameters"] == {"thing_id": "ab c"}
    assert event["cookies"] == ["k=v", "k2=v2"]
    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-multi"] == "a"
    assert event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["http"]["method"] == "POST"
    assert ctx["stage"] == "$default"
    assert ctx["routeKey"] == "POST /things/{thing_id}"
    assert ctx["domainName"] == f"127.0.0.1:{stack.port}"

    env = record["env"]
    assert env["TABLE_NAME"] == f"{STACK}-Table"
    assert env["SHARED"] == "from-function"
    assert env["PUBLIC_BASE_URL"] == stack.base_url
    assert env["ROLE_ARN"] == f"arn:aws:iam::123456789012:role/{STACK}-Role"
    assert env["WORKER_ARN"] == f"arn:aws:lambda:us-east-1:123456789012:function:{STACK}-WorkerFunction"
    assert env["QUEUE_URL"] == queue_url(stack, "WorkQueue")
    assert env["QUEUE_NAME"] == f"{STACK}-WorkQueue"
    assert env["INDEX_ARN"].endswith(f":table/{STACK}-Table/index/*")
    assert env["GROUP"] == f"{STACK}-Group@us-east-1"
    assert env["SECRET_ARN"].startswith(f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{STACK}-WebhookSecrets")
    assert env["AWS_ENDPOINT_URL"] == stack.authorizer.url  # the authorising proxy in front of the endpoint
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == f"{STACK}-ApiFunction"
    assert record["context"]["name"] == f"{STACK}-ApiFunction"
    assert record["context"]["memory"] == 256
    assert 0 < record["context"]["remaining"] <= 10_000


def test_binary_body_is_base64_and_other_responses(stack: LocalStack, project: Path):
    status, _h, _b = call(stack, "POST", "/things/bin", b"\x00\x01", {"Content-Type": "application/octet-stream"})
    assert status == 201
    event = events(project, "api")[-1]["event"]
    assert event["isBase64Encoded"] is True and event["body"] == "AAE="

    status, headers, body = call(stack, "GET", "/bare")
    assert (status, json.loads(body)) == (200, {"bare": True})
    assert headers["content-type"] == "application/json"

    assert call(stack, "GET", "/crash")[:3:2] == (500, b'{"message": "Internal Server Error"}')
    status, _h, body = call(stack, "GET", "/nowhere")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})
    status, _h, body = call(stack, "DELETE", "/things/x")
    assert status == 404
    assert call(stack, "GET", "/_local/health")[:3:2] == (200, b'{"status": "ok"}')


def test_oversized_body_is_refused_like_api_gateway(stack: LocalStack):
    status, _h, _body = call(
        stack, "POST", "/things/big", b"x" * (10 * 1024 * 1024 + 1), {"Content-Type": "text/plain"}
    )
    assert status == 413


# ---------------------------------------------------------------------- scheduler


def test_clock_rejects_bad_instants(stack: LocalStack):
    for payload in ({}, {"now": "2031-01-01T00:00:00"}, {"now": "yesterday"}, {"now": 5}):
        status, _h, body = call(stack, "POST", "/_local/clock", payload)
        assert status == 400, payload
        assert json.loads(body)["message"]


def test_clock_fires_due_at_schedules_and_completes_them(stack: LocalStack, project: Path):
    base = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    tag = uuid.uuid4().hex[:8]
    make_schedule(stack, f"due-{tag}", base, {"n": f"due-{tag}"}, ActionAfterCompletion="DELETE")
    make_schedule(stack, f"keep-{tag}", base - timedelta(minutes=5), {"n": f"keep-{tag}"}, ActionAfterCompletion="NONE")
    make_schedule(stack, f"later-{tag}", base + timedelta(hours=1), {"n": f"later-{tag}"})

    result = set_clock(stack, base + timedelta(minutes=1))
    assert result["now"] == (base + timedelta(minutes=1)).isoformat()
    assert [f for f in result["fired"] if tag in f["name"]] == [
        {"name": f"keep-{tag}", "at": (base - timedelta(minutes=5)).isoformat()},
        {"name": f"due-{tag}", "at": base.isoformat()},
    ]
    got = [e["event"] for e in events(project, "worker") if tag in json.dumps(e["event"])]
    assert got == [{"n": f"keep-{tag}"}, {"n": f"due-{tag}"}]
    # each delivery saw the virtual clock standing at its own due time, as time passing would
    assert [e["now"] for e in events(project, "worker") if tag in json.dumps(e["event"])] == [
        (base - timedelta(minutes=5)).isoformat(),
        base.isoformat(),
    ]

    assert schedule_or_none(stack, f"due-{tag}") is None
    assert schedule_or_none(stack, f"keep-{tag}")["State"] == "DISABLED"
    assert schedule_or_none(stack, f"later-{tag}")["State"] == "ENABLED"

    # nothing fires twice
    assert [name for name in fired_names(set_clock(stack, base + timedelta(minutes=2)), "") if tag in name] == []
    assert fired_names(set_clock(stack, base + timedelta(hours=2)), f"later-{tag}") == [f"later-{tag}"]


def test_schedule_time_zone_is_honoured(stack: LocalStack, project: Path):
    tag = uuid.uuid4().hex[:8]
    client(stack, "scheduler").create_schedule(
        Name=f"tz-{tag}",
        GroupName=f"{STACK}-Group",
        ScheduleExpression="at(2031-04-01T09:00:00)",
        ScheduleExpressionTimezone="Europe/London",  # BST: 08:00 UTC
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": f"arn:aws:lambda:us-east-1:123456789012:function:{STACK}-WorkerFunction",
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "Input": "{}",
        },
        ActionAfterCompletion="DELETE",
    )
    assert fired_names(set_clock(stack, datetime(2031, 4, 1, 7, 59, tzinfo=UTC)), f"tz-{tag}") == []
    result = set_clock(stack, datetime(2031, 4, 1, 8, 0, tzinfo=UTC))
    assert [f for f in result["fired"] if f["name"] == f"tz-{tag}"] == [
        {"name": f"tz-{tag}", "at": "2031-04-01T08:00:00+00:00"}
    ]


def test_failing_target_is_retried_then_dead_lettered(stack: LocalStack, project: Path):
    base = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
    tag = uuid.uuid4().hex[:8]
    dlq_arn = f"arn:aws:sqs:us-east-1:123456789012:{STACK}-DeadLetters"
    make_schedule(
        stack,
        f"fail-{tag}",
        base,
        {"fail": True, "tag": tag},
        ActionAfterCompletion="DELETE",
        target={
            "RetryPolicy": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 3600},
            "DeadLetterConfig": {"Arn": dlq_arn},
        },
    )
    assert fired_names(set_clock(stack, base), f"fail-{tag}") == [f"fail-{tag}"]
    assert schedule_or_none(stack, f"fail-{tag}") is not None
    assert fired_names(set_clock(stack, base + timedelta(minutes=1)), f"fail-{tag}") == [f"fail-{tag}"]
    assert schedule_or_none(stack, f"fail-{tag}") is None
    assert len([e for e in events(project, "worker") if e["event"].get("tag") == tag]) == 2

    sqs = client(stack, "sqs")
    msgs = sqs.receive_message(
        QueueUrl=queue_url(stack, "DeadLetters"), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    mine = [m for m in msgs if json.loads(m["Body"]).get("tag") == tag]
    assert len(mine) == 1
    attrs = mine[0]["MessageAttributes"]
    assert attrs["RETRY_ATTEMPTS"]["StringValue"] == "1"
    assert attrs["TARGET_ARN"]["StringValue"].endswith(f"function:{STACK}-WorkerFunction")
    assert attrs["GROUP"]["StringValue"] == f"{STACK}-Group"
    assert attrs["SCHEDULE_ARN"]["StringValue"].endswith(f"schedule/{STACK}-Group/fail-{tag}")
    assert {"ERROR_CODE", "ERROR_MESSAGE", "EXECUTION_ID"} <= set(attrs)
    assert "told to fail" in attrs["ERROR_MESSAGE"]["StringValue"]
    for m in msgs:
        sqs.delete_message(QueueUrl=queue_url(stack, "DeadLetters"), ReceiptHandle=m["ReceiptHandle"])


def test_deliver_twice_invokes_twice(stack: LocalStack, project: Path):
    base = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
    tag = uuid.uuid4().hex[:8]
    make_schedule(stack, f"twice-{tag}", base, {"tag": tag}, ActionAfterCompletion="DELETE")
    result = set_clock(stack, base, twice=True)
    assert fired_names(result, f"twice-{tag}") == [f"twice-{tag}"]
    assert len([e for e in events(project, "worker") if e["event"].get("tag") == tag]) == 2
    assert schedule_or_none(stack, f"twice-{tag}") is None


# ---------------------------------------------------------------------- SQS


def test_sqs_drain_honours_partial_batch_failures(stack: LocalStack, project: Path):
    base = datetime(2031, 7, 1, 9, 0, tzinfo=UTC)
    tag = uuid.uuid4().hex[:8]
    sqs = client(stack, "sqs")
    url = queue_url(stack, "WorkQueue")
    for i, fail in enumerate((False, True, False)):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"tag": tag, "i": i, "fail": fail}))

    def mine() -> list[dict]:
        out = []
        for e in events(project, "worker"):
            for r in e["event"].get("Records", []):
                body = json.loads(r["body"])
                if body.get("tag") == tag:
                    out.append({**body, "count": r["attributes"]["ApproximateReceiveCount"], "record": r})
        return out

    set_clock(stack, base)
    first = mine()
    assert sorted(m["i"] for m in first) == [0, 1, 2]
    record = first[0]["record"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == f"arn:aws:sqs:us-east-1:123456789012:{STACK}-WorkQueue"
    assert record["awsRegion"] == "us-east-1" and record["md5OfBody"] and record["receiptHandle"]

    # only the failed one comes back, once per clock call, until redrive moves it to the DLQ
    set_clock(stack, base + timedelta(minutes=1))
    again = mine()[3:]
    assert [(m["i"], m["count"]) for m in again] == [(1, "2")]
    set_clock(stack, base + timedelta(minutes=2))
    set_clock(stack, base + timedelta(minutes=3))
    assert [(m["i"], m["count"]) for m in mine()[3:]] == [(1, "2"), (1, "3")]

    msgs = sqs.receive_message(QueueUrl=queue_url(stack, "DeadLetters"), MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["i"] for m in msgs if json.loads(m["Body"]).get("tag") == tag] == [1]
    for m in msgs:
        sqs.delete_message(QueueUrl=queue_url(stack, "DeadLetters"), ReceiptHandle=m["ReceiptHandle"])


# ---------------------------------------------------------------------- outbox and SMS


def _raw_email(to: str, subject: str, text: str) -> bytes:
    msg = MIMEMultipart("alternative")
    msg["From"] = "sender@example.com"
    msg["To"] = f"Someone <{to}>"
    msg["Subject"] = Header(subject, "utf-8").encode()
    msg.attach(MIMEText(text, "plain", "utf-8"))
    msg.attach(MIMEText(f"<p>{text}</p>", "html", "utf-8"))
    return msg.as_bytes()


def test_outbox_reads_ses_and_sns_with_send_records(stack: LocalStack):
    sesv2, sns, ddb = client(stack, "sesv2"), client(stack, "sns"), client(stack, "dynamodb")

    def send_email(to: str, subject: str, text: str) -> str:
        return sesv2.send_email(
            FromEmailAddress="sender@example.com",
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": _raw_email(to, subject, text)}},
        )["MessageId"]

    def record(message_id: str, kind: str, channel: str, sent_at: str, order: int) -> None:
        # As the sender records a send: a send_<channel> map on the nudge item.
        ddb.update_item(
            TableName=f"{STACK}-Table",
            Key={"PK": {"S": f"INTERVIEW#iv-1-{kind}"}, "SK": {"S": f"NUDGE#{kind}"}},
            UpdateExpression="SET kind = :kind, interview_id = :iv, #send = :send",
            ExpressionAttributeNames={"#send": f"send_{channel}"},
            ExpressionAttributeValues={
                ":kind": {"S": kind},
                ":iv": {"S": "iv-1"},
                ":send": {
                    "M": {"message_id": {"S": message_id}, "sent_at": {"S": sent_at}, "sent_order": {"N": str(order)}}
                },
            },
        )

    late = send_email("ada@example.com", "Thank you — Ada", "Say thanks.")
    early = send_email("bob@example.com", "Research", "Read up.")
    sms = sns.publish(PhoneNumber="+447700900123", Message="Good luck today")["MessageId"]
    orphan = sns.publish(PhoneNumber="+447700900999", Message="no record")["MessageId"]
    assert orphan
    record(late, "thank_you", "email", "2031-08-01T12:00:00+00:00", 3)
    record(early, "research_prompt", "email", "2031-08-01T09:00:00+00:00", 1)
    record(sms, "research_prompt", "sms", "2031-08-01T10:00:00+01:00", 2)  # 09:00 UTC, after `early`

    status, _h, body = call(stack, "GET", "/_local/outbox")
    assert status == 200
    # moto keeps one backend per process: stacks of earlier test modules in this worker sent mail too.
    mine = {"Read up.", "Good luck today", "Say thanks.", "no record"}
    assert [m for m in json.loads(body) if m["body"] in mine] == [
        {
            "channel": "email",
            "to": "bob@example.com",
            "subject": "Research",
            "body": "Read up.",
            "kind": "research_prompt",
            "interview_id": "iv-1",
            "sent_at": "2031-08-01T09:00:00+00:00",
        },
        {
            "channel": "sms",
            "to": "+447700900123",
            "body": "Good luck today",
            "kind": "research_prompt",
            "interview_id": "iv-1",
            "sent_at": "2031-08-01T10:00:00+01:00",
        },
        {
            "channel": "email",
            "to": "ada@example.com",
            "subject": "Thank you — Ada",
            "body": "Say thanks.",
            "kind": "thank_you",
            "interview_id": "iv-1",
            "sent_at": "2031-08-01T12:00:00+00:00",
        },
        {
            "channel": "sms",
            "to": "+447700900999",
            "body": "no record",
            "kind": None,
            "interview_id": None,
            "sent_at": None,
        },
    ]


def test_inbound_sms_reaches_the_subscribed_function(stack: LocalStack, project: Path):
    status, _h, body = call(stack, "POST", "/_local/sms", {"from": "+447700900123", "body": "STOP"})
    assert (status, json.loads(body)) == (202, {"delivered": True})
    record = events(project, "sms")[-1]["event"]["Records"][0]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["Type"] == "Notification"
    assert record["Sns"]["TopicArn"] == f"arn:aws:sns:us-east-1:123456789012:{STACK}-InboundSmsTopic"
    message = json.loads(record["Sns"]["Message"])
    assert message["originationNumber"] == "+447700900123"
    assert message["messageBody"] == "STOP"
    assert {"destinationNumber", "messageKeyword", "inboundMessageId", "previousPublishedMessageId"} <= set(message)

    for bad in ({"body": "x"}, {"from": "+44", "body": 3}, {"from": ""}):
        assert call(stack, "POST", "/_local/sms", bad)[0] == 400
