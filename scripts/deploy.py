"""`make deploy`: `sam deploy` with samconfig.toml, asking only for what has no safe default.

The template's Parameters are read from template.yaml itself. Values come, later winning, from
the chosen samconfig.toml environment's ``parameter_overrides``, then the make variables below,
then ``PARAMS="Key=Value ..."``. A parameter without a Default that none of these gives is taken
from the deployed stack when there is one (SAM sends ``UsePreviousValue``); on a first deploy
it is an error that names the make variable to set, before anything is built or uploaded.
Values are checked against the template's AllowedPattern / AllowedValues / MinValue first.

    make deploy SENDER_EMAIL=nudges@yourdomain.com [ALARM_EMAIL=ops@yourdomain.com]
                [INBOX_DOMAIN=inbox.yourdomain.com] [PUBLIC_BASE_URL=https://...]
                [SENDER_IDENTITY_EXISTS=yes] [SENDER_NAME="Acme Careers"] [OPERATOR_NAME="Acme Careers"]
                [SUPPORT_EMAIL=help@yourdomain.com]
                [PARAMS='LeverOfferStage="Offer extended" DataRetentionDays=90']
                [STACK=interview-nudges] [REGION=eu-west-2] [CONFIG_ENV=default]
                [DEPLOY_ARGS=--no-confirm-changeset]

``--check`` only checks (make runs it before ``sam build``); ``--dry-run`` prints the exact
``sam deploy`` command and asks AWS nothing (it works offline, without credentials). A first
deploy stops early when SenderEmail (or its domain) is already an SES identity in the region
(``SENDER_IDENTITY_EXISTS=yes`` uses it), or when InboxDomain is set in a region where SES does
not receive email.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from local_stack.template import load_template  # noqa: E402
from scripts.aws_env import aws_region  # noqa: E402

# Make variable -> template Parameter: what an operator is most likely to set.
MAKE_VARIABLES = {
    "SENDER_EMAIL": "SenderEmail",
    "ALARM_EMAIL": "AlarmEmail",
    "INBOX_DOMAIN": "InboxDomain",
    "PUBLIC_BASE_URL": "PublicBaseUrl",
    "SENDER_IDENTITY_EXISTS": "SenderIdentityExists",
    "SENDER_NAME": "SenderName",
    "OPERATOR_NAME": "OperatorName",
    "SUPPORT_EMAIL": "SupportEmail",
}
# The regions where SES receives email (the .ics inbox by email, InboxDomain): us-east-1, us-west-2
# and eu-west-1, then seven more from September 2023 (AWS What's New, "Amazon SES email receiving
# in 7 new regions"). When AWS adds one, SES_RECEIVING_REGIONS="a b ..." overrides this list.
SES_RECEIVING_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
)
# What to tell someone who did not give a parameter that has no default.
WHY = {
    "SenderEmail": "the address nudges are sent from; SES mails you a link to verify it after the deploy",
}


NO_CREDENTIALS = "no AWS credentials: run `aws configure` (or `aws sso login`), or set AWS_PROFILE"


class DeployError(Exception):
    """Something (or several things) the operator must fix before deploying; each says what."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Plan:
    stack_name: str
    region: str
    config_env: str
    overrides: dict[str, str]
    kept: list[str] = field(default_factory=list)  # no default, not given: the deployed value stays
    notes: list[str] = field(default_factory=list)

    def command(self, sam: str, extra: list[str]) -> list[str]:
        cmd = [sam, "deploy", "--config-env", self.config_env, "--stack-name", self.stack_name]
        if self.region:
            cmd += ["--region", self.region]
        if self.overrides:
            cmd += ["--parameter-overrides", *(f"{k}={_quote(v)}" for k, v in self.overrides.items())]
        return cmd + extra


def _quote(value: str) -> str:
    """SAM's Key=Value form: double quotes around anything but a plain word, inner quotes escaped
    (SAM unescapes quotes but keeps backslashes as they are)."""
    if value and re.fullmatch(r"[A-Za-z0-9@._:/+-]+", value):
        return value
    return '"' + value.replace('"', '\\"') + '"'


def parse_overrides(text: str | list[str] | None) -> dict[str, str]:
    """``Key=Value Key2="a value"`` (SAM's shorthand) -> dict; ParameterKey=..,ParameterValue=.. too."""
    if not text:
        return {}
    parts = text if isinstance(text, list) else shlex.split(text)
    found: dict[str, str] = {}
    for part in parts:
        long_form = re.fullmatch(r"ParameterKey=([A-Za-z0-9]+),ParameterValue=(.*)", part, re.S)
        key, sep, value = (long_form.group(1), "=", long_form.group(2)) if long_form else part.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9]+", key):
            raise DeployError(f"parameter override {part!r}: expected Key=Value")
        found[key] = value
    return found


def samconfig(path: Path, config_env: str) -> dict[str, Any]:
    config = tomllib.loads(path.read_text())
    env = config.get(config_env)
    if env is None:
        raise DeployError(f"{path.name} has no [{config_env}] environment (CONFIG_ENV={config_env})")
    return {**env.get("global", {}).get("parameters", {}), **env.get("deploy", {}).get("parameters", {})}


def _check_value(name: str, spec: dict[str, Any], value: str) -> None:
    if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
        raise DeployError(f"{name}={value!r}: must be one of {', '.join(map(str, spec['AllowedValues']))}")
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
        why = spec.get("ConstraintDescription") or f"must match {spec['AllowedPattern']}"
        raise DeployError(f"{name}={value!r}: {why}")
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            raise DeployError(f"{name}={value!r}: must be a number") from None
        if "MinValue" in spec and number < float(spec["MinValue"]):
            raise DeployError(f"{name}={value!r}: must be at least {spec['MinValue']}")


def _variable_for(name: str) -> str:
    for variable, parameter in MAKE_VARIABLES.items():
        if parameter == name:
            return f"{variable}=..."
    return f'PARAMS="{name}=..."'


def deployed_parameters(stack_name: str, region: str) -> set[str] | None:
    """The parameter names of the deployed stack, or None when there is no such stack."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    try:
        stacks = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)["Stacks"]
    except (NoCredentialsError, PartialCredentialsError):
        raise DeployError(NO_CREDENTIALS) from None
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise DeployError(f"cannot read stack {stack_name} in {region}: {exc}") from None
    except BotoCoreError as exc:  # no network, a proxy, an endpoint that does not answer
        raise DeployError(f"cannot reach CloudFormation in {region}: {exc}") from None
    if not stacks or stacks[0]["StackStatus"] == "REVIEW_IN_PROGRESS":
        return None  # a change set was made but never executed: still a first deploy
    return {p["ParameterKey"] for p in stacks[0].get("Parameters", [])}


def receiving_regions(env: dict[str, str]) -> tuple[str, ...]:
    return tuple(env["SES_RECEIVING_REGIONS"].split()) if env.get("SES_RECEIVING_REGIONS") else SES_RECEIVING_REGIONS


def existing_identity(address: str, region: str) -> str | None:
    """The SES identity (the address, or its domain) that already exists in the region, if any:
    creating SenderIdentity again would fail the first deploy with AlreadyExists."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    ses = boto3.client("sesv2", region_name=region)
    for identity in (address, address.rpartition("@")[2]):
        try:
            ses.get_email_identity(EmailIdentity=identity)
            return identity
        except (NoCredentialsError, PartialCredentialsError):
            raise DeployError(NO_CREDENTIALS) from None
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NotFoundException", "NotFound"):
                continue
            if code.startswith("AccessDenied"):
                return None  # not allowed to look: the deploy itself will say if the identity exists
            raise DeployError(f"cannot read SES identities in {region}: {exc}") from None
        except BotoCoreError as exc:
            raise DeployError(f"cannot reach SES in {region}: {exc}") from None
    return None


NO_REGION = "no AWS region: say REGION=eu-west-2 (for example), set AWS_REGION, or add region to your profile"


def resolve_region(given: str | None, env: dict[str, str] | None = None) -> str:
    """REGION, else the region as the AWS tools read it (AWS_REGION, AWS_DEFAULT_REGION, profile)."""
    region = given or aws_region(env)
    if not region:
        raise DeployError(NO_REGION)
    return region


def plan(
    template_path: Path,
    samconfig_path: Path,
    env: dict[str, str],
    stack_lookup: Any = deployed_parameters,
    identity_lookup: Any = existing_identity,
    *,
    offline: bool = False,
) -> Plan:
    """What to deploy, checked; ``offline`` (``--dry-run``) asks AWS nothing: no stack or SES
    look-up, so what a first deploy would still need is a note, not an error."""
    parameters: dict[str, dict[str, Any]] = load_template(template_path).get("Parameters") or {}
    config_env = env.get("CONFIG_ENV") or "default"
    config = samconfig(samconfig_path, config_env)
    stack_name = env.get("STACK") or config.get("stack_name")
    if not stack_name:
        raise DeployError(f"no stack name: say STACK=... or set stack_name in [{config_env}] of {samconfig_path.name}")
    overrides = parse_overrides(config.get("parameter_overrides"))
    for variable, parameter in MAKE_VARIABLES.items():
        if env.get(variable):
            overrides[parameter] = env[variable]
    overrides.update(parse_overrides(env.get("PARAMS")))
    unknown = sorted(set(overrides) - set(parameters))
    if unknown:
        raise DeployError(f"template.yaml has no parameter {', '.join(unknown)} (it has {', '.join(parameters)})")
    # Every problem found is reported at once (one run, one list), not the first alone.
    problems: list[str] = []
    for name, value in overrides.items():
        try:
            _check_value(name, parameters[name], value)
        except DeployError as exc:
            problems.append(str(exc))
    region = env.get("REGION") or aws_region(env) or ""
    if not region and not offline:
        problems.append(NO_REGION)
    if region and overrides.get("InboxDomain") and region not in receiving_regions(env):
        problems.append(
            f"InboxDomain={overrides['InboxDomain']}: SES receives email only in "
            f"{', '.join(receiving_regions(env))}, not {region}: deploy there (REGION=...) or leave INBOX_DOMAIN "
            "empty (invites still arrive over HTTP)"
        )
    result = Plan(stack_name, region, config_env, overrides)
    required = [name for name, spec in parameters.items() if "Default" not in spec and name not in overrides]
    if offline:
        if problems:
            raise DeployError(problems)
        if not region:
            result.notes.append("no AWS region set: the command leaves --region out (sam asks your profile)")
        for name in required:
            result.notes.append(
                f"{name} not given: kept from the deployed stack, or a first deploy needs {_variable_for(name)}"
            )
        return result
    if not region:
        raise DeployError(problems)
    deployed = None
    try:
        deployed = stack_lookup(stack_name, region)
    except DeployError as exc:
        problems.append(str(exc))
        raise DeployError(problems) from None
    sender = overrides.get("SenderEmail")
    if deployed is None and sender and overrides.get("SenderIdentityExists", "no") != "yes":
        try:
            found = identity_lookup(sender, region)
        except DeployError as exc:
            problems.append(str(exc))
            found = None
        if found:
            problems.append(
                f"{found} is already an SES identity in {region}, so creating it again would fail the deploy "
                "(AlreadyExists): make deploy SENDER_IDENTITY_EXISTS=yes to send through it"
            )
    for name in required:
        if deployed is not None and name in deployed:
            result.kept.append(name)
        else:
            why = f" ({WHY[name]})" if name in WHY else ""
            problems.append(
                f"{name} has no default and stack {stack_name} in {region} has no value for it yet{why}: "
                f"make deploy {_variable_for(name)}"
            )
    if problems:
        raise DeployError(problems)
    if deployed is None and "AlarmEmail" not in overrides:
        result.notes.append(
            "no ALARM_EMAIL: alarms go only to the AlarmTopic (output AlarmTopicArn); subscribe someone to it"
        )
    return result


OAUTH_PROVIDERS = ("google", "microsoft")


def redirect_uris(result: Plan) -> str:
    """The redirect URIs to register in the Google and Microsoft OAuth apps (docs/operations.md
    section 6): under PublicBaseUrl when one is given, else the deployed stack's own output."""
    base = result.overrides.get("PublicBaseUrl", "").rstrip("/")
    if base:
        return " ".join(f"{base}/oauth/{p}/callback" for p in OAUTH_PROVIDERS)
    try:
        import boto3

        stack = boto3.client("cloudformation", region_name=result.region).describe_stacks(StackName=result.stack_name)[
            "Stacks"
        ][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        if outputs.get("OAuthRedirectUris"):
            return outputs["OAuthRedirectUris"]
    except Exception:  # no stack yet, no access: say where to find them instead
        pass
    return "the stack output OAuthRedirectUris, once deployed (<ApiUrl>/oauth/google/callback, .../microsoft/callback)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sam", default="sam", help="the SAM CLI to run")
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--config", type=Path, default=ROOT / "samconfig.toml")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="check the parameters and AWS access, deploy nothing")
    mode.add_argument("--dry-run", action="store_true", help="print the sam deploy command instead of running it")
    args = parser.parse_args(argv)
    try:
        result = plan(args.template, args.config, dict(os.environ), offline=args.dry_run)
    except DeployError as exc:
        for problem in exc.problems:
            print(f"make deploy: {problem}", file=sys.stderr)
        return 2
    command = result.command(args.sam, shlex.split(os.environ.get("DEPLOY_ARGS", "")))
    for name in result.kept:
        print(f"{name}: keeping the value stack {result.stack_name} has", file=sys.stderr)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"OAuth redirect URIs to register (Google, Microsoft): {redirect_uris(result)}", file=sys.stderr)
    if args.check:
        print(f"deploying stack {result.stack_name} to {result.region}", file=sys.stderr)
        return 0
    if args.dry_run:
        print(shlex.join(command))
        return 0
    os.execvp(command[0], command)  # the operator's own SAM CLI, arguments built above
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
