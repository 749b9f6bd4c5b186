"""The local stack runs each function as Lambda would: a process of its own, only the template's
variables, only the layer's packages and the runtime's boto3, and Lambda's failures.

Two stacks: the real project with a template that drops one variable from one function (as a
typo would), and a tiny fake project whose functions report what their process sees, import a
package only the dev tools have, or run past their ``Timeout``.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import yaml

from local_stack import LocalStack, topics
from local_stack.client import LocalClient
from local_stack.runtime import FunctionError
from local_stack.template import load_template

REPO = Path(__file__).resolve().parents[2]
STACK = "rt-test"
LEAK = "LOCAL_STACK_TEST_ONLY_VARIABLE"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def call(base_url: str, path: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(base_url + path, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


# ---------------------------------------------------------------------- the real project, mutated


def _without_calendly_secret(path: Path) -> str:
    """template.yaml with ``WEBHOOK_SECRETS_ARN`` in every function's environment but Calendly's,
    as a typo would leave it: moved out of ``Globals`` (if it is there) into each other function."""
    doc = load_template(path)
    name, value = "WEBHOOK_SECRETS_ARN", {"Ref": "WebhookSecrets"}
    shared = ((doc.get("Globals") or {}).get("Function") or {}).get("Environment", {}).get("Variables", {})
    if shared.pop(name, None) is None:
        value = None  # each function names it itself: only Calendly's goes
    for logical_id, resource in doc["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        variables = resource.setdefault("Properties", {}).setdefault("Environment", {}).setdefault("Variables", {})
        if logical_id == "CalendlyWebhookFunction":
            variables.pop(name, None)
        elif value is not None:
            variables[name] = value
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.fixture(scope="module")
def mutated_stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("mutated")
    for name in ("functions", "layers", "events"):
        (root / name).symlink_to(REPO / name)
    (root / "template.yaml").write_text(_without_calendly_secret(REPO / "template.yaml"))
    # (Each stack of this module patches the environment for its own lifetime only, so what it
    # undoes at the end is what was there before it, not another stack's endpoint.)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with LocalStack(root, stack_name="rt-mutated") as stack:  # moto keeps state per process: own names
            # The mutation did what it says: Calendly's function lacks the variable, Cal.com's has it.
            assert "WEBHOOK_SECRETS_ARN" not in stack.runtime.by_logical_id["CalendlyWebhookFunction"].environment
            assert "WEBHOOK_SECRETS_ARN" in stack.runtime.by_logical_id["CalcomWebhookFunction"].environment
            yield stack


def test_a_variable_removed_from_one_function_fails_that_function_whatever_ran_before(mutated_stack):
    stack = mutated_stack
    errors: list[str] = []
    stack.runtime.add_log_listener(
        lambda fn, stream, line: errors.append(f"{fn} {line}") if stream == "stderr" else None
    )
    client = LocalClient(stack.base_url)
    now = datetime(2030, 3, 4, 9, 13, tzinfo=UTC)
    stack.set_clock(now)
    reply = client.register(email="ada.mutated@example.org", timezone="Europe/London", channels=["email"], name="Ada")
    assert reply.status == 201, reply
    # Given a Cal.com booking went through first (its function read the webhook secrets)
    assert client.book("ada.mutated@example.org", "mutated-1", now + timedelta(days=5), now).status == 200
    # When Calendly delivers a correctly signed booking
    event = json.loads((REPO / "events" / "calendly_webhook-invitee_created.json").read_text())
    reply = client.calendly(event["body"].encode(), signed_at=now)
    # Then its function fails as it would deployed, and says why in its own log
    assert reply.status == 500, reply
    calendly = stack.runtime.by_logical_id["CalendlyWebhookFunction"].name
    assert any(e.startswith(calendly) and "WEBHOOK_SECRETS_ARN" in e for e in errors), errors[-5:]
    # And the stack and the other functions carry on
    assert client.book("ada.mutated@example.org", "mutated-2", now + timedelta(days=6), now).status == 200
    assert client.calendly(event["body"].encode(), signed_at=now).status == 500


# ---------------------------------------------------------------------- a fake project

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  RecordDir:
    Type: String
Globals:
  Function:
    Runtime: python3.13
    Handler: app.lambda_handler
    Timeout: 10
    Layers: [!Ref FakeLayer]
    Environment:
      Variables:
        FROM_GLOBALS: globals
        RECORD_DIR: !Ref RecordDir
Resources:
  FakeLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/fake/
  DeadLetters:
    Type: AWS::SQS::Queue
  Failures:
    Type: AWS::SQS::Queue
  Group:
    Type: AWS::Scheduler::ScheduleGroup
  ScheduleDeadLetters:
    Type: AWS::SQS::Queue
  YamlTopic:
    Type: AWS::SNS::Topic
  SlowTopic:
    Type: AWS::SNS::Topic
  EnvFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/env/
      MemorySize: 512
      Environment:
        Variables:
          OWN: mine
          FROM_GLOBALS: overridden
      Events:
        Api:
          Type: HttpApi
          Properties: {Path: /env, Method: GET}
  YamlFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/yaml/
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt DeadLetters.Arn
      Events:
        Api:
          Type: HttpApi
          Properties: {Path: /yaml, Method: GET}
        Topic:
          Type: SNS
          Properties: {Topic: !Ref YamlTopic}
  SlowFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/slow/
      Timeout: 1
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !GetAtt Failures.Arn
      Events:
        Api:
          Type: HttpApi
          Properties: {Path: /slow, Method: GET}
        Topic:
          Type: SNS
          Properties: {Topic: !Ref SlowTopic}
"""

ENV_APP = """
import importlib.util, os, sys
from nudges import clock

def lambda_handler(event, context):
    import boto3
    sys.stdout.write("a log line without its newline")
    return {"statusCode": 200, "body": __import__("json").dumps({
        "environ": dict(os.environ),
        "path": sys.path,
        "executable": sys.executable,
        "importable": {m: importlib.util.find_spec(m) is not None for m in ("pytest", "moto", "yaml", "local_stack")},
        "boto3": boto3.__version__,
        "now": clock.now().isoformat(),
        "pid": os.getpid(),
    })}
"""

YAML_APP = """
from devtools import dumped  # a layer module that needs a dev-only package

def lambda_handler(event, context):
    return {"statusCode": 200, "body": dumped(event)}
"""

DEVTOOLS = """
import yaml  # in requirements-dev.txt, not in the layer's requirements.txt

def dumped(value):
    return yaml.safe_dump(value)
"""

SLOW_APP = """
import json, os, time

def lambda_handler(event, context):
    seconds = float((event.get("queryStringParameters") or {}).get("sleep", 0)) if "rawPath" in event else 30
    with open(os.path.join(os.environ["RECORD_DIR"], f"slow-{os.getpid()}-{time.monotonic_ns()}"), "w") as fh:
        fh.write(json.dumps({"pid": os.getpid(), "http": "rawPath" in event}))
    time.sleep(seconds)
    return {"statusCode": 200, "body": json.dumps({"pid": os.getpid()})}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("runtime_project")
    _write(root / "template.yaml", TEMPLATE)
    for name, app in (("env", ENV_APP), ("yaml", YAML_APP), ("slow", SLOW_APP)):
        _write(root / "functions" / name / "app.py", app)
    layer = root / "layers" / "fake"
    (layer / "nudges").mkdir(parents=True)
    (layer / "nudges" / "__init__.py").write_text("")
    shutil.copy(REPO / "layers" / "nudges" / "nudges" / "clock.py", layer / "nudges" / "clock.py")
    _write(layer / "devtools.py", DEVTOOLS)
    (root / "records").mkdir()
    return root


@pytest.fixture(scope="module")
def stack(project):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.setenv(LEAK, "the stack's own")
        patch.setenv("PYTHONPATH", str(REPO))  # would put local_stack on a function's path
        s = LocalStack(project, stack_name=STACK, parameter_overrides={"RecordDir": str(project / "records")})
        s.start()
        yield s
        s.stop()


def test_the_stacks_own_environment_does_not_reach_a_function(stack, project):
    lines: list[str] = []
    stack.runtime.add_log_listener(lambda _fn, stream, line: lines.append(line) if stream == "stdout" else None)
    status, seen = call(stack.base_url, "/env")
    assert status == 200, seen
    # The function's output reached the stack's log before its answer, marks and all removed
    assert "a log line without its newline" in lines, lines
    assert not any("local-stack-end" in line for line in lines), lines
    environ = seen["environ"]
    # Only the template's variables (Globals merged, the function's own winning) ...
    assert (environ["OWN"], environ["FROM_GLOBALS"], environ["RECORD_DIR"]) == (
        "mine",
        "overridden",
        str(project / "records"),
    )
    # ... what Lambda sets ...
    assert environ["AWS_LAMBDA_FUNCTION_NAME"] == f"{STACK}-EnvFunction"
    assert environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert environ["_HANDLER"] == "app.lambda_handler"
    assert environ["LAMBDA_TASK_ROOT"] == str(project / "functions" / "env")
    # ... and the local overrides; nothing else of the stack's environment
    assert environ["AWS_ENDPOINT_URL"] == stack.authorizer.url  # the authorising proxy in front of the endpoint
    for name in (LEAK, "PYTHONPATH", "VIRTUAL_ENV", "PYTEST_CURRENT_TEST", "HOME"):
        assert name not in environ, name
    # (LC_CTYPE: Python itself sets it where the en_US.UTF-8 locale is not installed, PEP 538.)
    assert set(environ) - {"LC_CTYPE"} == set(stack.runtime.by_logical_id["EnvFunction"].environment)
    # The function's code and the layer on sys.path, in front of an interpreter without the dev tools
    assert seen["path"][:2] == [str(project / "functions" / "env"), str(project / "layers" / "fake")]
    assert not any(".venv/" in p or p.endswith(".venv") for p in seen["path"]), seen["path"]
    assert seen["importable"] == {"pytest": False, "moto": False, "yaml": False, "local_stack": False}
    pinned = (REPO / "requirements-lambda-runtime.txt").read_text()
    assert f"boto3=={seen['boto3']}\n" in pinned


def test_the_virtual_clock_crosses_into_the_function(stack):
    stack.set_clock(datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC))
    assert call(stack.base_url, "/env")[1]["now"] == "2031-05-06T07:08:09+00:00"
    stack.set_clock(datetime(2031, 5, 7, 0, 0, tzinfo=UTC))
    assert call(stack.base_url, "/env")[1]["now"] == "2031-05-07T00:00:00+00:00"


def test_a_layer_module_importing_a_dev_only_package_fails_that_function_with_an_import_error(stack):
    errors: list[str] = []
    stack.runtime.add_log_listener(lambda fn, stream, line: errors.append(f"{fn} {line}"))
    # Through its HTTP route: a 500, every time (each invocation tries a new environment)
    assert call(stack.base_url, "/yaml")[0] == 500
    assert call(stack.base_url, "/yaml")[0] == 500
    fn = stack.runtime.by_logical_id["YamlFunction"]
    with pytest.raises(FunctionError) as failed:
        fn.invoke({"rawPath": "/yaml"})
    assert failed.value.error_type == "Runtime.ImportModuleError"
    assert failed.value.error_message == "Unable to import module 'app': No module named 'yaml'"
    assert any(e.startswith(fn.name) and "Runtime.ImportModuleError" in e for e in errors), errors
    # As an async source's target (SNS): tried, retried twice, then in its dead-letter queue
    before = fn.stats["invocations"]
    topic = str(stack.template.ref("YamlTopic"))
    topics.publish_and_deliver(stack.aws, topic, stack.topic_subscribers[topic], {"hello": "yaml"}, stack.clock.now())
    assert fn.stats["invocations"] - before == 3
    [dead] = _messages(stack, "DeadLetters")
    assert json.loads(json.loads(dead["Body"])["Records"][0]["Sns"]["Message"]) == {"hello": "yaml"}
    assert "Runtime.ImportModuleError" in dead["MessageAttributes"]["ErrorMessage"]["StringValue"]
    # And the stack and its other functions carry on
    assert call(stack.base_url, "/env")[0] == 200


def test_an_invocation_past_its_timeout_is_killed_and_retried_as_lambda_retries_async_events(stack, project):
    records = project / "records"
    for old in records.glob("slow-*"):
        old.unlink()
    fn = stack.runtime.by_logical_id["SlowFunction"]
    topic = str(stack.template.ref("SlowTopic"))
    started = time.monotonic()
    topics.publish_and_deliver(stack.aws, topic, stack.topic_subscribers[topic], {"job": 1}, stack.clock.now())
    elapsed = time.monotonic() - started
    # Tried, then retried once (MaximumRetryAttempts: 1), each attempt cut at its 1 s Timeout
    attempts = [json.loads(p.read_text()) for p in records.glob("slow-*")]
    assert len(attempts) == 2 and not any(a["http"] for a in attempts), attempts
    assert 2 <= elapsed < 10, elapsed
    assert fn.stats["timeouts"] >= 2
    # Each timed-out process was killed, not left running
    for attempt in attempts:
        with pytest.raises(ProcessLookupError):
            _wait_gone(attempt["pid"])
    # Then the event went to the OnFailure destination, with Lambda's invocation record
    [failure] = _messages(stack, "Failures")
    record = json.loads(failure["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responsePayload"]["errorType"] == "Sandbox.Timedout"
    assert json.loads(record["requestPayload"]["Records"][0]["Sns"]["Message"]) == {"job": 1}
    # Through HTTP a timeout is a 5xx, and the next request gets a fresh environment that answers
    assert call(stack.base_url, "/slow?sleep=5")[0] == 500
    status, body = call(stack.base_url, "/slow?sleep=0")
    assert status == 200, body


def test_events_that_arrive_together_get_environments_of_their_own(stack):
    fn = stack.runtime.by_logical_id["SlowFunction"]
    results: list[tuple[int, object]] = []
    threads = [
        threading.Thread(target=lambda: results.append(call(stack.base_url, "/slow?sleep=0.6"))) for _ in range(3)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    elapsed = time.monotonic() - started
    assert [status for status, _body in results] == [200, 200, 200], results
    assert len({body["pid"] for _status, body in results}) == 3  # one event at a time per process
    assert elapsed < 1.7, elapsed  # side by side, not one after the other
    assert fn.environments <= 4


def test_a_scheduled_delivery_past_its_timeout_is_killed_and_retried_at_the_next_clock_call(stack, project):
    """Scheduler deliveries follow the schedule's RetryPolicy (the contract): each attempt that
    runs past the function's Timeout is killed, retried at the next clock call, then dead-lettered."""
    records = project / "records"
    for old in records.glob("slow-*"):
        old.unlink()
    fn = stack.runtime.by_logical_id["SlowFunction"]
    at = datetime(2032, 1, 5, 9, 0, tzinfo=UTC)
    stack.set_clock(at - timedelta(minutes=1))
    dead_letters = str(stack.template.get_att("ScheduleDeadLetters", "Arn"))
    boto3.client(
        "scheduler",
        endpoint_url=stack.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_schedule(
        Name="slow-once",
        GroupName=str(stack.template.ref("Group")),
        ScheduleExpression=f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": fn.spec.arn,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"job": "scheduled"}),
            "RetryPolicy": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 3600},
            "DeadLetterConfig": {"Arn": dead_letters},
        },
    )
    timeouts = fn.stats["timeouts"]
    assert [f["name"] for f in stack.set_clock(at)["fired"]] == ["slow-once"]
    assert [f["name"] for f in stack.set_clock(at + timedelta(minutes=1))["fired"]] == ["slow-once"]
    assert stack.set_clock(at + timedelta(minutes=2))["fired"] == []
    attempts = [json.loads(p.read_text()) for p in records.glob("slow-*")]
    assert len(attempts) == 2 and fn.stats["timeouts"] - timeouts == 2, attempts
    for attempt in attempts:
        with pytest.raises(ProcessLookupError):
            _wait_gone(attempt["pid"])
    [dead] = _messages(stack, "ScheduleDeadLetters")
    assert json.loads(dead["Body"]) == {"job": "scheduled"}
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "AWS.Lambda.FunctionError"
    assert "Sandbox.Timedout" in dead["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"]


def _wait_gone(pid: int) -> None:
    """Raise ProcessLookupError once ``pid`` has gone (it is reaped by the stack)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        os.kill(pid, 0)
        time.sleep(0.05)
    os.kill(pid, 0)


def _messages(stack, logical_id: str) -> list[dict]:
    sqs = boto3.client(
        "sqs",
        endpoint_url=stack.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    url = str(stack.template.ref(logical_id))
    if not url.startswith("http"):
        url = sqs.get_queue_url(QueueName=url.rsplit(":", 1)[-1])["QueueUrl"]
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return found.get("Messages", [])
