"""IAM's evaluation of identity-based policies (local_stack/iam_policy.py), case by case as the IAM
User Guide's *policy evaluation logic* and *condition operators* pages describe it."""

from __future__ import annotations

import pytest

from local_stack.iam_policy import Statement, evaluate

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/app-Table"


def allowed(statements: list[dict], action: str, resource: str, context: dict | None = None) -> bool:
    parsed = [Statement.parse(s, f"test#{i}") for i, s in enumerate(statements)]
    return evaluate(parsed, action, resource, context).allowed


def test_nothing_granted_is_denied():
    assert not allowed([], "dynamodb:GetItem", TABLE)


def test_an_allow_covers_its_actions_case_insensitively_and_nothing_else():
    grant = [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": TABLE}]
    assert allowed(grant, "dynamodb:getitem", TABLE)
    assert allowed(grant, "DynamoDB:Query", TABLE)
    assert not allowed(grant, "dynamodb:PutItem", TABLE)
    assert not allowed(grant, "sqs:GetItem", TABLE)


def test_action_wildcards():
    grant = [{"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": "*"}]
    assert allowed(grant, "dynamodb:GetItem", TABLE)
    assert not allowed(grant, "dynamodb:BatchGetItem", TABLE)
    assert allowed([{"Effect": "Allow", "Action": "dynamodb:?etItem", "Resource": "*"}], "dynamodb:GetItem", TABLE)


def test_resources_match_exactly_case_sensitively_with_wildcards_across_colons():
    grant = [{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": f"{TABLE}/index/*"}]
    assert allowed(grant, "dynamodb:Query", f"{TABLE}/index/GSI1")
    assert not allowed(grant, "dynamodb:Query", TABLE)  # the table is not its index
    assert not allowed(grant, "dynamodb:Query", f"{TABLE.lower()}/index/GSI1")
    anywhere = [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:123456789012:app-*"}]
    assert allowed(anywhere, "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:app-Queue")
    assert not allowed(anywhere, "sqs:SendMessage", "arn:aws:sqs:eu-west-1:999999999999:app-Queue")


def test_an_explicit_deny_wins_over_any_allow():
    statements = [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
        {"Effect": "Deny", "Action": "sns:Publish", "Resource": "arn:aws:sns:*:*:*"},
    ]
    assert allowed(statements, "sns:Publish", "*")  # a text to a phone number: no topic ARN
    assert not allowed(statements, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:alarms")
    parsed = [Statement.parse(s, f"p#{i}") for i, s in enumerate(statements)]
    decision = evaluate(parsed, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:alarms")
    assert decision.explicit_deny and decision.match.statement.source == "p#1"


def test_not_action_and_not_resource():
    statements = [{"Effect": "Allow", "NotAction": "dynamodb:Scan", "Resource": TABLE}]
    assert allowed(statements, "dynamodb:Query", TABLE)
    assert not allowed(statements, "dynamodb:Scan", TABLE)
    statements = [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::bucket/private/*"}]
    assert allowed(statements, "s3:GetObject", "arn:aws:s3:::bucket/inbox/1")
    assert not allowed(statements, "s3:GetObject", "arn:aws:s3:::bucket/private/1")
    deny_rest = [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["dynamodb:GetItem"], "Resource": "*"},
    ]
    assert allowed(deny_rest, "dynamodb:GetItem", TABLE)
    assert not allowed(deny_rest, "dynamodb:PutItem", TABLE)


VIA_DYNAMODB = {"StringEquals": {"kms:ViaService": "dynamodb.us-east-1.amazonaws.com"}}
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234"


def test_a_condition_must_hold_and_a_missing_key_fails_it():
    grant = [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY, "Condition": VIA_DYNAMODB}]
    assert allowed(grant, "kms:Decrypt", KEY, {"kms:ViaService": ["dynamodb.us-east-1.amazonaws.com"]})
    assert not allowed(grant, "kms:Decrypt", KEY, {"kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"]})
    assert not allowed(grant, "kms:Decrypt", KEY)  # called directly: no kms:ViaService at all


def test_condition_keys_are_case_insensitive_values_are_not():
    grant = [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY, "Condition": VIA_DYNAMODB}]
    assert allowed(grant, "kms:Decrypt", KEY, {"KMS:VIASERVICE": ["dynamodb.us-east-1.amazonaws.com"]})
    assert not allowed(grant, "kms:Decrypt", KEY, {"kms:ViaService": ["DYNAMODB.us-east-1.amazonaws.com"]})


def test_negated_operators_hold_when_the_key_is_missing_and_if_exists():
    deny = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
    }
    everything = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert allowed([everything, deny], "sqs:SendMessage", "*", {"aws:RequestedRegion": ["us-east-1"]})
    assert not allowed([everything, deny], "sqs:SendMessage", "*", {"aws:RequestedRegion": ["eu-west-1"]})
    assert not allowed([everything, deny], "sqs:SendMessage", "*", {})
    if_exists = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringEqualsIfExists": {"ses:FromAddress": "a@example.com"}},
    }
    assert allowed([if_exists], "ses:SendEmail", "*", {})
    assert not allowed([if_exists], "ses:SendEmail", "*", {"ses:FromAddress": ["b@example.com"]})


def test_several_values_or_several_keys_and():
    grant = {
        "Effect": "Allow",
        "Action": "ses:SendEmail",
        "Resource": "*",
        "Condition": {
            "StringLike": {"ses:FromAddress": ["*@example.com", "*@example.org"]},
            "Bool": {"aws:SecureTransport": True},
        },
    }
    secure = {"aws:SecureTransport": ["true"]}
    assert allowed([grant], "ses:SendEmail", "*", {"ses:FromAddress": ["n@example.org"], **secure})
    assert not allowed([grant], "ses:SendEmail", "*", {"ses:FromAddress": ["n@example.net"], **secure})
    assert not allowed(
        [grant], "ses:SendEmail", "*", {"ses:FromAddress": ["n@example.org"], "aws:SecureTransport": ["false"]}
    )


def test_set_qualifiers():
    leading = {
        "Effect": "Allow",
        "Action": "dynamodb:GetItem",
        "Resource": TABLE,
        "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["CANDIDATE#*"]}},
    }
    assert allowed([leading], "dynamodb:GetItem", TABLE, {"dynamodb:LeadingKeys": ["CANDIDATE#1"]})
    assert not allowed([leading], "dynamodb:GetItem", TABLE, {"dynamodb:LeadingKeys": ["CANDIDATE#1", "JOIN#2"]})
    any_tag = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}},
    }
    assert allowed([any_tag], "sqs:TagQueue", "*", {"aws:TagKeys": ["cost", "team"]})
    assert not allowed([any_tag], "sqs:TagQueue", "*", {"aws:TagKeys": ["cost"]})
    assert not allowed([any_tag], "sqs:TagQueue", "*", {})


@pytest.mark.parametrize(
    ("operator", "policy", "value", "expected"),
    [
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("DateLessThan", "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z", True),
        ("DateGreaterThan", "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z", False),
        (
            "ArnLike",
            "arn:aws:sms-voice:us-east-1:123456789012:*",
            "arn:aws:sms-voice:us-east-1:123456789012:pool/p",
            True,
        ),
        ("ArnLike", "arn:aws:sms-voice:us-east-1:123456789012:*", "arn:aws:sns:us-east-1:123456789012:t", False),
        ("ArnNotEquals", "arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b", True),
        ("IpAddress", "10.0.0.0/8", "10.1.2.3", True),
        ("NotIpAddress", "10.0.0.0/8", "10.1.2.3", False),
        ("StringEqualsIgnoreCase", "Scheduler.amazonaws.com", "scheduler.amazonaws.com", True),
        ("StringNotLike", "*.internal", "api.example.com", True),
    ],
)
def test_operators(operator, policy, value, expected):
    grant = {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {operator: {"k:key": policy}}}
    assert allowed([grant], "x:Y", "*", {"k:key": [value]}) is expected


def test_null():
    grant = {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"aws:TokenIssueTime": "false"}}}
    assert allowed([grant], "x:Y", "*", {"aws:TokenIssueTime": ["2030-01-01T00:00:00Z"]})
    assert not allowed([grant], "x:Y", "*", {})


def test_a_malformed_statement_is_refused_when_read():
    with pytest.raises(ValueError, match="Action"):
        Statement.parse({"Effect": "Allow", "Action": "a:b", "NotAction": "a:c", "Resource": "*"})
    with pytest.raises(ValueError, match="Effect"):
        Statement.parse({"Effect": "allow", "Action": "a:b", "Resource": "*"})
    with pytest.raises(ValueError, match="operator"):
        allowed(
            [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqual": {"a": "b"}}}],
            "x:Y",
            "*",
            {"a": ["b"]},
        )
