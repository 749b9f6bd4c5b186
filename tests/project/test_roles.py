"""Each function's role as SAM builds it (local_stack/roles.py): managed policies it lists, inline
statements, SAM policy templates expanded with SAM's own policy_templates.json, intrinsics
resolved, every statement labelled with where it was written."""

from __future__ import annotations

import textwrap

import pytest

from local_stack.iam_policy import evaluate
from local_stack.roles import REPO, role_of
from local_stack.template import Template, TemplateError

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Queue:
    Type: AWS::SQS::Queue
  ReadPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: !GetAtt Table.Arn
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Policies:
        - !Ref ReadPolicy
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt Queue.Arn
        - SQSPollerPolicy:
            QueueName: app-Queue
        - arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess
"""


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    return Template(path, stack_name="app")


def _sam_available() -> bool:
    try:
        import samtranslator  # noqa: F401

        return True
    except ImportError:
        return any((REPO / ".venv-sam").glob("lib/python*/site-packages/samtranslator/policy_templates_data"))


@pytest.mark.skipif(
    not _sam_available(), reason="SAM's policy templates come with .venv-sam (make .venv-sam/.installed)"
)
def test_managed_inline_and_sam_templates_resolved_and_labelled(template):
    role = role_of(template, "Fn", "app-fn")
    assert role.arn == "arn:aws:iam::123456789012:role/app-FnRole"
    assert role.session_arn == "arn:aws:sts::123456789012:assumed-role/app-FnRole/app-fn"
    sources = [s.source for s in role.statements]
    assert sources[:2] == ["ReadPolicy#0", "inline#0"] and sources[2].startswith("SAM SQSPollerPolicy#")
    table = "arn:aws:dynamodb:us-east-1:123456789012:app-Table"
    queue = "arn:aws:sqs:us-east-1:123456789012:app-Queue"
    assert evaluate(role.statements, "dynamodb:GetItem", table).allowed
    assert not evaluate(role.statements, "dynamodb:PutItem", table).allowed
    assert evaluate(role.statements, "sqs:SendMessage", queue).allowed
    # SQSPollerPolicy, as SAM expands it, grants receiving from that queue (by its name) only.
    assert evaluate(role.statements, "sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:app-Queue").allowed
    assert not evaluate(role.statements, "sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:other").allowed
    # An AWS managed policy's text is not in the template: it grants nothing here, and says so.
    assert role.not_evaluated == ['"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"']


def test_a_policy_that_is_no_managed_policy_is_refused(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE).replace("- !Ref ReadPolicy", "- !Ref Queue"))
    with pytest.raises(TemplateError, match="no managed policy"):
        role_of(Template(path, stack_name="app"), "Fn", "app-fn")
