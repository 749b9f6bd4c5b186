"""The alarms and the dashboard in template.yaml, and that they watch the metrics the code writes
(names, namespace, dimensions and their values as nudges.metrics emits them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from local_stack.template import load_template
from nudges import metrics

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
NAMESPACE = ENV["POWERTOOLS_METRICS_NAMESPACE"]  # what every function's Powertools writes to
SERVICE = ENV["POWERTOOLS_SERVICE_NAME"]  # the dimension Powertools adds to every line
ALARMS = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
FUNCTIONS = [k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"]
TOPIC = {"Ref": "AlarmTopic"}

# The values each dimension of ours can take (and "other" for anything unexpected).
DIMENSION_VALUES = {
    "kind": {*metrics.KINDS, metrics.OTHER},
    "channel": {*metrics.CHANNELS, metrics.NO_CHANNEL, metrics.OTHER},
    "provider": {*metrics.PROVIDERS, metrics.OTHER},
    "dependency": {*metrics.DEPENDENCIES, metrics.OTHER},
    "service": {SERVICE},
}


def dimensions(alarm: dict) -> dict:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


def test_the_namespace_is_set_once_per_stack():
    assert NAMESPACE == {"Fn::Sub": "InterviewNudges/${AWS::StackName}"}
    for name, function in RESOURCES.items():
        if function["Type"] == "AWS::Serverless::Function":
            variables = function["Properties"].get("Environment", {}).get("Variables", {})
            assert "POWERTOOLS_METRICS_NAMESPACE" not in variables, f"{name} overrides the namespace"


def test_every_alarm_goes_to_the_alarm_topic_both_ways():
    assert len(ALARMS) >= 2 + len(FUNCTIONS) + 3
    for name, alarm in ALARMS.items():
        assert alarm["AlarmActions"] == [TOPIC], name
        assert alarm["OKActions"] == [TOPIC], name
        assert alarm["TreatMissingData"] == "notBreaching", name  # quiet hours are not an outage


def test_every_function_has_an_errors_alarm_at_the_first_error():
    watched = {}
    for name, alarm in ALARMS.items():
        if alarm.get("Namespace") == "AWS/Lambda":
            assert alarm["MetricName"] == "Errors" and alarm["Statistic"] == "Sum", name
            assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", name
            function = dimensions(alarm)["FunctionName"]["Ref"]
            # an alarm on a function that may not exist shares that function's condition
            assert RESOURCES[name].get("Condition") == RESOURCES[function].get("Condition"), name
            watched[function] = name
    assert sorted(watched) == sorted(FUNCTIONS)


def test_dead_letter_queues_alarm_on_the_first_message():
    queues = {
        dimensions(a)["QueueName"]["Fn::GetAtt"][0]
        for a in ALARMS.values()
        if a.get("Namespace") == "AWS/SQS" and a["MetricName"] == "ApproximateNumberOfMessagesVisible"
    }
    assert queues == {"NudgeDeadLetterQueue", "CalendarSyncDeadLetterQueue", "InviteWorkDeadLetterQueue"}


@pytest.mark.parametrize(
    ("metric", "threshold"), [("Reputation.BounceRate", 0.02), ("Reputation.ComplaintRate", 0.0005)]
)
def test_ses_reputation_alarms_at_two_percent_bounces_and_five_hundredths_of_a_percent_complaints(metric, threshold):
    (alarm,) = [a for a in ALARMS.values() if a.get("Namespace") == "AWS/SES" and a["MetricName"] == metric]
    assert alarm["Threshold"] == threshold  # SES publishes the rate as a fraction: 0.02 is 2%
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert "Dimensions" not in alarm  # the account's rate, which SES reviews


def test_webhook_verification_failures_alarm_on_the_total_the_code_writes():
    (alarm,) = [a for a in ALARMS.values() if a.get("MetricName") == metrics.WEBHOOK_VERIFICATIONS_FAILED]
    assert alarm["Namespace"] == NAMESPACE
    # the dimension set written besides the per-provider one: service alone
    assert metrics.WEBHOOK_VERIFICATIONS_FAILED in metrics.TOTALLED
    assert dimensions(alarm) == {"service": SERVICE}
    assert alarm["Statistic"] == "Sum" and alarm["Threshold"] >= 1


def placeholders(text: str) -> str:
    return re.sub(r"\$\{([^}]+)\}", r"<\1>", text)


def dashboard() -> tuple[dict, set[str]]:
    body, variables = RESOURCES["NudgesDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    references = set(re.findall(r"\$\{([^}]+)\}", body))
    return json.loads(placeholders(body)), references | {f"var:{v}" for v in variables}


def metric_rows(body: dict) -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for widget in body["widgets"]:
        for row in widget.get("properties", {}).get("metrics", []):
            fields = [f for f in row if not isinstance(f, dict)]
            namespace, name, dims = fields[0], fields[1], fields[2:]
            rows.append((namespace, name, dict(zip(dims[::2], dims[1::2], strict=True))))
    return rows


def test_the_dashboard_references_only_what_the_template_defines():
    _, references = dashboard()
    variables = {r.removeprefix("var:") for r in references if r.startswith("var:")}
    for reference in references - {f"var:{v}" for v in variables}:
        if reference.startswith("AWS::"):
            assert reference in {"AWS::Region", "AWS::StackName"}
        else:
            assert reference.split(".")[0] in RESOURCES or reference in variables, reference


def test_the_dashboard_shows_every_metric_the_code_writes_with_its_dimensions():
    body, _ = dashboard()
    namespace = placeholders(NAMESPACE["Fn::Sub"])  # the Globals' namespace, as the body spells it
    ours = [(name, dims) for ns, name, dims in metric_rows(body) if ns == namespace]
    # every metric of ours on the dashboard is one the code writes, with exactly its dimensions
    for name, dims in ours:
        assert name in metrics.UNITS, name
        assert set(dims) == {*metrics.DIMENSIONS[name], "service"}, (name, dims)
        for key, value in dims.items():
            assert value in DIMENSION_VALUES[key], (name, key, value)
    # and every metric the code writes is on it, every kind and channel of the nudge counts
    assert {name for name, _ in ours} == set(metrics.UNITS)
    shown = {(name, dims.get("kind"), dims.get("channel")) for name, dims in ours}
    for kind in metrics.KINDS:
        assert {(metrics.NUDGES_PLANNED, kind, None), (metrics.NUDGES_CANCELLED, kind, None)} <= shown
        for channel in metrics.CHANNELS:
            assert {(metrics.NUDGES_SENT, kind, channel), (metrics.NUDGES_SKIPPED, kind, channel)} <= shown
        assert (metrics.NUDGES_SKIPPED, kind, metrics.NO_CHANNEL) in shown
    providers = {d["provider"] for n, d in ours if n == metrics.WEBHOOK_VERIFICATIONS_FAILED}
    assert providers == {*metrics.PROVIDERS, metrics.OTHER}
    down = {d["dependency"] for n, d in ours if n == metrics.DEPENDENCY_FAILURES}
    assert down == {*metrics.DEPENDENCIES, metrics.OTHER}


def test_dependency_failures_alarm_on_the_total_the_code_writes():
    (alarm,) = [a for a in ALARMS.values() if a.get("MetricName") == metrics.DEPENDENCY_FAILURES]
    assert alarm["Namespace"] == NAMESPACE
    assert metrics.DEPENDENCY_FAILURES in metrics.TOTALLED
    assert dimensions(alarm) == {"service": SERVICE}


def test_the_dashboard_shows_errors_dead_letters_and_ses_reputation():
    body, _ = dashboard()
    rows = metric_rows(body)
    errors = {dims["FunctionName"] for ns, name, dims in rows if (ns, name) == ("AWS/Lambda", "Errors")}
    assert errors == {f"<{f}>" for f in FUNCTIONS if f != "IcsEmailFunction"} | {"<IcsEmailFunctionName>"}
    depths = {dims["QueueName"] for ns, name, dims in rows if name == "ApproximateNumberOfMessagesVisible"}
    assert depths == {
        "<NudgeDeadLetterQueue.QueueName>",
        "<CalendarSyncDeadLetterQueue.QueueName>",
        "<InviteWorkDeadLetterQueue.QueueName>",
    }
    assert {("AWS/SES", "Reputation.BounceRate"), ("AWS/SES", "Reputation.ComplaintRate")} <= {
        (ns, name) for ns, name, _ in rows
    }
