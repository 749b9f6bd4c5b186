"""What the template gives operators (issue 17), read from template.yaml itself: a policy for the
operator routes only, its ARN in the outputs, SES events for the message log, branding."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from local_stack.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]


def _routes():
    for function in RESOURCES.values():
        if function["Type"] != "AWS::Serverless::Function":
            continue
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "HttpApi":
                props = event["Properties"]
                yield props["Method"], props["Path"], props.get("Auth", {}).get("Authorizer")


def _invoke_patterns() -> list[str]:
    """The policy's execute-api resources, as `<stage>/<METHOD>/<path>` patterns after the API id."""
    statements = RESOURCES["OperatorPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    [invoke] = [s for s in statements if s["Action"] == "execute-api:Invoke"]
    patterns = []
    for resource in invoke["Resource"]:
        arn = resource["Fn::Sub"]
        assert arn.startswith("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${NudgesApi}/")
        patterns.append(arn.split("${NudgesApi}/", 1)[1])
    return patterns


def _request_arn(method: str, path: str) -> str:
    """The ARN part API Gateway checks for a request on this route (path parameters filled in)."""
    return f"$default/{method}" + re.sub(r"\{[^}]+\}", "x_1", path)


def test_the_operator_policy_allows_every_operator_route_and_no_public_one():
    patterns = _invoke_patterns()
    operator = [(m, p) for m, p, auth in _routes() if auth != "NONE"]
    public = [(m, p) for m, p, auth in _routes() if auth == "NONE"]
    assert ("GET", "/candidates") in operator and ("GET", "/candidates/{candidate_id}/messages") in operator
    for method, path in operator:
        assert any(fnmatch.fnmatchcase(_request_arn(method, path), p) for p in patterns), (method, path)
    for method, path in public:
        assert not any(fnmatch.fnmatchcase(_request_arn(method, path), p) for p in patterns), (method, path)
    assert RESOURCES["OperatorPolicy"]["Type"] == "AWS::IAM::ManagedPolicy"


def test_the_operator_policy_arn_is_an_output_and_lets_nudges_find_the_api():
    assert TEMPLATE["Outputs"]["OperatorPolicyArn"]["Value"] == {"Ref": "OperatorPolicy"}
    statements = RESOURCES["OperatorPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert {
        "Sid": "FindTheApi",
        "Effect": "Allow",
        "Action": "cloudformation:DescribeStacks",
        "Resource": {"Ref": "AWS::StackId"},
    } in statements


def test_the_configuration_set_publishes_every_event_the_message_log_reads():
    destination = RESOURCES["EmailEventDestination"]["Properties"]["EventDestination"]
    assert set(destination["MatchingEventTypes"]) >= {"delivery", "deliveryDelay", "bounce", "complaint", "reject"}
    policies = RESOURCES["EmailEventsFunction"]["Properties"]["Policies"]
    statements = [s for p in policies if isinstance(p, dict) and "Statement" in p for s in p["Statement"]]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"dynamodb:UpdateItem", "dynamodb:Query"} <= actions


def test_branding_is_three_parameters_every_function_gets():
    parameters = TEMPLATE["Parameters"]
    assert parameters["SenderName"]["Default"] == "Interview Nudges"
    assert parameters["OperatorName"]["Default"] == "Interview Nudges"
    assert parameters["SupportEmail"]["Default"] == ""
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["SENDER_NAME"] == {"Ref": "SenderName"}
    assert variables["OPERATOR_NAME"] == {"Ref": "OperatorName"}
    assert variables["SUPPORT_EMAIL"] == {"Ref": "SupportEmail"}
    assert re.fullmatch(parameters["SenderName"]["AllowedPattern"], "Acme Careers")
    assert not re.fullmatch(parameters["SenderName"]["AllowedPattern"], 'Acme" <evil@x.example>')
