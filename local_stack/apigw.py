"""API Gateway HTTP API (payload format 2.0): routes, request events and response mapping."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from .runtime import Function

_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(.*\+)?json|application/(.*\+)?xml|application/x-www-form-urlencoded)$"
)


@dataclass
class Route:
    method: str  # upper case, or ANY
    path: str  # /candidates/{candidate_id}
    function: Function
    pattern: re.Pattern[str]
    params: list[str]
    specificity: tuple[int, int, int]

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


def make_route(method: str, path: str, function: Function) -> Route:
    method = method.upper()
    if path == "$default":
        return Route("ANY", path, function, re.compile(r"^/.*$"), [], (99, 0, 0))
    params = []
    regex = ""
    greedy = 0
    for segment in path.strip("/").split("/"):
        m = re.fullmatch(r"\{([^}]+?)(\+?)\}", segment)
        if m:
            params.append(m.group(1))
            if m.group(2):
                greedy = 1
                regex += f"/(?P<p{len(params) - 1}>.+)"
            else:
                regex += f"/(?P<p{len(params) - 1}>[^/]+)"
        else:
            regex += "/" + re.escape(segment) if segment else ""
    # API Gateway prefers literal routes, then fewer parameters, then exact methods over ANY.
    specificity = (greedy, len(params), 1 if method == "ANY" else 0)
    return Route(method, path, function, re.compile(f"^{regex or '/'}$"), params, specificity)


def match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in sorted(routes, key=lambda r: r.specificity):
        if route.method not in (method, "ANY"):
            continue
        m = route.pattern.match(path)
        if m:
            decoded = {name: urllib.parse.unquote(m.group(f"p{i}")) for i, name in enumerate(route.params)}
            return route, decoded
    return None


def build_event(
    *,
    route: Route,
    path_params: dict[str, str],
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    host: str,
    account_id: str,
    now: datetime,
) -> dict[str, Any]:
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    joined.setdefault("x-forwarded-for", source_ip)
    joined.setdefault("x-forwarded-proto", "http")
    joined.setdefault("x-forwarded-port", host.rsplit(":", 1)[-1] if ":" in host else "80")

    query: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value

    request_id = base64.b32encode(uuid.uuid4().bytes[:10]).decode().rstrip("=")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": joined,
        "requestContext": {
            "accountId": account_id,
            "apiId": "localapi",
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": joined.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S %z"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_params:
        event["pathParameters"] = path_params
    if body:
        content_type = joined.get("content-type", "").split(";", 1)[0].strip().lower()
        text = None
        if _TEXT_TYPES.match(content_type):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        if text is None:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
        else:
            event["body"] = text
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def json_response(status: int, payload: Any, extra_headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    return HttpResponse(
        status, [("content-type", "application/json"), *(extra_headers or [])], json.dumps(payload).encode()
    )


def map_response(result: Any) -> HttpResponse:
    """Lambda's return value → HTTP response, as the v2.0 payload format does."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Without a statusCode API Gateway assumes 200 and a JSON body; a string is the body.
        body = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("content-type", "application/json")], body.encode("utf-8"))
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name).lower(), str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name).lower(), str(v)) for v in values)
    for cookie in result.get("cookies") or []:
        headers.append(("set-cookie", str(cookie)))
    if not any(h[0] == "content-type" for h in headers):
        headers.append(("content-type", "application/json"))
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body)
    else:
        body = (raw_body if isinstance(raw_body, str) else json.dumps(raw_body)).encode("utf-8")
    return HttpResponse(int(result["statusCode"]), headers, body)
