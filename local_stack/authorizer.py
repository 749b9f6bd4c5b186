"""The authorising proxy: every AWS call a function makes goes through it, and is allowed only as
IAM would allow it to that function's role.

Each function's processes get credentials of their own (an access key id per role; the stack
keeps the map), so the proxy knows the role from the request's SigV4 ``Credential``. It works out
the operation and the resource ARN(s) (``aws_requests``), what the service will ask for in the
caller's name (``service_side``), evaluates the role's policies (``roles``, ``iam_policy``) and
either refuses with the ``AccessDenied`` error that service's protocol gives, or forwards the
request, signed again with the stack's own credentials, to the AWS endpoint (the embedded moto,
or whatever ``AWS_ENDPOINT_URL`` names: the endpoint cannot be counted on to enforce IAM, and
accounts there follow the stack's credentials, not the roles').

The stack's own calls (provisioning, the outbox, the controls) never come here.

``NUDGES_PERMISSIONS_LOG=<file>``: each grant a call was allowed by is appended to that file
once per stack (JSON lines), for ``make permissions``.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import secrets
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import aws_requests, embedded_moto, service_side
from .iam_policy import Decision, evaluate

if TYPE_CHECKING:
    from .aws_requests import AwsRequest, Lookups
    from .roles import Role

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}
_DROPPED_ON_RESIGN = {"authorization", "x-amz-date", "x-amz-security-token", "host", "content-length", "expect"}


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    session_token: str


def role_credentials(logical_id: str, stack_secret: str) -> Credentials:
    """A role's credentials for this stack: an ``ASIA`` key id (a role session's, as Lambda's are)
    derived from the role, and a secret and token only this stack's run knows."""
    digest = hashlib.sha256(f"{stack_secret}:{logical_id}".encode()).hexdigest().upper()
    key = "ASIA" + "".join(ch for ch in digest if ch.isalnum())[:16]
    return Credentials(key, digest[16:56], "local-" + digest[:32])


@dataclass(frozen=True)
class Refusal:
    function: str
    action: str
    resource: str
    via: str | None  # the service that asked in the caller's name, or None for the call itself
    explicit: bool


class AuthorizingProxy:
    def __init__(
        self,
        upstream: str,
        roles: dict[str, Role],  # by access key id
        lookups: Lookups,
        upstream_credentials: Credentials,
        *,
        host: str = "127.0.0.1",
        usage_log: str | None = None,
        label: str = "",
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream.rstrip("/")
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or (443 if parts.scheme == "https" else 80)
        self.upstream_https = parts.scheme == "https"
        self.roles = roles
        self.lookups = lookups
        self.upstream_credentials = upstream_credentials
        self.usage_log = usage_log
        # Services whose calls go elsewhere (``front``): signing name -> (host, port, https), path prefix.
        self.upstreams: dict[str, tuple[str, int, bool]] = {}
        self.prefixes: dict[str, str] = {}
        self.label = label  # the template's path, in the usage log (a mutated copy's lines are told apart)
        self._lock = threading.Lock()
        self.used: set[tuple[str, str, str, str, str]] = set()  # (function, source, action pat, resource pat, via)
        self.refusals: list[Refusal] = []
        self.calls: Counter[str] = Counter()
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    def front(self, environment: dict[str, str]) -> dict[str, str]:
        """A function's environment with its service-specific endpoints (``AWS_ENDPOINT_URL_<SERVICE>``,
        the stack's End User Messaging emulators, say) pointed at this proxy too: the proxy
        forwards that service's calls to the address the variable named."""
        out = dict(environment)
        for name, value in environment.items():
            if not name.startswith("AWS_ENDPOINT_URL_") or not value:
                continue
            signing_name = _signing_name(name[len("AWS_ENDPOINT_URL_") :])
            parts = urlsplit(value)
            prefix = parts.path.rstrip("/")
            self.upstreams[signing_name] = (parts.hostname or "127.0.0.1", parts.port or 80, parts.scheme == "https")
            if prefix:
                self.prefixes[signing_name] = prefix
            out[name] = self.url + prefix
        return out

    def upstream_of_default(self) -> tuple[str, int, bool]:
        return self.upstream_host, self.upstream_port, self.upstream_https

    def upstream_of(self, request: AwsRequest) -> tuple[str, int, bool]:
        return self.upstreams.get(request.signing_name) or (self.upstream_host, self.upstream_port, self.upstream_https)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> AuthorizingProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, name="authorizing-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # ------------------------------------------------------------------ decisions

    def authorise(self, request: AwsRequest) -> tuple[Role | None, Refusal | None]:
        """The caller's role and the first refusal (None: allowed)."""
        role = self.roles.get(request.access_key)
        if role is None:
            return None, None
        pairs = aws_requests.authorised_on(request, self.lookups)
        base = self._context(role, request)
        decisions: list[tuple[Decision, str | None]] = []
        for action, resource in pairs:
            decision = evaluate(role.statements, action, resource, base)
            if not decision.allowed:
                return role, self._refuse(role, decision, None)
            decisions.append((decision, None))
        for check in service_side.checks(request, pairs, self.lookups):
            decision = evaluate(role.statements, check.action, check.resource, {**base, **check.context})
            if not decision.allowed:
                return role, self._refuse(role, decision, check.via)
            decisions.append((decision, check.via))
        self._record(role, decisions)
        return role, None

    def _context(self, role: Role, request: AwsRequest) -> dict[str, list[str]]:
        now = datetime.now(UTC)
        context = {
            "aws:PrincipalArn": [role.arn],
            "aws:PrincipalAccount": [self.lookups.account_id],
            "aws:PrincipalType": ["AssumedRole"],
            "aws:userid": [f"{role.function}:{role.function_name}"],
            "aws:RequestedRegion": [request.region],
            "aws:SecureTransport": ["true"],  # AWS endpoints are HTTPS
            "aws:CurrentTime": [now.strftime("%Y-%m-%dT%H:%M:%SZ")],
            "aws:EpochTime": [str(int(now.timestamp()))],
            "lambda:SourceFunctionArn": [
                f"arn:aws:lambda:{self.lookups.region}:{self.lookups.account_id}:function:{role.function_name}"
            ],
        }
        p = request.params
        if request.iam_prefix == "ses" and (p.get("FromEmailAddress") or p.get("Source")):
            context["ses:FromAddress"] = [aws_requests._bare_address(str(p.get("FromEmailAddress") or p.get("Source")))]
        if request.iam_prefix == "secretsmanager" and p.get("SecretId"):
            context["secretsmanager:SecretId"] = [self.lookups.secret_arn(p["SecretId"])]
        if request.iam_prefix == "dynamodb" and request.operation in ("TransactWriteItems", "TransactGetItems"):
            context["dynamodb:EnclosingOperation"] = [request.operation]
        if request.iam_prefix == "sns" and p.get("PhoneNumber"):
            context["sns:Protocol"] = ["sms"]
        return context

    def _refuse(self, role: Role, decision: Decision, via: str | None) -> Refusal:
        refusal = Refusal(role.function, decision.action, decision.resource, via, decision.explicit_deny)
        with self._lock:
            self.refusals.append(refusal)
        if self.usage_log:
            line = json.dumps(
                {
                    "template": self.label,
                    "function": role.function,
                    "refused": decision.action,
                    "on": decision.resource,
                    "via": via or "",
                }
            )
            with contextlib.suppress(OSError), open(self.usage_log, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        why = "an explicit deny" if refusal.explicit else "no identity-based policy allows it"
        asked = f" (asked by {via} in its name)" if via else ""
        print(
            f"[local-stack] {role.function}: AccessDenied: {decision.action} on {decision.resource}{asked}: {why}",
            file=sys.stderr,
            flush=True,
        )
        return refusal

    def _record(self, role: Role, decisions: list[tuple[Decision, str | None]]) -> None:
        fresh = []
        with self._lock:
            for decision, via in decisions:
                if decision.match is None:
                    continue
                match = decision.match
                entry = (role.function, match.statement.source, match.action_pattern, match.resource_pattern, via or "")
                if entry not in self.used:
                    self.used.add(entry)
                    fresh.append((entry, decision))
        if fresh and self.usage_log:
            lines = "".join(
                json.dumps(
                    {
                        "template": self.label,
                        "function": f,
                        "source": s,
                        "action": a,
                        "resource": r,
                        "resource_index": _index(d.match.statement, r) if d.match else -1,
                        "via": v,
                        "called": d.action,
                        "on": d.resource,
                    }
                )
                + "\n"
                for (f, s, a, r, v), d in fresh
            )
            with contextlib.suppress(OSError), open(self.usage_log, "a", encoding="utf-8") as fh:
                fh.write(lines)

    # ------------------------------------------------------------------ forwarding

    def resign(self, request: AwsRequest) -> dict[str, str]:
        """The request's headers signed with the stack's own credentials, for the upstream."""
        from botocore.auth import S3SigV4Auth, SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials as BotoCredentials

        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP | _DROPPED_ON_RESIGN}
        host, port, https = self.upstream_of(request)
        url = f"{'https' if https else 'http'}://{host}:{port}{request.path}"
        aws_request = AWSRequest(method=request.method, url=url, data=request.body, headers=headers)
        creds = self.upstream_credentials
        credentials = BotoCredentials(creds.access_key, creds.secret_key, creds.session_token or None)
        signer = S3SigV4Auth if request.signing_name == "s3" else SigV4Auth
        signer(credentials, request.signing_name, request.region).add_auth(aws_request)
        out = dict(aws_request.headers.items())
        out["Content-Length"] = str(len(request.body))
        return out


def _signing_name(service_id: str) -> str:
    """``PINPOINT_SMS_VOICE_V2`` (an endpoint variable's suffix) -> ``sms-voice``."""
    name = service_id.lower().replace("_", "-")
    try:
        return str(aws_requests._loader().get_service_model(name).signing_name)
    except Exception:
        return name


def _index(statement: Any, pattern: str) -> int:
    """Which of the statement's resources matched (-1: its NotResource)."""
    return statement.resources.index(pattern) if pattern in statement.resources else -1


# GET /<user pool id>/.well-known/jwks.json (or openid-configuration): what token verifiers fetch.
_PUBLIC_KEYS = re.compile(r"^/[a-z]{2}-[a-z]+-\d_[0-9A-Za-z]+/\.well-known/(jwks\.json|openid-configuration)$")


def _handler_for(proxy: AuthorizingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: without TCP_NODELAY the body waits for the
        # client's delayed ACK of the headers (40 ms on Linux) on every call.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _pass_public(self, upstream: tuple[str, int, bool]) -> None:
            host, port, https = upstream
            cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
            connection = cls(host, port, timeout=30)
            try:
                connection.request("GET", self.path)
                response = connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.close_connection = True
                return
            finally:
                connection.close()
            self.send_response(response.status)
            self.send_header("Content-Type", response.getheader("Content-Type") or "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.command == "GET" and _PUBLIC_KEYS.match(self.path):
                # A Cognito pool's published keys: public and unsigned in AWS too (no IAM applies).
                self._pass_public(proxy.upstreams.get("cognito-idp") or proxy.upstream_of_default())
                return
            try:
                request = aws_requests.parse(self.command, self.path, self.headers, body, proxy.prefixes)
            except aws_requests.Unsigned:
                self._answer(
                    *error_response(None, "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
                )
                return
            role, refusal = proxy.authorise(request)
            if role is None:
                message = "The security token included in the request is invalid."
                self._answer(*error_response(request, "UnrecognizedClientException", message, 403))
                return
            with proxy._lock:
                proxy.calls[role.function] += 1
            if refusal is not None:
                self._answer(*access_denied(request, role, refusal))
                return
            headers = proxy.resign(request)
            # A connection per call: a failure then means what it says (the endpoint, or a fault
            # proxy behind this one, dropped it), and the function sees it as such and retries;
            # no stale kept-alive connection to retry here on its behalf.
            host, port, https = proxy.upstream_of(request)
            app = None if https else embedded_moto.app_at(host, port)
            if app is not None:  # the moto server in this process: its application, no connection
                status, answer_headers, data = embedded_moto.call(
                    app, self.command, self.path, headers, body, host, port
                )
            else:
                cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
                upstream = cls(host, port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                except (http.client.HTTPException, OSError):
                    self.close_connection = True  # no answer at all, as the endpoint gave none
                    return
                finally:
                    upstream.close()
                status, answer_headers = response.status, response.getheaders()
            self.send_response(status)
            length = None
            for key, value in answer_headers:
                if key.lower() == "content-length":
                    length = value
                elif key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            # A HEAD's answer tells the length of what a GET would bring (an S3 object's size).
            self.send_header("Content-Length", (length if self.command == "HEAD" else None) or str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _relay

    return Handler


# ---------------------------------------------------------------------- AccessDenied, per protocol

# The error code each service answers an IAM refusal with (its API reference's common errors).
_DENIED_CODE = {
    "sns": "AuthorizationError",
    "ses": "AccessDenied",  # SES v1 (query); SES v2 is rest-json: AccessDeniedException
    "s3": "AccessDenied",
    "sqs": "AccessDenied",
}


def access_denied(request: AwsRequest, role: Role, refusal: Refusal) -> tuple[int, dict[str, str], bytes]:
    """AWS's answer to a refused call, worded as AWS words it."""
    why = (
        "with an explicit deny in an identity-based policy"
        if refusal.explicit
        else "because no identity-based policy allows the " + refusal.action + " action"
    )
    message = (
        f"User: {role.session_arn} is not authorized to perform: {refusal.action} on resource: {refusal.resource} {why}"
    )
    if refusal.via:
        message += f" (the {refusal.via} service asked for it in the caller's name)"
    code = _DENIED_CODE.get(request.iam_prefix, "AccessDeniedException")
    if request.protocol in ("rest-json", "json") and request.iam_prefix not in ("sqs",):
        code = "AccessDeniedException"
    return error_response(request, code, message, 403 if request.protocol not in ("json",) else 400)


def error_response(
    request: AwsRequest | None, code: str, message: str, status: int
) -> tuple[int, dict[str, str], bytes]:
    request_id = secrets.token_hex(16)
    protocol = request.protocol if request else "json"
    headers = {"x-amzn-RequestId": request_id}
    if protocol == "json":
        prefix = request.target_prefix if request else ""
        headers["Content-Type"] = f"application/x-amz-json-{request.json_version if request else '1.0'}"
        if request is not None and request.iam_prefix == "sqs":
            # SQS's JSON protocol keeps its query-era codes in this header (botocore reads it).
            headers["x-amzn-query-error"] = f"{code};Sender"
            code = "AccessDenied"
        body = json.dumps(
            {"__type": f"{prefix.lower()}#{code}" if prefix else code, "message": message, "Message": message}
        )
        return status, headers, body.encode()
    if protocol == "rest-json":
        headers["Content-Type"] = "application/json"
        headers["x-amzn-ErrorType"] = code
        return status, headers, json.dumps({"message": message, "Message": message}).encode()
    if protocol == "rest-xml":  # S3
        headers["Content-Type"] = "application/xml"
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{_xml(message)}</Message>'
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return status, headers, body.encode()
    headers["Content-Type"] = "text/xml"
    body = (
        f'<ErrorResponse xmlns="http://{request.iam_prefix if request else "aws"}.amazonaws.com/doc/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{_xml(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, headers, body.encode()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def new_stack_secret() -> str:
    return secrets.token_hex(16) + str(os.getpid()) + str(time.time_ns())
