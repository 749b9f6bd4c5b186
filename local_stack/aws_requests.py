"""What a signed AWS request asks for, in IAM's terms: the caller's access key, the service, the
operation (from botocore's service model: the JSON target, the query ``Action`` or the REST route),
its parameters, and the IAM action and resource ARN(s) it is authorised on.

The resource ARNs follow the *Service Authorization Reference* per service: a DynamoDB table or
its index, an SQS queue, an SNS topic (``*`` for a text to a phone number), a Secrets Manager secret,
a KMS key, a Scheduler schedule or group, a SES identity and configuration set, an S3 bucket or
object, a Cognito user pool, End User Messaging SMS and WhatsApp origination identities. Names are
turned into ARNs with the caller-independent facts the stack reads itself (a secret's full ARN, a
key alias's key: ``Lookups``). An action with no resource type is authorised on ``*``.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]+)"
)

# IAM's service prefix where it differs from the SigV4 signing name.
_IAM_PREFIX = {"monitoring": "cloudwatch"}

# Operations authorised as another IAM action (Service Authorization Reference).
_ACTION_OF = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("sns", "PublishBatch"): "Publish",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("s3", "CopyObject"): "PutObject",
    ("s3", "CreateMultipartUpload"): "PutObject",
    ("s3", "UploadPart"): "PutObject",
    ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "AbortMultipartUpload"): "AbortMultipartUpload",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "PutEncryptionConfiguration",
}


class Unsigned(Exception):
    """The request carries no SigV4 ``Authorization`` header the proxy can read."""


@dataclass
class AwsRequest:
    method: str
    path: str
    headers: Any
    body: bytes
    access_key: str = ""
    region: str = ""
    signing_name: str = ""
    service: str = ""  # botocore's name: sesv2, pinpoint-sms-voice-v2, ...
    operation: str = ""
    protocol: str = ""  # json | query | rest-json | rest-xml | ec2
    json_version: str = "1.0"
    target_prefix: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def iam_prefix(self) -> str:
        return _IAM_PREFIX.get(self.signing_name, self.signing_name)

    @property
    def action(self) -> str:
        """The IAM action: ``dynamodb:PutItem``, ``sqs:SendMessage`` (for ``SendMessageBatch``)..."""
        return f"{self.iam_prefix}:{_ACTION_OF.get((self.iam_prefix, self.operation), self.operation)}"


def parse(method: str, path: str, headers: Any, body: bytes, prefixes: dict[str, str] | None = None) -> AwsRequest:
    """The request's caller, service, operation and parameters; ``Unsigned`` when it has no SigV4.
    ``prefixes``: a path prefix per signing name, where an endpoint serves a service below a path
    (the stack's ``/_aws/sms-voice``), taken off before the REST routes are matched."""
    auth = _AUTH.match(headers.get("Authorization") or "")
    if not auth:
        raise Unsigned("no AWS4-HMAC-SHA256 Authorization header")
    request = AwsRequest(method, path, headers, body, auth["key"], auth["region"], auth["service"])
    target = headers.get("X-Amz-Target")
    content_type = headers.get("Content-Type") or ""
    url = urlsplit(path)
    prefix = (prefixes or {}).get(request.signing_name, "")
    if prefix and url.path.startswith(prefix):
        url = url._replace(path=url.path[len(prefix) :] or "/")
    for model in _models(request.signing_name):
        protocol = model.metadata.get("protocol")
        if target and protocol == "json":
            prefix, _, name = target.rpartition(".")
            if prefix == model.metadata.get("targetPrefix") and name in model.operation_names:
                request.operation, request.protocol = name, "json"
                request.json_version = str(model.metadata.get("jsonVersion") or "1.0")
                request.target_prefix = prefix
                request.params = json.loads(body or b"{}")
                break
        elif not target and protocol in ("query", "ec2") and "x-www-form-urlencoded" in content_type:
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
            if form.get("Action") in model.operation_names:
                request.operation, request.protocol, request.params = form["Action"], protocol, form
                break
        elif not target and protocol in ("rest-json", "rest-xml"):
            found = _rest_match(model.service_name, method, url.path, url.query, headers)
            if found:
                request.operation, labels = found
                request.protocol = protocol
                query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                payload: dict[str, Any] = {}
                if protocol == "rest-json" and body:
                    try:
                        payload = json.loads(body)
                    except ValueError:
                        payload = {}
                request.params = {**query, **payload, **labels}
                break
    if not request.operation:
        request.operation = "Unknown"
    request.service = _service_name(request)
    return request


def _service_name(request: AwsRequest) -> str:
    for model in _models(request.signing_name):
        if request.operation in model.operation_names:
            return str(model.service_name)
    return request.signing_name


@functools.cache
def _loader() -> Any:
    import botocore.session

    return botocore.session.get_session()


@functools.cache
def _models(signing_name: str) -> list[Any]:
    """botocore's service models signed with this name (``ses``: SES v1 and v2)."""
    session = _loader()
    found = []
    for name in _SERVICES_BY_SIGNING_NAME.get(signing_name, (signing_name,)):
        try:
            found.append(session.get_service_model(name))
        except Exception:  # a service this botocore lacks
            continue
    return found


# Signing names whose botocore service names differ (only the services an app calls are listed;
# any other signing name is looked up as a service of that name).
_SERVICES_BY_SIGNING_NAME = {
    "ses": ("sesv2", "ses"),
    "sms-voice": ("pinpoint-sms-voice-v2",),
    "social-messaging": ("socialmessaging",),
    "monitoring": ("cloudwatch",),
    "execute-api": ("apigatewaymanagementapi",),
}


@functools.cache
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], str, tuple[tuple[str, str], ...]]]:
    model = _loader().get_service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri, _, fixed_query = str(http.get("requestUri") or "/").partition("?")
        needs = [("q", part.split("=", 1)[0]) for part in fixed_query.split("&") if part]
        # Query parameters the operation requires tell apart routes of one path (S3's DELETE of an
        # object and of a multipart upload's ?uploadId=).
        shape = model.operation_model(name).input_shape
        for member in shape.required_members if shape is not None else []:
            where = shape.members[member].serialization
            if where.get("location") in ("querystring", "header"):
                needs.append(
                    ("q" if where["location"] == "querystring" else "h", str(where.get("name") or member).lower())
                )
        pattern = ""
        for part in re.split(r"(\{[^}]+\})", uri):
            if part.startswith("{"):
                label = part[1:-1]
                greedy = label.endswith("+")
                label = label.rstrip("+")
                pattern += f"(?P<{re.sub(r'[^A-Za-z0-9_]', '_', label)}>{'.+' if greedy else '[^/]+'})"
            else:
                pattern += re.escape(part)
        routes.append((str(http.get("method") or "GET"), re.compile(f"^{pattern}/?$"), name, tuple(needs)))
    # Routes that need query keys first (S3's ?tagging), then literal before parameterised ones.
    return sorted(routes, key=lambda r: (-len(r[3]), r[1].pattern.count("(?P<") + 10 * r[1].pattern.count(".+")))


def _rest_match(
    service: str, method: str, path: str, query: str = "", headers: Any = None
) -> tuple[str, dict[str, str]] | None:
    present = {("q", key.lower()) for key in parse_qs(query, keep_blank_values=True)}
    present |= {("h", key.lower()) for key in (headers.keys() if headers is not None else [])}
    for route_method, pattern, name, needs in _rest_routes(service):
        if route_method == method and all(need in present for need in needs):
            found = pattern.match(path)
            if found:
                return name, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


# ---------------------------------------------------------------------- resources


class Lookups:
    """Facts about resources that turn a name into its ARN, read once with the stack's own
    credentials (never the caller's): a secret's full ARN, a key's ARN from an alias or id, a
    table's, queue's, topic's, secret's or bucket's KMS key, whether a SES identity exists."""

    def __init__(self, client: Callable[[str], Any], account_id: str, region: str) -> None:
        self._client = client
        self.account_id = account_id
        self.region = region
        self._cache: dict[tuple[str, str], Any] = {}

    def _cached(self, kind: str, name: str, read: Callable[[], Any]) -> Any:
        key = (kind, name)
        if key not in self._cache:
            try:
                self._cache[key] = read()
            except Exception:
                return None  # not there (yet): ask again next time
        return self._cache[key]

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account_id if account else ''}:{resource}"

    def secret_arn(self, secret_id: str) -> str:
        if secret_id.startswith("arn:"):
            return secret_id
        found = self._cached(
            "secret", secret_id, lambda: self._client("secretsmanager").describe_secret(SecretId=secret_id)["ARN"]
        )
        return found or self.arn("secretsmanager", f"secret:{secret_id}-??????")

    def key_arn(self, key_id: str | None) -> str | None:
        if not key_id:
            return None
        if key_id.startswith("arn:") and ":key/" in key_id:
            return key_id
        found = self._cached("key", key_id, lambda: self._client("kms").describe_key(KeyId=key_id)["KeyMetadata"])
        if not found:
            return None
        if found.get("KeyManager") == "AWS":
            return None  # an AWS managed key (aws/sqs, aws/sns...): no grant of the caller's needed
        return str(found["Arn"])

    def table_key(self, table: str) -> str | None:
        def read() -> str | None:
            sse = self._client("dynamodb").describe_table(TableName=table)["Table"].get("SSEDescription") or {}
            return sse.get("KMSMasterKeyArn") if sse.get("Status") in (None, "ENABLED", "UPDATING") else None

        return self.key_arn(self._cached("table-key", table, read))

    def secret_key(self, secret_arn: str) -> str | None:
        return self.key_arn(
            self._cached(
                "secret-key",
                secret_arn,
                lambda: self._client("secretsmanager").describe_secret(SecretId=secret_arn).get("KmsKeyId"),
            )
        )

    def queue_key(self, queue_url: str) -> str | None:
        def read() -> str | None:
            attrs = self._client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["KmsMasterKeyId"])
            return attrs.get("Attributes", {}).get("KmsMasterKeyId")

        return self.key_arn(self._cached("queue-key", queue_url, read))

    def topic_key(self, topic_arn: str) -> str | None:
        def read() -> str | None:
            return self._client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"].get("KmsMasterKeyId")

        return self.key_arn(self._cached("topic-key", topic_arn, read))

    def bucket_key(self, bucket: str) -> str | None:
        def read() -> str | None:
            rules = self._client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
                "Rules"
            ]
            default = (rules[0] if rules else {}).get("ApplyServerSideEncryptionByDefault") or {}
            return default.get("KMSMasterKeyID") if str(default.get("SSEAlgorithm", "")).startswith("aws:kms") else None

        return self.key_arn(self._cached("bucket-key", bucket, read))

    def ses_identity(self, address: str) -> str:
        """The identity SES sends as: the address when it is an identity itself, else its domain."""
        address = _bare_address(address)
        exists = self._cached(
            "ses-identity",
            address.lower(),
            lambda: bool(self._client("sesv2").get_email_identity(EmailIdentity=address)),
        )
        return address if exists else address.rpartition("@")[2]


def _bare_address(value: str) -> str:
    found = re.search(r"<([^>]+)>", value)
    return (found.group(1) if found else value).strip()


def queue_arn(lookups: Lookups, queue_url: str) -> str:
    parts = urlsplit(queue_url).path.strip("/").split("/")
    account, name = (parts[-2], parts[-1]) if len(parts) >= 2 else (lookups.account_id, parts[-1])
    return f"arn:aws:sqs:{lookups.region}:{account}:{name}"


def authorised_on(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    """The (IAM action, resource ARN) pairs the request must be allowed on, all of them."""
    handler = _RESOURCES.get(request.iam_prefix)
    pairs = handler(request, lookups) if handler else []
    return pairs or [(request.action, "*")]


def _dynamodb(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    p = request.params

    def table(name: str, index: str | None = None) -> str:
        base = name if name.startswith("arn:") else lookups.arn("dynamodb", f"table/{name}")
        return f"{base}/index/{index}" if index else base

    if request.operation in ("BatchGetItem", "BatchWriteItem"):
        return [(request.action, table(name)) for name in p.get("RequestItems") or {}]
    if request.operation in ("TransactWriteItems", "TransactGetItems"):
        actions = {
            "Put": "PutItem",
            "Update": "UpdateItem",
            "Delete": "DeleteItem",
            "ConditionCheck": "ConditionCheckItem",
            "Get": "GetItem",
        }
        pairs = []
        for item in p.get("TransactItems") or []:
            for kind, detail in item.items():
                pairs.append((f"dynamodb:{actions.get(kind, kind)}", table(detail["TableName"])))
        return pairs
    if "TableName" in p:
        return [(request.action, table(p["TableName"], p.get("IndexName")))]
    return []


def _sqs(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    p = request.params
    if p.get("QueueUrl"):
        return [(request.action, queue_arn(lookups, p["QueueUrl"]))]
    if p.get("QueueName"):
        account = p.get("QueueOwnerAWSAccountId") or lookups.account_id
        return [(request.action, f"arn:aws:sqs:{lookups.region}:{account}:{p['QueueName']}")]
    return []


def _sns(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    p = request.params
    arn = p.get("TopicArn") or p.get("TargetArn") or p.get("ResourceArn")
    return [(request.action, arn)] if arn else []


def _secretsmanager(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    secret = request.params.get("SecretId") or (
        request.params.get("Name") if request.operation == "CreateSecret" else None
    )
    return [(request.action, lookups.secret_arn(secret))] if secret else []


def _kms(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    key = request.params.get("KeyId")
    arn = lookups.key_arn(key) if key else None
    return [(request.action, arn or key)] if key else []


def _scheduler(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    p = request.params
    if request.operation.endswith("ScheduleGroup"):
        return [(request.action, lookups.arn("scheduler", f"schedule-group/{p.get('Name')}"))]
    if request.operation in ("CreateSchedule", "GetSchedule", "UpdateSchedule", "DeleteSchedule"):
        group = p.get("GroupName") or p.get("groupName") or "default"
        return [(request.action, lookups.arn("scheduler", f"schedule/{group}/{p.get('Name')}"))]
    return []


def _ses(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    p = request.params
    if request.operation in ("SendEmail", "SendRawEmail", "SendBulkEmail", "SendTemplatedEmail"):
        pairs = []
        identity_arn = p.get("FromEmailAddressIdentityArn") or p.get("SourceArn") or p.get("FromArn")
        sender = p.get("FromEmailAddress") or p.get("Source") or p.get("DefaultFromEmailAddress")
        if identity_arn:
            pairs.append((request.action, identity_arn))
        elif sender:
            pairs.append((request.action, lookups.arn("ses", f"identity/{lookups.ses_identity(sender)}")))
        configuration_set = p.get("ConfigurationSetName")
        if configuration_set:
            pairs.append((request.action, lookups.arn("ses", f"configuration-set/{configuration_set}")))
        return pairs
    for name, kind in (("EmailIdentity", "identity"), ("ConfigurationSetName", "configuration-set")):
        if p.get(name):
            return [(request.action, lookups.arn("ses", f"{kind}/{p[name]}"))]
    return []


def _s3(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    p = request.params
    bucket = p.get("Bucket")
    if not bucket:
        return []
    key = p.get("Key")
    return [(request.action, f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}")]


def _cognito(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    pool = request.params.get("UserPoolId")
    return [(request.action, lookups.arn("cognito-idp", f"userpool/{pool}"))] if pool else []


def _sms_voice(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    p = request.params
    pairs = []
    origin = p.get("OriginationIdentity") or p.get("PhoneNumberId") or p.get("PoolId")
    if origin:
        if origin.startswith("arn:"):
            arn = origin
        elif origin.startswith("pool-"):
            arn = lookups.arn("sms-voice", f"pool/{origin}")
        elif origin.startswith(("phone-", "+")):
            arn = lookups.arn("sms-voice", f"phone-number/{origin}")
        else:
            arn = lookups.arn("sms-voice", f"sender-id/{origin}/*")
        pairs.append((request.action, arn))
    if p.get("ConfigurationSetName"):
        name = p["ConfigurationSetName"]
        pairs.append(
            (request.action, name if name.startswith("arn:") else lookups.arn("sms-voice", f"configuration-set/{name}"))
        )
    if p.get("OptOutListName"):
        pairs.append((request.action, lookups.arn("sms-voice", f"opt-out-list/{p['OptOutListName']}")))
    return pairs


def _social_messaging(request: AwsRequest, lookups: Lookups) -> list[tuple[str, str]]:
    phone = request.params.get("originationPhoneNumberId") or request.params.get("id")
    if not phone:
        return []
    return [
        (
            request.action,
            phone if phone.startswith("arn:") else lookups.arn("social-messaging", f"phone-number-id/{phone}"),
        )
    ]


_RESOURCES: dict[str, Callable[[AwsRequest, Lookups], list[tuple[str, str]]]] = {
    "dynamodb": _dynamodb,
    "sqs": _sqs,
    "sns": _sns,
    "secretsmanager": _secretsmanager,
    "kms": _kms,
    "scheduler": _scheduler,
    "ses": _ses,
    "s3": _s3,
    "cognito-idp": _cognito,
    "sms-voice": _sms_voice,
    "social-messaging": _social_messaging,
}
