"""What the deployed stack promises, read from template.yaml itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from local_stack.stack import local_parameter_values
from local_stack.template import Template, function_environment, load_template, policy_statements

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
# The template as SAM reads it (Globals merged, managed policies followed), every function present.
LOADED = Template(
    ROOT / "template.yaml",
    parameter_overrides=local_parameter_values(ROOT / "template.yaml", {"InboxDomain": "inbox.example.com"}),
)

CONTRACT_ROUTES_IN_THIS_STACK = {
    ("POST", "/candidates"),
    ("GET", "/candidates/{candidate_id}"),
    ("DELETE", "/candidates/{candidate_id}"),
    ("GET", "/candidates/{candidate_id}/interviews"),
    ("POST", "/interviews/{interview_id}/outcome"),
    ("POST", "/webhooks/calcom"),
    ("POST", "/candidates/{candidate_id}/calendars"),
    ("POST", "/webhooks/google"),
    ("POST", "/webhooks/microsoft"),
    ("GET", "/connect/{provider}/{token}"),
    ("GET", "/oauth/{provider}/callback"),
    ("GET", "/preferences/{token}"),
    ("POST", "/preferences/{token}"),
}
# The candidate's own pages: public, each behind a signed link (or, for the OAuth callback, a state).
CANDIDATE_PAGES = (
    "/connect/",
    "/oauth/",
    "/preferences/",
    "/join/",
    "/interviews/new/",
    "/outcome/",
    "/email/verify/",  # the link a candidate's new address is mailed (its token is the credential)
    "/p/",
)  # /p/: the short preferences link in texts


def routes():
    for name, function in FUNCTIONS.items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "HttpApi":
                props = event["Properties"]
                yield name, props["Method"], props["Path"], props.get("Auth", {}).get("Authorizer")


def test_functions_run_python_313_on_arm64_over_the_shared_layer():
    globals_ = TEMPLATE["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    assert globals_["Layers"] == [{"Ref": "NudgesLayer"}]
    layer = RESOURCES["NudgesLayer"]
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}
    requirements = (ROOT / "layers/nudges/requirements.txt").read_text()
    assert not re.search(r"^boto3", requirements, re.M)  # the runtime provides it


def test_the_contract_routes_exist_operator_routes_use_iam_and_webhooks_are_open():
    found = {(method, path) for _, method, path, _ in routes()}
    assert found >= CONTRACT_ROUTES_IN_THIS_STACK
    assert RESOURCES["NudgesApi"]["Properties"]["Auth"]["DefaultAuthorizer"] == "AWS_IAM"
    for _, _, path, authorizer in routes():
        # The advisers' console signs its users in through the Cognito pool, not IAM.
        console = path == "/console" or path.startswith("/console/")
        public = path.startswith(("/webhooks/", "/unsubscribe/", *CANDIDATE_PAGES)) or "/edit/{token}" in path
        assert (authorizer == "NONE") == (console or public), path


def test_table_is_on_demand_with_point_in_time_recovery_and_ttl():
    table = RESOURCES["NudgesTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_nothing_scans_the_table():
    policies = json.dumps([_statements(name) for name in FUNCTIONS])
    assert "dynamodb:Scan" not in policies and "DynamoDBCrudPolicy" not in policies
    code = [*ROOT.glob("layers/nudges/nudges/**/*.py"), *ROOT.glob("functions/*/app.py")]
    offenders = [str(p) for p in code if re.search(r"\.scan\(|\"Scan\"|'scan'", p.read_text())]
    assert offenders == []


def test_the_sender_retries_then_dead_letters():
    sender = FUNCTIONS["SenderFunction"]["Properties"]
    assert sender["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    assert sender["Events"]["SendNow"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = RESOURCES["SendQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["NudgeDeadLetterQueue", "Arn"]}
    role = json.dumps(RESOURCES["SchedulerRole"]["Properties"])
    # The role names the sender by its fixed name (a GetAtt would close a dependency cycle).
    assert sender["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-sender"}
    assert "lambda:InvokeFunction" in role and "function:${AWS::StackName}-sender" in role


@pytest.mark.parametrize(
    "parameter",
    ["SenderEmail", "ResearchPromptLeadHours", "ThankYouDelayHours", "QuietHoursStart", "QuietHoursEnd"],
)
def test_sender_identity_and_timings_are_parameters(parameter):
    assert parameter in TEMPLATE["Parameters"]


def test_api_url_is_an_output():
    assert "ApiUrl" in TEMPLATE["Outputs"]


def _references(node) -> set[str]:
    """Logical ids a piece of template refers to (Ref, GetAtt, and ${...} in Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if isinstance(value, list):
                    found |= _references(value[1])
            else:
                found |= _references(value)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item)
    return {f for f in found if f in RESOURCES}


def test_no_circular_dependencies_once_sam_wires_the_api_to_its_functions():
    # SAM puts every HttpApi route's function ARN into the API's definition: the API depends on them.
    # A function's Events are SAM's wiring (permissions, the API's routes), not its own dependencies.
    def own(resource):
        props = {k: v for k, v in resource.get("Properties", {}).items() if k != "Events"}
        return {**resource, "Properties": props}

    depends = {name: _references(own(resource)) - {name} for name, resource in RESOURCES.items()}
    for name in FUNCTIONS:  # what SAM merges in from the Globals is the function's too
        depends[name] |= _references(TEMPLATE["Globals"]["Function"]) - {name}
    for name, _, _, _ in routes():
        depends["NudgesApi"].add(name)

    def cycle_from(start, node, seen):
        for nxt in depends.get(node, ()):
            if nxt == start:
                return [*seen, nxt]
            if nxt not in seen:
                found = cycle_from(start, nxt, [*seen, nxt])
                if found:
                    return found
        return None

    cycles = {name: cycle_from(name, name, [name]) for name in RESOURCES}
    assert {k: v for k, v in cycles.items() if v} == {}


PROVIDER_URL_DEFAULTS = {
    "GOOGLE_API_BASE_URL": "https://www.googleapis.com",
    "GOOGLE_TOKEN_URL": "https://oauth2.googleapis.com/token",
    "GRAPH_API_BASE_URL": "https://graph.microsoft.com/v1.0",
    "MS_TOKEN_URL": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
}


def test_calendar_functions_declare_the_real_provider_urls_and_renew_on_a_schedule():
    for name in ("OperatorApiFunction", "CalendarSyncFunction"):
        env = function_environment(LOADED, name)
        assert {k: env[k] for k in PROVIDER_URL_DEFAULTS} == PROVIDER_URL_DEFAULTS
    events = FUNCTIONS["CalendarSyncFunction"]["Properties"]["Events"]
    assert events["RenewWatches"]["Type"] == "ScheduleV2"
    assert "DeadLetterConfig" in events["RenewWatches"]["Properties"]
    assert events["Jobs"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert TEMPLATE["Parameters"]["InterviewPattern"]["Default"] == "\\binterview\\b"


def _statements(name: str) -> list[dict]:
    """What the function may do: its inline statements and its managed policies', unresolved."""
    return policy_statements(LOADED, name, resolve=False)


def _actions(statement: dict) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else actions


def test_every_secret_is_encrypted_with_the_secrets_key_and_its_readers_may_decrypt_only_through_secrets_manager():
    secrets = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::SecretsManager::Secret"}
    assert secrets >= {"WebhookSecrets", "UnsubscribeSigningKey", "CalendarOAuthClients"}
    for name in secrets:
        assert RESOURCES[name]["Properties"]["KmsKeyId"] == {"Ref": "SecretsKey"}, name
    readers = {
        name: function
        for name, function in FUNCTIONS.items()
        if any("secretsmanager:GetSecretValue" in _actions(s) for s in _statements(name))
    }
    assert len(readers) >= 8
    for name in readers:
        decrypts = [
            s
            for s in _statements(name)
            if s["Effect"] == "Allow" and s.get("Resource") == {"Fn::GetAtt": ["SecretsKey", "Arn"]}
        ]
        assert [_actions(s) for s in decrypts] == [["kms:Decrypt"]], name
        via = decrypts[0]["Condition"]["StringEquals"]["kms:ViaService"]
        assert via == {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}, name
    # Nobody else may use the key, and the key itself allows use only through Secrets Manager.
    for name in FUNCTIONS:
        if name not in readers:
            assert "SecretsKey" not in json.dumps(_statements(name)), name
    policy = RESOURCES["SecretsKey"]["Properties"]["KeyPolicy"]["Statement"]
    uses = [s for s in policy if any(a.startswith(("kms:Decrypt", "kms:GenerateDataKey")) for a in _actions(s))]
    assert len(uses) == 1 and "kms:ViaService" in uses[0]["Condition"]["StringEquals"]
    assert all("kms:*" not in _actions(s) for s in policy)
    assert RESOURCES["SecretsKey"]["Properties"]["EnableKeyRotation"] is True


def test_every_topic_and_queue_is_encrypted_and_services_that_publish_may_use_the_topic_key():
    for name, resource in RESOURCES.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::SNS::Topic":
            # A customer-managed key: AWS services cannot publish to a topic under alias/aws/sns.
            assert props.get("KmsMasterKeyId") == {"Ref": "OpsKey"}, name
        if resource["Type"] == "AWS::SQS::Queue":
            assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props, name
    key_policy = RESOURCES["OpsKey"]["Properties"]["KeyPolicy"]["Statement"]
    services: dict[str, dict] = {}
    for statement in key_policy:
        service = statement["Principal"].get("Service")
        for principal in [service] if isinstance(service, str) else service or []:
            services[principal] = statement
    # SES (bounces, inbound mail), CloudWatch (alarms), End User Messaging SMS (two-way replies).
    for principal in ("ses.amazonaws.com", "cloudwatch.amazonaws.com", "sms-voice.amazonaws.com"):
        statement = services[principal]
        assert set(_actions(statement)) == {"kms:Decrypt", "kms:GenerateDataKey*"}, principal
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    # Each topic a service publishes to has a topic policy letting that service (and only from this account) in.
    publishers = {
        "EmailEventsTopic": "ses.amazonaws.com",
        "InboxMailTopic": "ses.amazonaws.com",
        "AlarmTopic": "cloudwatch.amazonaws.com",
        "InboundSmsTopic": "sms-voice.amazonaws.com",
    }
    policies = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::SNS::TopicPolicy"]
    for topic, principal in publishers.items():
        found = [p for p in policies if {"Ref": topic} in p["Topics"]]
        assert len(found) == 1, topic
        (statement,) = found[0]["PolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": principal} and statement["Action"] == "sns:Publish"
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


SCHEDULING_VARIABLES = {
    "SCHEDULE_GROUP_NAME",
    "SCHEDULER_ROLE_ARN",
    "SENDER_FUNCTION_ARN",
    "SEND_QUEUE_URL",
    "DEAD_LETTER_QUEUE_ARN",
    "RESEARCH_PROMPT_LEAD_HOURS",
    "RESEARCH_PROMPT_MIN_LEAD_HOURS",
    "THANK_YOU_DELAY_HOURS",
    "QUIET_HOURS_START",
    "QUIET_HOURS_END",
}


def test_shared_variables_are_said_once_in_the_globals():
    shared = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert set(shared) >= SCHEDULING_VARIABLES
    assert set(PROVIDER_URL_DEFAULTS) <= set(shared)
    for name, function in FUNCTIONS.items():
        own = function["Properties"].get("Environment", {}).get("Variables", {})
        assert set(own) & set(shared) == set(), f"{name} repeats a variable of the Globals"
        # and every function sees them, merged as SAM merges them
        assert set(function_environment(LOADED, name)) >= SCHEDULING_VARIABLES, name


def test_each_function_environment_fits_in_lambdas_four_kilobytes_on_a_long_stack_name():
    long = Template(
        ROOT / "template.yaml",
        stack_name="s" * 64,
        parameter_overrides=local_parameter_values(ROOT / "template.yaml", {"InboxDomain": "inbox.example.com"}),
    )
    for name in FUNCTIONS:
        env = function_environment(long, name)
        # 40 more characters a value for what AWS adds to names (random suffixes, full ARNs)
        assert sum(len(k) + len(v) + 40 for k, v in env.items()) < 4096, name


# IAM's default cap on managed policies per role; SAM attaches basic execution, X-Ray (Tracing:
# Active) and the queue poller's (a queue-fed function) besides the function's own.
MANAGED_POLICIES_PER_ROLE = 10


def test_shared_grants_are_managed_policies_each_listed_by_several_functions_within_the_role_quota():
    # The operators' policy is for people (`nudges`, docs/operations.md), never a function's.
    managed = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::IAM::ManagedPolicy" and k != "OperatorPolicy"}
    assert {"TableKeyPolicy", "PlanningPolicy", "SecretsKeyPolicy"} <= managed
    users = {policy: [] for policy in managed}
    for name, function in FUNCTIONS.items():
        listed = [p["Ref"] for p in function["Properties"]["Policies"] if isinstance(p, dict) and "Ref" in p]
        for policy in listed:
            users[policy].append(name)
        queue_fed = any(e["Type"] in ("SQS", "Kinesis", "DynamoDB") for e in function["Properties"]["Events"].values())
        attached = len(listed) + 1 + (TEMPLATE["Globals"]["Function"]["Tracing"] == "Active") + queue_fed
        assert attached <= MANAGED_POLICIES_PER_ROLE, name
        assert "TableKeyPolicy" in listed, name  # every function touches the table
    assert {policy: names for policy, names in users.items() if len(names) < 2} == {}, "inline a grant used once"
    # a managed policy attaches only through the functions' Policies, never to a role by itself
    for policy in managed:
        assert set(RESOURCES[policy]["Properties"]) == {"Description", "PolicyDocument"}, policy


def test_the_errors_alarms_are_generated_one_per_function():
    raw = (ROOT / "template.yaml").read_text()
    assert "AWS::LanguageExtensions" in TEMPLATE["Transform"]
    assert raw.count("MetricName: Errors") == 2  # the loop, and the inbox mail function's (conditional)
    for name in FUNCTIONS:
        alarm = RESOURCES[name.removesuffix("Function") + "ErrorsAlarm"]["Properties"]
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": name}}]
