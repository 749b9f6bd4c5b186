"""Creates, idempotently, the AWS resources a template declares.

One small provisioner per resource type. Each looks the resource up by its deterministic
physical name first and creates it only when missing, then reports its Ref and attributes.
Types with nothing to create (functions, layers, APIs, roles) get static identities from
``Template.static_resource``; Lambda functions are never created in the endpoint (moto's
``/moto-api/data.json`` breaks on them, and the stack runs them itself: ``runtime``).
"""

from __future__ import annotations

import json
import secrets
import string
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from .template import Template, TemplateError

if TYPE_CHECKING:
    from collections.abc import Callable


# One botocore data loader for every stack of the process: it caches the service models and
# endpoint data it reads (a fresh session would read and decode them again, every start).
_DATA_LOADER = botocore.session.get_session().get_component("data_loader")
# The clients themselves, by endpoint, region and credentials: the stacks of one process that use
# the same endpoint (local_stack.embedded_moto's) reuse them.
_CLIENTS: dict[tuple[str, str, str, str, str], Any] = {}


class Aws:
    """boto3 clients bound to one endpoint, region and credentials."""

    def __init__(
        self, endpoint_url: str, region: str, access_key: str, secret_key: str, account_id: str = "123456789012"
    ) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self.account_id = account_id
        self._session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
        )
        self._session._session.register_component("data_loader", _DATA_LOADER)
        self._key = (endpoint_url, region, access_key, secret_key)
        self._config = Config(retries={"max_attempts": 2, "mode": "standard"})
        # Services the stack serves itself (End User Messaging SMS and Social: eum_sms, eum_social).
        self.emulators: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        key = (service, *self._key)
        if key not in _CLIENTS:
            _CLIENTS[key] = self._session.client(service, endpoint_url=self.endpoint_url, config=self._config)
        return _CLIENTS[key]


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _not_found(exc: ClientError) -> bool:
    code = _error_code(exc)
    return "NotFound" in code or "NonExistent" in code or code in ("404", "ResourceNotFound")


def _attr_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


Result = tuple[Any, dict[str, Any], bool]  # (Ref, attributes, created)


# ---------------------------------------------------------------------- per type


def provision_table(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    ddb = aws.client("dynamodb")
    name = props.get("TableName") or name
    try:
        table = ddb.describe_table(TableName=name)["Table"]
        return name, {"Arn": table["TableArn"], "StreamArn": table.get("LatestStreamArn", "")}, False
    except ClientError as exc:
        if not _not_found(exc):
            raise
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if args["BillingMode"] == "PROVISIONED":
        args["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "TableClass", "DeletionProtectionEnabled"):
        if key in props:
            args[key] = props[key]
    if args["BillingMode"] != "PROVISIONED":
        for gsi in args.get("GlobalSecondaryIndexes", []):
            gsi.pop("ProvisionedThroughput", None)
    if "Tags" in props:
        args["Tags"] = props["Tags"]
    sse = props.get("SSESpecification")
    if sse:
        args["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))}
        if sse.get("SSEType"):
            args["SSESpecification"]["SSEType"] = sse["SSEType"]
        if sse.get("KMSMasterKeyId"):
            args["SSESpecification"]["KMSMasterKeyId"] = sse["KMSMasterKeyId"]
    stream = props.get("StreamSpecification")
    if stream:
        args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    table = ddb.create_table(**args)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    pitr = props.get("PointInTimeRecoverySpecification")
    if pitr and pitr.get("PointInTimeRecoveryEnabled"):
        ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    return name, {"Arn": table["TableArn"], "StreamArn": table.get("LatestStreamArn", "")}, True


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedrivePolicy",
    "RedriveAllowPolicy",
)


def provision_queue(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    sqs = aws.client("sqs")
    name = props.get("QueueName") or name
    if props.get("FifoQueue") and not name.endswith(".fifo"):
        name += ".fifo"
    created = False
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as exc:
        if not _not_found(exc):
            raise
        attributes = {k: _attr_str(props[k]) for k in _QUEUE_ATTRIBUTES if k in props}
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        created = True
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, {"Arn": arn, "QueueName": name, "QueueUrl": url}, created


def provision_topic(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    sns = aws.client("sns")
    name = props.get("TopicName") or name
    if props.get("FifoTopic") and not name.endswith(".fifo"):
        name += ".fifo"
    # Subscriptions to functions are not created: the stack delivers to them itself.
    existing = None
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                existing = topic["TopicArn"]
    if existing:
        return existing, {"Arn": existing, "TopicArn": existing, "TopicName": name}, False
    attributes = {
        k: _attr_str(props[k])
        for k in ("DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication", "SignatureVersion")
        if k in props
    }
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    return arn, {"Arn": arn, "TopicArn": arn, "TopicName": name}, True


def provision_schedule_group(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    scheduler = aws.client("scheduler")
    name = props.get("Name") or name
    try:
        group = scheduler.get_schedule_group(Name=name)
        return name, {"Arn": group["Arn"]}, False
    except ClientError as exc:
        if not _not_found(exc):
            raise
    # moto replaces an existing group (losing its schedules) on a second create: look first.
    arn = scheduler.create_schedule_group(Name=name)["ScheduleGroupArn"]
    return name, {"Arn": arn}, True


def _generate_secret_string(spec: dict[str, Any]) -> str:
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    for ch in spec.get("ExcludeCharacters", ""):
        alphabet = alphabet.replace(ch, "")
    password = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    if "SecretStringTemplate" in spec and "GenerateStringKey" in spec:
        body = json.loads(spec["SecretStringTemplate"])
        body[spec["GenerateStringKey"]] = password
        return json.dumps(body)
    return password


def provision_secret(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    sm = aws.client("secretsmanager")
    name = props.get("Name") or name
    try:
        arn = sm.describe_secret(SecretId=name)["ARN"]
        return arn, {"Id": arn, "Arn": arn}, False
    except ClientError as exc:
        if not _not_found(exc):
            raise
    args: dict[str, Any] = {"Name": name}
    if props.get("Description"):
        args["Description"] = props["Description"]
    if props.get("KmsKeyId"):
        args["KmsKeyId"] = props["KmsKeyId"]
    if "SecretString" in props:
        args["SecretString"] = props["SecretString"]
    elif "GenerateSecretString" in props:
        args["SecretString"] = _generate_secret_string(props["GenerateSecretString"])
    arn = sm.create_secret(**args)["ARN"]
    return arn, {"Id": arn, "Arn": arn}, True


def provision_email_identity(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    identity = props["EmailIdentity"]
    sesv2 = aws.client("sesv2")
    created = False
    try:
        verified = bool(sesv2.get_email_identity(EmailIdentity=identity).get("VerifiedForSendingStatus"))
    except ClientError as exc:
        if not _not_found(exc):
            raise
        sesv2.create_email_identity(EmailIdentity=identity)
        created, verified = True, False
    if not verified:
        # Sending needs a verified identity; SES v1 verification is instant in moto
        # (a no-op once the identity exists) and in LocalStack.
        ses = aws.client("ses")
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
    return identity, {}, created


def provision_configuration_set(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    name = props.get("Name") or name
    sesv2 = aws.client("sesv2")
    try:
        sesv2.get_configuration_set(ConfigurationSetName=name)
        return name, {}, False
    except ClientError as exc:
        if not _not_found(exc):
            raise
    sesv2.create_configuration_set(ConfigurationSetName=name)
    return name, {}, True


def provision_bucket(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    s3 = aws.client("s3")
    # Bucket names are lower case, globally unique in AWS; the account id keeps them apart.
    name = props.get("BucketName") or f"{name}-{aws.account_id}".lower()
    created = False
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as exc:
        if _error_code(exc) not in ("404", "NoSuchBucket"):
            raise
        args: dict[str, Any] = {"Bucket": name}
        if aws.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
        s3.create_bucket(**args)
        created = True
        encryption = props.get("BucketEncryption")
        if encryption:
            # CloudFormation spells the API's ApplyServerSideEncryptionByDefault without "Apply".
            rules = [
                {("Apply" + k if k == "ServerSideEncryptionByDefault" else k): v for k, v in rule.items()}
                for rule in encryption.get("ServerSideEncryptionConfiguration") or []
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        block = props.get("PublicAccessBlockConfiguration")
        if block:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
        lifecycle = props.get("LifecycleConfiguration")
        if lifecycle:
            rules = []
            for rule in lifecycle.get("Rules", []):
                api_rule: dict[str, Any] = {"ID": rule.get("Id", ""), "Status": rule["Status"]}
                api_rule["Filter"] = {"Prefix": rule.get("Prefix", "")}
                if "ExpirationInDays" in rule:
                    api_rule["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
                if "AbortIncompleteMultipartUpload" in rule:
                    days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
                    api_rule["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
                rules.append(api_rule)
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    return name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}, created


def provision_kms_key(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    """A KMS key, found again by an alias named after its logical id (keys have no names)."""
    kms = aws.client("kms")
    alias = f"alias/local-stack/{name}"
    for page in kms.get_paginator("list_aliases").paginate():
        for entry in page.get("Aliases", []):
            if entry.get("AliasName") == alias and entry.get("TargetKeyId"):
                key = kms.describe_key(KeyId=entry["TargetKeyId"])["KeyMetadata"]
                return key["KeyId"], {"Arn": key["Arn"], "KeyId": key["KeyId"]}, False
    args: dict[str, Any] = {"Description": props.get("Description", name)}
    if props.get("KeyPolicy"):
        args["Policy"] = json.dumps(props["KeyPolicy"])
    key = kms.create_key(**args)["KeyMetadata"]
    if props.get("EnableKeyRotation"):
        kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key["KeyId"], {"Arn": key["Arn"], "KeyId": key["KeyId"]}, True


def _find_user_pool(aws: Aws, name: str) -> str | None:
    for page in aws.client("cognito-idp").get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page.get("UserPools", []):
            if pool.get("Name") == name:
                return str(pool["Id"])
    return None


def _pool_result(aws: Aws, pool_id: str, created: bool) -> Result:
    arn = aws.client("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    url = f"cognito-idp.{aws.region}.amazonaws.com/{pool_id}"
    return pool_id, {"Arn": arn, "ProviderName": url, "ProviderURL": f"https://{url}", "UserPoolId": pool_id}, created


def provision_user_pool(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    """A Cognito user pool, found again by its name (the stack's physical name)."""
    idp = aws.client("cognito-idp")
    name = props.get("UserPoolName") or name
    found = _find_user_pool(aws, name)
    if found:
        return _pool_result(aws, found, False)
    args: dict[str, Any] = {"PoolName": name}
    for key in ("Policies", "AutoVerifiedAttributes", "UsernameAttributes", "MfaConfiguration", "DeletionProtection"):
        if key in props:
            args[key] = props[key]
    if "AccountRecoverySetting" in props:
        args["AccountRecoverySetting"] = props["AccountRecoverySetting"]
    admin = props.get("AdminCreateUserConfig")
    if admin:
        args["AdminCreateUserConfig"] = {
            k: v for k, v in admin.items() if k in ("AllowAdminCreateUserOnly", "InviteMessageTemplate")
        }
    pool_id = idp.create_user_pool(**args)["UserPool"]["Id"]
    if "SOFTWARE_TOKEN_MFA" in (props.get("EnabledMfas") or []):
        idp.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration=props.get("MfaConfiguration", "OPTIONAL"),
        )
    return _pool_result(aws, pool_id, True)


def provision_user_pool_group(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    idp = aws.client("cognito-idp")
    group, pool = props.get("GroupName") or name, props["UserPoolId"]
    try:
        idp.get_group(GroupName=group, UserPoolId=pool)
        return group, {}, False
    except ClientError as exc:
        if not _not_found(exc):
            raise
    args = {k: props[k] for k in ("Description", "Precedence") if k in props}
    idp.create_group(GroupName=group, UserPoolId=pool, **args)
    return group, {}, True


def provision_user_pool_client(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    """An app client, found again by its name in its pool."""
    idp = aws.client("cognito-idp")
    pool, client_name = props["UserPoolId"], props.get("ClientName") or name
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool, MaxResults=60):
        for client in page.get("UserPoolClients", []):
            if client.get("ClientName") == client_name:
                return client["ClientId"], {"ClientId": client["ClientId"], "Name": client_name}, False
    keys_ = (
        "GenerateSecret",
        "ExplicitAuthFlows",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "AccessTokenValidity",
        "IdTokenValidity",
        "RefreshTokenValidity",
        "TokenValidityUnits",
    )
    args = {k: props[k] for k in keys_ if k in props}
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName=client_name, **args)["UserPoolClient"]
    return client["ClientId"], {"ClientId": client["ClientId"], "Name": client_name}, True


def _temporary_password() -> str:
    """A temporary password the pool's policy accepts (length, lower case, digits)."""
    return f"Tmp-{secrets.token_urlsafe(12)}-a7"


def provision_user_pool_user(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    """A pool user, as CloudFormation creates one, but without Cognito's mail: locally nobody
    reads it, so a fresh temporary password is set and reported (``TemporaryPassword``) each
    time the stack starts while the user has not chosen their own (then it is empty)."""
    idp = aws.client("cognito-idp")
    pool, username = props["UserPoolId"], props["Username"]
    password = _temporary_password()
    created = False
    try:
        status = idp.admin_get_user(UserPoolId=pool, Username=username)["UserStatus"]
    except ClientError as exc:
        if _error_code(exc) != "UserNotFoundException":
            raise
        idp.admin_create_user(
            UserPoolId=pool,
            Username=username,
            UserAttributes=props.get("UserAttributes") or [],
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
        )
        return username, {"TemporaryPassword": password}, True
    if status == "FORCE_CHANGE_PASSWORD":
        idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=False)
        return username, {"TemporaryPassword": password}, created
    return username, {"TemporaryPassword": ""}, created


def provision_user_to_group(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    idp = aws.client("cognito-idp")
    pool, user, group = props["UserPoolId"], props["Username"], props["GroupName"]
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username=user).get("Groups", [])
    if any(g.get("GroupName") == group for g in groups):
        return name, {}, False
    idp.admin_add_user_to_group(UserPoolId=pool, Username=user, GroupName=group)
    return name, {}, True


def provision_sms_configuration_set(aws: Aws, name: str, props: dict[str, Any]) -> Result:
    """An End User Messaging SMS configuration set and its event destinations, in the stack's
    emulator (moto has no such service), through the operations an SDK call takes."""
    emulator = aws.emulators.get("sms-voice")
    name = props.get("ConfigurationSetName") or name
    arn = f"arn:aws:sms-voice:{aws.region}:{aws.account_id}:configuration-set/{name}"
    if emulator is None:
        return name, {"Arn": arn}, False
    listed = emulator.call("DescribeConfigurationSets")["ConfigurationSets"]
    existing = next((c for c in listed if c["ConfigurationSetName"] == name), None)
    if existing is None:
        emulator.call("CreateConfigurationSet", ConfigurationSetName=name)
    have = {d["EventDestinationName"] for d in (existing or {}).get("EventDestinations", [])}
    for destination in props.get("EventDestinations") or []:
        if destination["EventDestinationName"] in have:
            continue
        request = {
            k: destination[k]
            for k in ("EventDestinationName", "MatchingEventTypes", "SnsDestination", "CloudWatchLogsDestination")
            if k in destination
        }
        emulator.call("CreateEventDestination", ConfigurationSetName=name, **request)
    return name, {"Arn": arn}, existing is None


PROVISIONERS: dict[str, Callable[[Aws, str, dict[str, Any]], Result]] = {
    "AWS::DynamoDB::Table": provision_table,
    "AWS::SQS::Queue": provision_queue,
    "AWS::SNS::Topic": provision_topic,
    "AWS::Scheduler::ScheduleGroup": provision_schedule_group,
    "AWS::SecretsManager::Secret": provision_secret,
    "AWS::SES::EmailIdentity": provision_email_identity,
    # Its event destinations are not created: the stack publishes SES events itself (/_local/email-event).
    "AWS::SES::ConfigurationSet": provision_configuration_set,
    "AWS::S3::Bucket": provision_bucket,
    "AWS::KMS::Key": provision_kms_key,
    # The advisers' console: the pool, its groups and app client, the first admin.
    "AWS::Cognito::UserPool": provision_user_pool,
    "AWS::Cognito::UserPoolGroup": provision_user_pool_group,
    "AWS::Cognito::UserPoolClient": provision_user_pool_client,
    "AWS::Cognito::UserPoolUser": provision_user_pool_user,
    "AWS::Cognito::UserPoolUserToGroupAttachment": provision_user_to_group,
    "AWS::SMSVOICE::ConfigurationSet": provision_sms_configuration_set,
}


class Provisioner:
    """Answers resource references for a template, provisioning on first use.

    Lazy provisioning gives dependency order for free: a queue whose RedrivePolicy names
    its dead-letter queue's Arn provisions that queue first.
    """

    def __init__(self, template: Template, aws: Aws) -> None:
        self.template = template
        self.aws = aws
        self.resolved: dict[str, tuple[Any, dict[str, Any]]] = {}
        self.created: list[str] = []
        self._in_progress: set[str] = set()
        template.resolve_resource = self.resolve_resource

    def resolve_resource(self, logical_id: str) -> tuple[Any, dict[str, Any]]:
        if logical_id in self.resolved:
            return self.resolved[logical_id]
        res = self.template.resources.get(logical_id)
        if res is None:
            raise TemplateError(f"unknown resource {logical_id!r}")
        provisioner = PROVISIONERS.get(res.get("Type", ""))
        if provisioner is None:
            result = self.template.static_resource(logical_id)
        else:
            if logical_id in self._in_progress:
                raise TemplateError(f"circular reference through {logical_id}")
            self._in_progress.add(logical_id)
            try:
                props = self.template.resolve(res.get("Properties") or {})
                ref, attrs, created = provisioner(self.aws, self.template.physical_name(logical_id), props)
            finally:
                self._in_progress.discard(logical_id)
            if created:
                self.created.append(logical_id)
            result = (ref, attrs)
        self.resolved[logical_id] = result
        return result

    def provision_all(self) -> list[str]:
        """Provision every supported resource; returns the logical ids created this time."""
        for logical_id, res in self.template.resources.items():
            if "Condition" in res and not self.template.condition(res["Condition"]):
                continue
            if res.get("Type") in PROVISIONERS:
                self.resolve_resource(logical_id)
        return list(self.created)
