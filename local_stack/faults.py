"""A fault-injecting HTTP proxy to put in front of the AWS endpoint.

It fails a stated share of calls before they arrive (503 ``ServiceUnavailable``, which
botocore retries) and, for a stated share of the calls that it forwarded and that succeeded,
loses the answer (the connection closes without a reply, or a 500 comes back although the
call took effect), the way a timeout or a load balancer does. It never loses the answer of a
message send (SES SendEmail/SendRawEmail, SNS Publish): AWS gives those no idempotency key,
so a client retry would truly send twice and no service could prevent it; everything else the
service must survive.

    with FaultProxy(upstream, fail_rate=0.1, drop_rate=0.1, seed=7) as proxy:
        LocalStack(..., endpoint_url=upstream, function_endpoint_url=proxy.url)
"""

from __future__ import annotations

import functools
import http.client
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}
_SEND_ACTIONS = {"SendEmail", "SendRawEmail", "Publish", "PublishBatch"}


def operation_of(method: str, path: str, headers: Any, body: bytes) -> str:
    """A readable name for the AWS call: ``DynamoDB_20120810.PutItem``, ``Publish``, ``POST /v2/...``."""
    target = headers.get("X-Amz-Target")
    if target:
        return str(target)
    if body and "x-www-form-urlencoded" in (headers.get("Content-Type") or ""):
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    return f"{method} {urlsplit(path).path}"


@dataclass
class Call:
    """One AWS call as the proxy forwarded it."""

    method: str
    path: str
    headers: Any
    body: bytes
    status: int
    response: bytes
    seconds: float

    @property
    def name(self) -> str:
        """``service:Operation`` as boto3 names them (``dynamodb:PutItem``, ``sesv2:SendEmail``)."""
        return aws_operation(self.method, self.path, self.headers, self.body)


_APP_ID = re.compile(r"(?:^| )app/(\S+)")
_ATTEMPT = re.compile(r"attempt=(\d+)")
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def aws_operation(method: str, path: str, headers: Any, body: bytes) -> str:
    """The boto3 ``service:Operation`` of a signed request: the service from the SigV4 credential
    scope, the operation from the JSON target, the query ``Action`` or the REST route."""
    scope = _SCOPE.search(headers.get("Authorization") or "")
    service = scope.group(1) if scope else "unknown"
    if service == "ses" and urlsplit(path).path.startswith("/v2/"):
        service = "sesv2"
    operation = operation_of(method, path, headers, body)
    if "." in operation and " " not in operation:
        return f"{service}:{operation.rsplit('.', 1)[-1]}"
    if " " not in operation:
        return f"{service}:{operation}"
    return f"{service}:{_rest_operation(service, method, urlsplit(path).path) or operation}"


@functools.cache
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], str]]:
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # an unknown service: no routes
        return []
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = str(http.get("requestUri") or "/").split("?", 1)[0]
        pattern = re.sub(r"\\\{[^}]+?\\\+\\\}", ".+", re.escape(uri))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        routes.append((str(http.get("method") or "GET"), re.compile(f"^{pattern}/?$"), name))
    # Literal routes before parameterised ones, as the services match them.
    return sorted(routes, key=lambda r: r[1].pattern.count("[^/]+") + 10 * r[1].pattern.count(".+"))


def _rest_operation(service: str, method: str, path: str) -> str | None:
    for route_method, pattern, name in _rest_routes(service):
        if route_method == method and pattern.match(path):
            return name
    return None


def is_send(operation: str) -> bool:
    """SES and SNS sends: their answers are never lost (see the module docstring)."""
    name = operation.rsplit(".", 1)[-1]
    return name in _SEND_ACTIONS or operation.startswith("POST /v2/email/outbound-emails")


class FaultProxy:
    def __init__(
        self,
        upstream: str,
        *,
        fail_rate: float = 0.0,
        drop_rate: float = 0.0,
        seed: int | None = None,
        host: str = "127.0.0.1",
        delay: Callable[[str], float] | None = None,
        observer: Callable[[Call], None] | None = None,
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.fail_rate = fail_rate
        self.drop_rate = drop_rate
        self.enabled = True
        # Seconds to hold a call (by operation name) before forwarding it: to widen a race window.
        self.delay = delay
        # Told of every call forwarded (what it asked, what came back): to count the calls.
        self.observer = observer
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()  # 503 before forwarding
        self.dropped: Counter[str] = Counter()  # answer lost after it took effect
        self.refused: Counter[str] = Counter()  # errors the upstream answered, by error code
        # By caller (the SDK's ``app/<id>`` user-agent part, ``AWS_SDK_UA_APP_ID``): calls made,
        # and retries (botocore's ``amz-sdk-request: attempt=N`` header, N > 1).
        self.calls_by_caller: Counter[str] = Counter()
        self.retries_by_caller: Counter[str] = Counter()
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def figures(self) -> dict[str, int]:
        with self._lock:
            return {
                "calls": sum(self.calls.values()),
                "failed_before": sum(self.failed.values()),
                "answers_dropped": sum(self.dropped.values()),
            }

    # decisions, under the lock so a seed gives one sequence of draws
    def _decide(self, operation: str) -> tuple[bool, str | None]:
        with self._lock:
            self.calls[operation] += 1
            if not self.enabled:
                return False, None
            if self._random.random() < self.fail_rate:
                self.failed[operation] += 1
                return True, None
            if is_send(operation) or self._random.random() >= self.drop_rate:
                return False, None
            return False, self._random.choice(("close", "500"))

    def _count_caller(self, headers: Any) -> None:
        found = _APP_ID.search(headers.get("User-Agent") or "")
        caller = found.group(1) if found else "-"
        attempt = _ATTEMPT.search(headers.get("amz-sdk-request") or "")
        with self._lock:
            self.calls_by_caller[caller] += 1
            if attempt and int(attempt.group(1)) > 1:
                self.retries_by_caller[caller] += 1

    def _count_drop(self, operation: str) -> None:
        with self._lock:
            self.dropped[operation] += 1


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            operation = operation_of(self.command, self.path, self.headers, body)
            proxy._count_caller(self.headers)
            fail, drop = proxy._decide(operation)
            pause = proxy.delay(operation) if proxy.delay is not None else 0.0
            if pause > 0:
                time.sleep(pause)
            if fail:
                self._answer(503, _error_body(self.headers, "ServiceUnavailable"), self.headers)
                return
            started = time.perf_counter()
            upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                status = response.status
                reply_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            finally:
                upstream.close()
            if proxy.observer is not None:
                proxy.observer(
                    Call(self.command, self.path, self.headers, body, status, data, time.perf_counter() - started)
                )
            if status >= 400:
                code = response.getheader("x-amzn-ErrorType") or str(status)
                with proxy._lock:
                    proxy.refused[code.split(":", 1)[0]] += 1
            if drop and status < 400:
                proxy._count_drop(operation)
                if drop == "close":
                    self.close_connection = True  # no answer at all: the client sees the connection drop
                    return
                self._answer(500, _error_body(self.headers, "InternalFailure"), self.headers)
                return
            self.send_response(status)
            for key, value in reply_headers:
                if key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _answer(self, status: int, body_and_type: tuple[bytes, str, str], _request_headers: Any) -> None:
            body, content_type, code = body_and_type
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("x-amzn-ErrorType", code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _relay

    return Handler


def _error_body(headers: Any, code: str) -> tuple[bytes, str, str]:
    """An error body in the shape the request's protocol expects (JSON or query/XML)."""
    message = "injected fault"
    if headers.get("X-Amz-Target") or "json" in (headers.get("Content-Type") or ""):
        return (f'{{"__type":"{code}","message":"{message}"}}'.encode(), "application/x-amz-json-1.0", code)
    xml = (
        f"<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
    )
    return xml.encode(), "text/xml", code
