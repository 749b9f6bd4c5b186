"""A function's environment as SAM deploys it: Globals merged key by key, the function's own winning."""

from __future__ import annotations

import textwrap

from local_stack.template import Template, function_environment

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Level:
    Type: String
    Default: INFO
Globals:
  Function:
    Environment:
      Variables:
        LOG_LEVEL: !Ref Level
        SHARED: from-globals
        ENABLED: true
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/plain/
  Own:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/own/
      Environment:
        Variables:
          SHARED: mine
          QUEUE_ARN: !GetAtt Queue.Arn
          NAME: !Sub "${AWS::StackName}-own"
"""


def template(tmp_path, **overrides) -> Template:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    return Template(path, stack_name="env-test", parameter_overrides=overrides)


def test_a_function_without_variables_of_its_own_gets_the_globals(tmp_path):
    assert function_environment(template(tmp_path), "Plain") == {
        "LOG_LEVEL": "INFO",
        "SHARED": "from-globals",
        "ENABLED": "true",
    }


def test_the_functions_own_variables_win_and_intrinsics_are_resolved(tmp_path):
    env = function_environment(template(tmp_path, Level="DEBUG"), "Own")
    assert env == {
        "LOG_LEVEL": "DEBUG",
        "SHARED": "mine",
        "ENABLED": "true",
        "QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:env-test-Queue",
        "NAME": "env-test-own",
    }


def test_the_real_template_gives_a_function_the_globals_and_its_own():
    from pathlib import Path

    from local_stack.stack import DEFAULT_PARAMETER_OVERRIDES, local_parameter_values

    path = Path(__file__).resolve().parents[2] / "template.yaml"
    real = Template(path, parameter_overrides=local_parameter_values(path, DEFAULT_PARAMETER_OVERRIDES))
    calendly = function_environment(real, "CalendlyWebhookFunction")
    assert calendly["POWERTOOLS_SERVICE_NAME"] == "interview-nudges"  # from Globals
    assert calendly["WEBHOOK_SECRETS_ARN"]  # its own (the secret, resolved without AWS here)
