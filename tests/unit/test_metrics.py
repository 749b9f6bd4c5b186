"""The metrics the layer writes: EMF lines on stdout, one per set of dimension values, with
dimension values only from fixed lists."""

from __future__ import annotations

import json

import pytest

from nudges import metrics


@pytest.fixture(autouse=True)
def _emf_env(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "InterviewNudges/test")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "interview-nudges")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    metrics.flush.__globals__["_local"].pending = None  # nothing left over from another test
    yield


def emf_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]
    return lines


def test_one_line_per_dimension_set_with_counts_summed(capsys):
    # Given an invocation that sent two emails and one SMS and skipped a connect nudge
    @metrics.flushing
    def handler(event, context):
        metrics.nudge_sent("thank_you", "email")
        metrics.nudge_sent("thank_you", "email")
        metrics.nudge_sent("thank_you", "sms")
        metrics.nudge_skipped("connect")
        metrics.send_lateness(12.5)
        metrics.send_lateness(0.0)

    # When it returns
    handler({}, None)

    # Then each set of dimension values is one EMF line in the stack's namespace
    lines = emf_lines(capsys.readouterr().out)
    by_dims = {(line.get("kind"), line.get("channel")): line for line in lines}
    assert set(by_dims) == {("thank_you", "email"), ("thank_you", "sms"), ("connect", "none"), (None, None)}
    email = by_dims["thank_you", "email"]
    assert email["NudgesSent"] == [2] and email["service"] == "interview-nudges"
    (directive,) = email["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "InterviewNudges/test"
    assert sorted(directive["Dimensions"][0]) == ["channel", "kind", "service"]
    assert directive["Metrics"] == [{"Name": "NudgesSent", "Unit": "Count"}]
    assert by_dims["thank_you", "sms"]["NudgesSent"] == [1]
    assert by_dims["connect", "none"]["NudgesSkipped"] == [1]
    assert by_dims[None, None]["NudgeLatenessSeconds"] == [12.5, 0.0]
    assert metrics.pending() == {}


def test_metrics_are_written_when_the_handler_raises(capsys):
    @metrics.flushing
    def handler(event, context):
        metrics.nudge_sent("research_prompt", "sms")
        raise RuntimeError("SES down")

    with pytest.raises(RuntimeError):
        handler({}, None)
    (line,) = emf_lines(capsys.readouterr().out)
    assert line["NudgesSent"] == [1] and line["channel"] == "sms"


def test_nothing_recorded_writes_nothing(capsys):
    metrics.flushing(lambda event, context: None)({}, None)
    captured = capsys.readouterr()
    assert captured.out == "" and "No application metrics" not in captured.err


def test_webhook_provider_comes_from_the_route_never_from_the_token_or_caller(capsys):
    metrics.webhook_verification_failed("/webhooks/ics/abcdefghijklmnop1234")
    metrics.webhook_verification_failed("/webhooks/calcom")
    metrics.webhook_verification_failed("/prod/webhooks/lever")  # a named stage before the path
    metrics.webhook_verification_failed("/webhooks/ada@example.org")  # not a route: "other"
    metrics.webhook_verification_failed("/candidates/c_1")  # not a webhook: nothing
    metrics.flush()
    out = capsys.readouterr().out
    providers = {line["provider"]: line["WebhookVerificationsFailed"] for line in emf_lines(out)}
    assert providers == {"ics": [1], "calcom": [1], "lever": [1], "other": [1]}
    assert "abcdefghijklmnop1234" not in out and "@" not in out
    # each line also counts towards the total over every provider, which the alarm watches
    for line in emf_lines(out):
        assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["provider", "service"], ["service"]]


def test_dimension_values_outside_the_fixed_lists_become_other(capsys):
    metrics.nudge_sent("+447700900123", "ada@example.org")
    metrics.flush()
    out = capsys.readouterr().out
    (line,) = emf_lines(out)
    assert (line["kind"], line["channel"]) == ("other", "other")
    assert "447700900123" not in out and "example.org" not in out


def test_withdrawn_nudges_count_as_cancelled_or_skipped_by_the_status_they_got(capsys):
    metrics.nudge_withdrawn("thank_you", "cancelled")
    metrics.nudge_withdrawn("research_prompt", "skipped")
    metrics.flush()
    lines = emf_lines(capsys.readouterr().out)
    assert {(line["kind"], next(k for k in line if k.startswith("Nudges"))) for line in lines} == {
        ("thank_you", "NudgesCancelled"),
        ("research_prompt", "NudgesSkipped"),
    }


def test_a_metric_that_cannot_be_written_does_not_fail_the_request(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE")  # Powertools refuses a line without one
    metrics.flushing(lambda event, context: metrics.nudge_planned("connect"))({}, None)
    assert emf_lines(capsys.readouterr().out) == []
    assert metrics.pending() == {}


def test_disabled_metrics_write_nothing(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics.nudge_planned("connect")
    metrics.flush()
    assert emf_lines(capsys.readouterr().out) == []


def test_every_metric_has_its_unit_and_dimensions():
    assert set(metrics.UNITS) == set(metrics.DIMENSIONS)
