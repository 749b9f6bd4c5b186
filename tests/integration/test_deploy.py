"""`make deploy` asks only for what has no safe default, and fails clearly before building.

The stack look-up runs against a moto server (CloudFormation's DescribeStacks over HTTP), as it
would against AWS; nothing here reaches AWS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local_stack.template import load_template
from scripts import deploy

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAMCONFIG = ROOT / "samconfig.toml"
PARAMETERS = load_template(TEMPLATE)["Parameters"]


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(endpoint, monkeypatch):
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_REGION", *deploy.MAKE_VARIABLES, "PARAMS", "STACK", "REGION", "CONFIG_ENV"):
        monkeypatch.delenv(key, raising=False)
    return env


def _plan(**env: str) -> deploy.Plan:
    return deploy.plan(TEMPLATE, SAMCONFIG, env)


def test_samconfig_deploys_the_stack_with_iam_capability_a_managed_bucket_and_a_confirmed_change_set():
    config = tomllib.loads(SAMCONFIG.read_text())
    assert config["version"] == 0.1
    params = config["default"]["deploy"]["parameters"]
    assert params["stack_name"] == config["default"]["global"]["parameters"]["stack_name"] == "interview-nudges"
    assert params["resolve_s3"] is True
    assert params["capabilities"] == "CAPABILITY_IAM"
    assert params["confirm_changeset"] is True
    assert "region" not in params  # from the environment or the profile
    # The template needs no more than CAPABILITY_IAM: no named IAM resources, no nested applications.
    resources = load_template(TEMPLATE)["Resources"].values()
    assert not [r for r in resources if r["Type"] == "AWS::IAM::Role" and "RoleName" in r.get("Properties", {})]
    assert not [r for r in resources if r["Type"] in ("AWS::Serverless::Application", "AWS::CloudFormation::Stack")]


def test_every_parameter_without_a_default_is_in_samconfig_or_asked_for_by_make_deploy():
    config = tomllib.loads(SAMCONFIG.read_text())
    in_samconfig = deploy.parse_overrides(config["default"]["deploy"]["parameters"].get("parameter_overrides"))
    asked = set(deploy.MAKE_VARIABLES.values())
    without_default = {name for name, spec in PARAMETERS.items() if "Default" not in spec}
    assert without_default == {"SenderEmail"}  # the one thing no default can stand for
    assert without_default <= set(in_samconfig) | asked
    assert asked <= set(PARAMETERS)  # every make variable names a real parameter
    assert set(in_samconfig) <= set(PARAMETERS)


def test_a_first_deploy_without_a_sender_names_the_make_variable_to_set(aws):
    with pytest.raises(deploy.DeployError) as error:
        _plan()
    message = str(error.value)
    assert "SenderEmail has no default" in message and "stack interview-nudges in eu-west-2" in message
    assert message.endswith("make deploy SENDER_EMAIL=...")


def test_a_first_deploy_passes_what_was_given_and_the_region_and_stack_it_resolved(aws):
    plan = _plan(SENDER_EMAIL="nudges@acme.example", ALARM_EMAIL="ops@acme.example", STACK="nudges-prod")
    assert plan.overrides == {"SenderEmail": "nudges@acme.example", "AlarmEmail": "ops@acme.example"}
    assert plan.command("sam", ["--no-confirm-changeset"]) == [
        *("sam", "deploy", "--config-env", "default", "--stack-name", "nudges-prod", "--region", "eu-west-2"),
        *("--parameter-overrides", "SenderEmail=nudges@acme.example", "AlarmEmail=ops@acme.example"),
        "--no-confirm-changeset",
    ]
    assert plan.notes == []
    assert _plan(SENDER_EMAIL="nudges@acme.example", REGION="us-west-2").region == "us-west-2"
    assert _plan(SENDER_EMAIL="nudges@acme.example").notes == [
        "no ALARM_EMAIL: alarms go only to the AlarmTopic (output AlarmTopicArn); subscribe someone to it"
    ]


def test_a_later_deploy_keeps_the_deployed_sender_when_none_is_given(aws):
    cfn = boto3.client("cloudformation")
    cfn.create_stack(
        StackName="nudges-existing",
        TemplateBody='{"Parameters": {"SenderEmail": {"Type": "String"}}, "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}',
        Parameters=[{"ParameterKey": "SenderEmail", "ParameterValue": "nudges@acme.example"}],
    )
    plan = _plan(STACK="nudges-existing")
    assert plan.kept == ["SenderEmail"] and plan.overrides == {}
    assert "--parameter-overrides" not in plan.command("sam", [])  # SAM sends UsePreviousValue


def test_values_are_checked_against_the_template_before_anything_is_built(aws):
    with pytest.raises(deploy.DeployError, match="an email address"):
        _plan(SENDER_EMAIL="nudges-at-acme")
    with pytest.raises(deploy.DeployError, match="must be one of DEBUG, INFO, WARNING, ERROR"):
        _plan(SENDER_EMAIL="nudges@acme.example", PARAMS="LogLevel=LOUD")
    with pytest.raises(deploy.DeployError, match="must be at least 1"):
        _plan(SENDER_EMAIL="nudges@acme.example", PARAMS="DataRetentionDays=0")
    with pytest.raises(deploy.DeployError, match="no parameter SenderAddress"):
        _plan(PARAMS="SenderAddress=nudges@acme.example")
    plan = _plan(SENDER_EMAIL="n@acme.example", PARAMS='LeverOfferStage="Offer extended" InboxDomain=""')
    assert plan.overrides["LeverOfferStage"] == "Offer extended"
    assert plan.command("sam", [])[-2:] == ['LeverOfferStage="Offer extended"', 'InboxDomain=""']


def test_no_region_anywhere_is_an_error_that_says_where_to_put_one(aws, monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(deploy.DeployError, match="no AWS region: say REGION="):
        _plan(SENDER_EMAIL="nudges@acme.example")


def test_the_region_is_read_as_the_aws_tools_read_it(aws, monkeypatch, tmp_path):
    # AWS_REGION first (as the AWS CLI v2 and the SDKs read it), then AWS_DEFAULT_REGION, then the profile
    both = {"AWS_REGION": "eu-west-2", "AWS_DEFAULT_REGION": "us-east-1"}
    assert _plan(SENDER_EMAIL="nudges@acme.example", **both).region == "eu-west-2"
    assert _plan(SENDER_EMAIL="nudges@acme.example", AWS_DEFAULT_REGION="us-east-1").region == "us-east-1"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    profile = tmp_path / "config"
    profile.write_text("[profile ops]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(profile))
    monkeypatch.setenv("AWS_PROFILE", "ops")
    assert deploy.aws_region(dict(os.environ)) == "ap-southeast-2"


def test_every_problem_is_reported_in_one_run(aws, monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(deploy.DeployError) as caught:
        _plan(SENDER_EMAIL="nudges-at-acme", PARAMS="LogLevel=LOUD")
    problems = caught.value.problems
    assert len(problems) == 3, problems
    assert "an email address" in problems[0] and "must be one of" in problems[1]
    assert problems[2].startswith("no AWS region")


def test_dry_run_works_offline_without_a_region(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "SENDER_EMAIL": "nudges@acme.example",
    }
    dry = subprocess.run(
        [sys.executable, "scripts/deploy.py", "--sam", "sam", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    assert "--region" not in dry.stdout and "no AWS region set" in dry.stderr
    with_region = subprocess.run(
        [sys.executable, "scripts/deploy.py", "--sam", "sam", "--dry-run"],
        cwd=ROOT,
        env={**env, "AWS_REGION": "eu-west-2"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--region eu-west-2" in with_region.stdout, with_region.stderr


def test_make_deploy_stops_before_the_build_when_the_sender_is_missing(aws):
    # Given make, the project's Makefile and no SENDER_EMAIL
    env = {**os.environ, **aws, "PATH": os.environ["PATH"]}
    run = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "deploy", f"PY={sys.executable}", "SAM=false"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then it fails at the check, with the message, and never reaches sam build
    assert run.returncode != 0
    assert "make deploy: SenderEmail has no default" in run.stderr
    assert "sam build" not in run.stdout + run.stderr
    # And with the sender given, the check passes and the plan is the one printed by --dry-run
    dry = subprocess.run(
        [sys.executable, "scripts/deploy.py", "--sam", "sam", "--dry-run"],
        cwd=ROOT,
        env={**env, "SENDER_EMAIL": "nudges@acme.example"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == (
        "sam deploy --config-env default --stack-name interview-nudges --region eu-west-2 "
        "--parameter-overrides SenderEmail=nudges@acme.example"
    )


SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"


@pytest.mark.skipif(not SAM_PYTHON.exists(), reason="the SAM CLI venv (make test creates it) is not here")
def test_sam_reads_the_parameter_overrides_back_as_they_were_given(aws):
    # Given values with spaces, quotes, backslashes and nothing at all
    given = {
        "SenderEmail": "nudges@acme.example",
        "LeverOfferStage": 'Offer "extended"',
        "InterviewPattern": r"\b(interview|screen)\b",
        "InboxDomain": "",
    }
    params = " ".join(f"{k}={deploy._quote(v)}" for k, v in given.items() if k != "SenderEmail")
    plan = _plan(SENDER_EMAIL=given["SenderEmail"], PARAMS=params)
    assert plan.overrides == given
    tokens = plan.command("sam", [])[plan.command("sam", []).index("--parameter-overrides") + 1 :]
    # When SAM's own option type parses the tokens make deploy passes
    code = (
        "import json, sys; from samcli.cli.types import CfnParameterOverridesType as T; "
        "print(json.dumps(T().convert(tuple(sys.argv[1:]), None, None)))"
    )
    run = subprocess.run([str(SAM_PYTHON), "-c", code, *tokens], capture_output=True, text=True, timeout=60)
    # Then SAM sees exactly the values given
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == given


def test_make_deploy_names_the_oauth_redirect_uris_to_register(aws):
    given = _plan(SENDER_EMAIL="nudges@acme.example", PUBLIC_BASE_URL="https://nudges.acme.example")
    assert deploy.redirect_uris(given) == (
        "https://nudges.acme.example/oauth/google/callback https://nudges.acme.example/oauth/microsoft/callback"
    )
    first = _plan(SENDER_EMAIL="nudges@acme.example", STACK="never-deployed")
    assert "OAuthRedirectUris" in deploy.redirect_uris(first)
    outputs = load_template(TEMPLATE)["Outputs"]["OAuthRedirectUris"]["Value"]["Fn::Sub"][0]
    assert outputs == "${Base}/oauth/google/callback ${Base}/oauth/microsoft/callback"
