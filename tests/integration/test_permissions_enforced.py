"""Each function runs with its template role's permissions and no others (CONTRACT: local stack).

One stack of the real project, with a template whose grants are mutated the way a review could
miss, one mutation per function, so each mutation is seen alone while every other function
serves:

- Calendly's function lost ``WebhookSecretsReadPolicy``: a signed delivery answers 5xx;
- Greenhouse's may read a secret, but another one (a resource-scoped grant);
- Lever's may use the secrets' key only through DynamoDB (a condition refuses Secrets Manager);
- the outcome webhook lost ``SecretsKeyPolicy`` (the KMS grant Secrets Manager uses in its name);
- the .ics webhook plans nudges without ``iam:PassRole`` (Scheduler checks it in the caller's name);
- the sender lost ``ses:SendEmail``: the research prompt's schedule is retried, then dead-lettered;

while Cal.com's webhook and the operator API, untouched, answer as ever.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError

from local_stack import LocalStack
from local_stack.client import LocalClient
from local_stack.template import load_template
from tests.e2e.test_calendly import invitee_event

REPO = Path(__file__).resolve().parents[2]
STACK = "iam-mutated"
NOW = datetime(2031, 5, 5, 9, 0, tzinfo=UTC)
FIXTURES = REPO / "tests" / "fixtures" / "ics"


def _policies(doc: dict, function: str) -> list:
    return doc["Resources"][function]["Properties"]["Policies"]


def _replace(doc: dict, function: str, ref: str, *replacements: dict) -> None:
    policies = _policies(doc, function)
    index = policies.index({"Ref": ref})  # fails loudly if the template changed under the test
    policies[index : index + 1] = list(replacements)


def mutated(path: Path) -> str:
    doc = load_template(path)
    _replace(doc, "CalendlyWebhookFunction", "WebhookSecretsReadPolicy")
    _replace(
        doc,
        "GreenhouseWebhookFunction",
        "WebhookSecretsReadPolicy",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": {"Ref": "CalendarOAuthClients"},
                }
            ]
        },
    )
    via_dynamodb = copy.deepcopy(doc["Resources"]["SecretsKeyPolicy"]["Properties"]["PolicyDocument"]["Statement"])
    via_dynamodb[0]["Condition"] = {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}}
    }
    _replace(doc, "LeverWebhookFunction", "SecretsKeyPolicy", {"Statement": via_dynamodb})
    _replace(doc, "OutcomeWebhookFunction", "SecretsKeyPolicy")
    planning = doc["Resources"]["PlanningPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    without_pass_role = [s for s in copy.deepcopy(planning) if s["Action"] != "iam:PassRole"]
    assert len(without_pass_role) == len(planning) - 1
    _replace(doc, "IcsWebhookFunction", "PlanningPolicy", {"Statement": without_pass_role})
    for policy in _policies(doc, "SenderFunction"):
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "ses:SendEmail" in actions:
                statement["Action"] = [a for a in actions if not a.startswith("ses:Send")] or ["ses:GetAccount"]
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("iam")
    for name in ("functions", "layers", "events"):
        (root / name).symlink_to(REPO / name)
    (root / "template.yaml").write_text(mutated(REPO / "template.yaml"))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with LocalStack(root, stack_name=STACK) as stack:
            yield stack


@pytest.fixture(scope="module")
def client(stack) -> LocalClient:
    client = LocalClient(stack.base_url)
    client.set_clock(NOW)
    return client


def refusals(stack, function: str) -> set[tuple[str, str, str | None]]:
    return {
        (r.action, r.resource.rsplit(":", 1)[-1], r.via) for r in stack.authorizer.refusals if r.function == function
    }


def register(client, email: str) -> dict:
    reply = client.register(email=email, timezone="Europe/London", channels=["email"], name="Ada Lovelace")
    assert reply.status == 201, reply  # the operator API keeps serving
    return reply.body


def test_a_function_without_its_secret_grant_answers_5xx_while_the_others_serve(stack, client):
    register(client, "ada.calendly@example.org")
    reply = client.calendly(
        invitee_event("invitee.created", "ada.calendly@example.org", "iam-1", NOW + timedelta(days=4)), signed_at=NOW
    )
    assert reply.status >= 500, reply
    secret = str(stack.template.ref("WebhookSecrets")).rsplit(":", 1)[-1]
    assert refusals(stack, "CalendlyWebhookFunction") == {("secretsmanager:GetSecretValue", secret, None)}
    # Cal.com's function has the same grants as Calendly's had: it books.
    booked = client.book("ada.calendly@example.org", "iam-calcom-1", NOW + timedelta(days=4), NOW)
    assert booked.status == 200, booked
    assert refusals(stack, "CalcomWebhookFunction") == set()


def test_a_grant_on_one_secret_refuses_another(stack, client):
    reply = client.greenhouse({"action": "ping", "payload": {}}, event_id="iam-ping-1")
    assert reply.status >= 500, reply
    secret = str(stack.template.ref("WebhookSecrets")).rsplit(":", 1)[-1]
    assert refusals(stack, "GreenhouseWebhookFunction") == {("secretsmanager:GetSecretValue", secret, None)}


def test_a_condition_on_the_key_refuses_its_use_through_another_service(stack, client):
    reply = client.lever("candidateHired", {"candidateId": "c-1", "opportunityId": "o-1"}, token="t", triggered_at=NOW)
    assert reply.status >= 500, reply
    key = str(stack.template.get_att("SecretsKey", "Arn")).rsplit(":", 1)[-1]
    # The secret itself may be read; decrypting it through Secrets Manager is what the condition refuses.
    assert refusals(stack, "LeverWebhookFunction") == {("kms:Decrypt", key, "secretsmanager")}


def test_a_missing_kms_grant_fails_the_secret_read_that_needs_it(stack, client):
    reply = client.outcome_event(
        {"candidate_email": "nobody@example.org", "company": "Acme", "outcome": "offer"}, at=NOW
    )
    assert reply.status >= 500, reply
    key = str(stack.template.get_att("SecretsKey", "Arn")).rsplit(":", 1)[-1]
    assert refusals(stack, "OutcomeWebhookFunction") == {("kms:Decrypt", key, "secretsmanager")}


def test_planning_without_pass_role_fails_the_schedule_it_creates(stack, client):
    maya = client.register(
        email="maya.okafor@example.org", timezone="Europe/Paris", channels=["email"], name="Maya Okafor"
    )
    assert maya.status == 201, maya
    token = maya.body["ics_inbox_url"].rsplit("/", 1)[1]
    client.set_clock(datetime(2030, 5, 1, 9, 0, tzinfo=UTC))  # before the invite's interview (May 2030)
    reply = client.ics(token, (FIXTURES / "google_request.ics").read_bytes())
    assert reply.status >= 500, reply
    role = str(stack.template.get_att("SchedulerRole", "Arn")).rsplit(":", 1)[-1]
    assert refusals(stack, "IcsWebhookFunction") == {("iam:PassRole", role, "scheduler")}


def test_a_sender_without_ses_send_retries_then_dead_letters_and_sends_nothing(stack, client):
    email = "ada.sender@example.org"
    register(client, email)
    start = NOW + timedelta(days=4)
    booked = client.book(email, "iam-sender-1", start, NOW)
    assert booked.status == 200, booked
    sqs = stack.aws.client("sqs")
    dead_letters = str(stack.template.get_att("NudgeDeadLetterQueue", "QueueUrl"))
    due = start - timedelta(hours=48)  # the research prompt
    for minute in range(12):  # the schedule's RetryPolicy: 10 retries, one per clock call here
        client.set_clock(due + timedelta(minutes=minute))
    assert [m for m in client.outbox() if m.get("to") == email and m["channel"] == "email"] == []
    assert ("ses:SendEmail", f"identity/{stack.template.ref('SenderEmail')}", None) in {
        (a, r.split(":", 5)[-1], v)
        for a, r, v in (
            (x.action, x.resource, x.via) for x in stack.authorizer.refusals if x.function == "SenderFunction"
        )
    }
    interview_id = booked.body["interview_id"]
    dead = [
        m
        for _ in range(3)
        for m in sqs.receive_message(
            QueueUrl=dead_letters, MaxNumberOfMessages=10, VisibilityTimeout=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if f'"owner_id": "{interview_id}"' in m["Body"] and '"kind": "research_prompt"' in m["Body"]
    ]
    assert dead, "the research prompt's delivery ends in the nudge dead-letter queue"
    attributes = {k: v["StringValue"] for k, v in dead[0]["MessageAttributes"].items()}
    assert attributes["RETRY_ATTEMPTS"] == "10"  # every retry of the schedule's RetryPolicy, then here
    assert "(AccessDeniedException) when calling the SendEmail operation" in attributes["ERROR_MESSAGE"]


def test_an_endpoint_named_from_outside_is_fronted_by_the_proxy(tmp_path):
    """``AWS_ENDPOINT_URL`` given (another moto here, LocalStack alike): the functions' calls still
    go through the proxy, which refuses what the role lacks and forwards the rest to that endpoint."""
    from moto.server import ThreadedMotoServer

    outside = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    outside.start()
    host, port = outside.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AWS_ENDPOINT_URL", url)
            with LocalStack(REPO, stack_name="iam-outside") as stack:
                assert stack.authorizer is not None and stack.authorizer.upstream == url
                function = stack.runtime.by_logical_id["UnsubscribeFunction"]
                assert function.environment["AWS_ENDPOINT_URL"] == stack.authorizer.url
                credentials = stack._role_credentials["UnsubscribeFunction"]
                as_function = boto3.client(
                    "dynamodb",
                    endpoint_url=stack.authorizer.url,
                    region_name="us-east-1",
                    aws_access_key_id=credentials.access_key,
                    aws_secret_access_key=credentials.secret_key,
                    aws_session_token=credentials.session_token,
                    config=Config(retries={"max_attempts": 1}),
                )
                table = str(stack.template.ref("NudgesTable"))
                schema = stack.aws.client("dynamodb").describe_table(TableName=table)["Table"]["KeySchema"]
                key = {k["AttributeName"]: {"S": "iam-outside"} for k in schema}
                # Put straight into the outside endpoint, read back through the proxy as the function.
                stack.aws.client("dynamodb").put_item(TableName=table, Item={**key, "seen": {"S": "yes"}})
                assert as_function.get_item(TableName=table, Key=key)["Item"]["seen"] == {"S": "yes"}
                with pytest.raises(ClientError) as refused:
                    as_function.delete_item(TableName=table, Key=key)  # the unsubscribe role may not delete
                assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
                assert "Item" in stack.aws.client("dynamodb").get_item(TableName=table, Key=key)
    finally:
        outside.stop()
