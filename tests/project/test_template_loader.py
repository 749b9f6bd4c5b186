"""The local stack reads template.yaml as CloudFormation and SAM would: Fn::ForEach loops
expanded (AWS::LanguageExtensions), Globals merged into each function, managed policies followed."""

from __future__ import annotations

import textwrap

import pytest

from local_stack.template import (
    Template,
    TemplateError,
    function_environment,
    load_template,
    merged_properties,
    policy_statements,
)

HEADER = "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n"


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "template.yaml"
    path.write_text(header + textwrap.dedent(body))
    return path


def test_a_loop_makes_one_resource_per_item_with_its_name_in_keys_strings_and_refs(tmp_path):
    path = write(
        tmp_path,
        """
        Resources:
          AFunction: {Type: AWS::Serverless::Function}
          BFunction: {Type: AWS::Serverless::Function}
          Fn::ForEach::Alarms:
            - Name
            - [A, B]
            - ${Name}ErrorsAlarm:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  AlarmDescription: !Sub "${Name} failed in ${AWS::StackName}"
                  Label: !Ref Name
                  Dimensions: [{Name: FunctionName, Value: {Ref: !Sub "${Name}Function"}}]
                  Arn: !GetAtt [!Sub "${Name}Function", Arn]
        """,
    )
    resources = load_template(path)["Resources"]
    assert sorted(resources) == ["AErrorsAlarm", "AFunction", "BErrorsAlarm", "BFunction"]
    b = resources["BErrorsAlarm"]["Properties"]
    assert b["AlarmDescription"] == {"Fn::Sub": "B failed in ${AWS::StackName}"}
    assert b["Label"] == "B"
    assert b["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "BFunction"}}]
    assert b["Arn"] == {"Fn::GetAtt": ["BFunction", "Arn"]}


def test_loops_nest_and_the_ampersand_form_drops_what_is_not_alphanumeric(tmp_path):
    path = write(
        tmp_path,
        """
        Outputs:
          Fn::ForEach::Outer:
            - Queue
            - [send-now, sync]
            - Fn::ForEach::Inner:
                - Part
                - [Url, Arn]
                - "&{Queue}${Part}":
                    Value: !Sub "${Queue}/${Part}"
        Resources: {}
        """,
    )
    outputs = load_template(path)["Outputs"]
    assert sorted(outputs) == ["sendnowArn", "sendnowUrl", "syncArn", "syncUrl"]
    assert outputs["sendnowUrl"] == {"Value": {"Fn::Sub": "send-now/Url"}}


def test_a_loop_without_the_transform_or_making_a_name_twice_is_refused(tmp_path):
    loop = """
        Resources:
          Fn::ForEach::Twice:
            - Name
            - [A, A]
            - ${Name}Topic: {Type: AWS::SNS::Topic}
        """
    with pytest.raises(TemplateError, match="LanguageExtensions"):
        load_template(write(tmp_path, loop, header="Transform: AWS::Serverless-2016-10-31\n"))
    with pytest.raises(TemplateError, match="twice"):
        load_template(write(tmp_path, loop))


def test_globals_merge_as_sam_merges_them_and_policies_follow_managed_ones(tmp_path):
    path = write(
        tmp_path,
        """
        Globals:
          Function:
            Layers: [!Ref SharedLayer]
            Environment:
              Variables: {TABLE_NAME: !Ref Table, LEVEL: INFO}
        Resources:
          Table: {Type: AWS::DynamoDB::Table}
          SharedLayer: {Type: AWS::Serverless::LayerVersion}
          OwnLayer: {Type: AWS::Serverless::LayerVersion}
          ReadPolicy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement: [{Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Table.Arn}]
          OneFunction:
            Type: AWS::Serverless::Function
            Properties:
              Layers: [!Ref OwnLayer]
              Environment:
                Variables: {LEVEL: DEBUG, OWN: "1"}
              Policies:
                - !Ref ReadPolicy
                - Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: "*"}]
                - AWSLambdaBasicExecutionRole
        """,
    )
    template = Template(path, stack_name="s")
    assert function_environment(template, "OneFunction") == {"TABLE_NAME": "s-Table", "LEVEL": "DEBUG", "OWN": "1"}
    assert merged_properties(template, "OneFunction")["Layers"] == [{"Ref": "SharedLayer"}, {"Ref": "OwnLayer"}]
    assert policy_statements(template, "OneFunction") == [
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:s-Table",
        },
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
        {"Policy": "AWSLambdaBasicExecutionRole"},
    ]
