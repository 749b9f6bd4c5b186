"""No first-deploy traps: each one an operator met or read about, each failing early, in one
line that says what to do (issue 17). Nothing here reaches AWS: a moto server stands in where a
look-up is wanted, and a closed port where none may happen."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local_stack.template import load_template
from scripts import deploy

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAMCONFIG = ROOT / "samconfig.toml"
NOWHERE = "http://127.0.0.1:9"  # a closed port: any AWS call would fail loudly


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


def _bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No credentials and no region anywhere (no profile files either)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        **extra,
    )
    for key in (*deploy.MAKE_VARIABLES, "PARAMS", "STACK", "REGION", "CONFIG_ENV"):
        env.pop(key, None)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------- the sender's SES identity
def test_the_sender_identity_is_created_only_when_it_does_not_exist_yet():
    template = load_template(TEMPLATE)
    parameter = template["Parameters"]["SenderIdentityExists"]
    assert parameter["Default"] == "no" and parameter["AllowedValues"] == ["no", "yes"]
    assert template["Conditions"]["CreateSenderIdentity"] == {"Fn::Equals": [{"Ref": "SenderIdentityExists"}, "no"]}
    assert template["Resources"]["SenderIdentity"]["Condition"] == "CreateSenderIdentity"
    # Nothing may name the identity resource, or a stack without it fails to build.
    text = TEMPLATE.read_text()
    assert not re.search(r"!Ref SenderIdentity\b|\$\{SenderIdentity\}|!GetAtt SenderIdentity\.", text)


def test_a_first_deploy_over_an_existing_identity_stops_and_names_the_variable(aws):
    boto3.client("sesv2").create_email_identity(EmailIdentity="acme-careers.example")  # the domain, verified before
    with pytest.raises(deploy.DeployError) as error:
        deploy.plan(TEMPLATE, SAMCONFIG, {"SENDER_EMAIL": "nudges@acme-careers.example"})
    message = str(error.value)
    assert "acme-careers.example is already an SES identity in eu-west-2" in message
    assert message.endswith("make deploy SENDER_IDENTITY_EXISTS=yes to send through it")
    kept = deploy.plan(
        TEMPLATE, SAMCONFIG, {"SENDER_EMAIL": "nudges@acme-careers.example", "SENDER_IDENTITY_EXISTS": "yes"}
    )
    assert kept.overrides["SenderIdentityExists"] == "yes"
    # An address nobody verified yet goes ahead: the stack creates its identity.
    assert deploy.plan(TEMPLATE, SAMCONFIG, {"SENDER_EMAIL": "nudges@fresh.example"}).overrides == {
        "SenderEmail": "nudges@fresh.example"
    }


# ---------------------------------------------------------------- SES email receiving
def test_an_inbox_domain_in_a_region_without_ses_receiving_is_refused_naming_the_regions(aws):
    env = {"SENDER_EMAIL": "nudges@acme.example", "INBOX_DOMAIN": "inbox.acme.example", "REGION": "eu-south-1"}
    with pytest.raises(deploy.DeployError) as error:
        deploy.plan(TEMPLATE, SAMCONFIG, env)
    message = str(error.value)
    assert "SES receives email only in us-east-1, us-east-2, us-west-2" in message and "not eu-south-1" in message
    assert "leave INBOX_DOMAIN empty" in message
    assert deploy.plan(TEMPLATE, SAMCONFIG, {**env, "REGION": "eu-west-1"}).region == "eu-west-1"
    assert deploy.plan(TEMPLATE, SAMCONFIG, {**env, "INBOX_DOMAIN": ""}).region == "eu-south-1"


# ---------------------------------------------------------------- --dry-run, offline
def test_dry_run_works_offline_without_credentials_and_prints_the_exact_command(tmp_path):
    env = _bare_env(tmp_path, AWS_ENDPOINT_URL=NOWHERE, AWS_REGION="eu-west-2", AWS_DEFAULT_REGION="eu-west-2")
    env["SENDER_EMAIL"] = "nudges@acme.example"
    env["OPERATOR_NAME"] = "Acme Careers"
    run = _run([sys.executable, "scripts/deploy.py", "--sam", ".venv-sam/bin/sam", "--dry-run"], env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == (
        ".venv-sam/bin/sam deploy --config-env default --stack-name interview-nudges --region eu-west-2 "
        "--parameter-overrides SenderEmail=nudges@acme.example 'OperatorName=\"Acme Careers\"'"
    )
    # Without the sender it still prints the command, and says what a first deploy would need.
    del env["SENDER_EMAIL"]
    run = _run([sys.executable, "scripts/deploy.py", "--dry-run"], env)
    assert run.returncode == 0 and run.stdout.startswith("sam deploy ")
    assert "SenderEmail not given" in run.stderr and "SENDER_EMAIL=..." in run.stderr


# ---------------------------------------------------------------- no credentials, no region
def test_deploy_check_without_credentials_fails_in_one_line(tmp_path):
    env = _bare_env(tmp_path, AWS_DEFAULT_REGION="eu-west-2", SENDER_EMAIL="nudges@acme.example")
    run = _run([sys.executable, "scripts/deploy.py", "--check"], env)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "make deploy: no AWS credentials: run `aws configure` (or `aws sso login`), or set AWS_PROFILE"
    ]


def test_deploy_without_a_region_fails_in_one_line(tmp_path):
    run = _run([sys.executable, "scripts/deploy.py", "--check"], _bare_env(tmp_path, SENDER_EMAIL="n@acme.example"))
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.startswith("make deploy: no AWS region: say REGION=")
    # --dry-run asks AWS nothing, so it needs no region: the command leaves --region out
    dry = _run([sys.executable, "scripts/deploy.py", "--dry-run"], _bare_env(tmp_path, SENDER_EMAIL="n@acme.example"))
    assert dry.returncode == 0 and "--region" not in dry.stdout


def test_redrive_without_credentials_or_region_fails_in_one_line(tmp_path):
    no_region = _run([sys.executable, "scripts/redrive.py", "--stack", "nudges"], _bare_env(tmp_path))
    assert no_region.returncode == 2
    assert no_region.stderr.strip().splitlines() == [
        "make redrive: no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or add region to your profile"
    ]
    no_credentials = _run(
        [sys.executable, "scripts/redrive.py", "--stack", "nudges"], _bare_env(tmp_path, AWS_DEFAULT_REGION="eu-west-2")
    )
    assert no_credentials.returncode == 2
    assert no_credentials.stderr.strip().splitlines() == [
        "make redrive: no AWS credentials: run `aws configure` (or `aws sso login`), or set AWS_PROFILE"
    ]


def test_redrive_of_a_stack_that_does_not_exist_says_so(aws, tmp_path):
    run = _run([sys.executable, "scripts/redrive.py", "--stack", "no-such-stack"], {**os.environ, **aws})
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "no stack no-such-stack in eu-west-2" in run.stderr


def test_make_redrive_does_not_borrow_the_makefiles_local_region():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nredrive:", 1)[1].split("\n\n", 1)[0]
    assert "$(REGION_ENV)" in recipe
    assert "REGION_ENV := $(if $(filter file,$(origin AWS_DEFAULT_REGION)),env -u AWS_DEFAULT_REGION)" in makefile


# ---------------------------------------------------------------- sam on the path
def test_make_deploy_and_the_readme_name_the_sam_cli_the_makefile_installs():
    makefile = (ROOT / "Makefile").read_text()
    assert "SAM := $(SAM_VENV)/bin/sam" in makefile and "SAM_VENV := .venv-sam" in makefile
    deploy_recipe = makefile.split("\ndeploy:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/deploy.py --sam $(SAM)" in deploy_recipe
    readme = (ROOT / "README.md").read_text()
    assert "sam build && sam deploy --guided" in readme  # the contract's line stays
    assert ".venv-sam/bin/sam build" in readme and 'PATH="$PWD/.venv-sam/bin:$PATH"' in readme
