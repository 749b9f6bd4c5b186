"""What the deployed stack promises, read from template.yaml itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from local_stack.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}

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
}


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
        assert (authorizer == "NONE") == path.startswith(("/webhooks/", "/unsubscribe/")), path


def test_table_is_on_demand_with_point_in_time_recovery_and_ttl():
    table = RESOURCES["NudgesTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_nothing_scans_the_table():
    policies = json.dumps([f["Properties"].get("Policies") for f in FUNCTIONS.values()])
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
        env = FUNCTIONS[name]["Properties"]["Environment"]["Variables"]
        assert {k: env[k] for k in PROVIDER_URL_DEFAULTS} == PROVIDER_URL_DEFAULTS
    events = FUNCTIONS["CalendarSyncFunction"]["Properties"]["Events"]
    assert events["RenewWatches"]["Type"] == "ScheduleV2"
    assert "DeadLetterConfig" in events["RenewWatches"]["Properties"]
    assert events["Jobs"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert TEMPLATE["Parameters"]["InterviewPattern"]["Default"] == "\\binterview\\b"
