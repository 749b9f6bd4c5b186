"""The HTTP front door: the app's routes (API Gateway HTTP API) and the ``/_local/`` controls."""

from __future__ import annotations

import json
import sys
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol

from . import apigw, console, eum_sms, eum_social
from .apigw import HttpResponse, json_response
from .clock import parse_instant
from .runtime import FunctionError

if TYPE_CHECKING:
    from .apigw import Route
    from .clock import VirtualClock
    from .controls import StackControls
    from .docs import Docs
    from .eum_sms import SmsVoiceEmulator
    from .eum_social import SocialMessagingEmulator


class ServedStack(Protocol):
    """What the server reads of the stack it serves (local_stack.stack.LocalStack)."""

    host: str
    port: int
    account_id: str
    log_requests: bool
    routes: list[Route]
    docs: Docs
    clock: VirtualClock
    sms_voice: SmsVoiceEmulator
    social: SocialMessagingEmulator
    controls: StackControls | None


# API Gateway's own payload limit; the app itself refuses more than 1 MiB.
MAX_BODY = 10 * 1024 * 1024


class _TooLarge(Exception):
    pass


class _BadRequest(Exception):
    pass


class StackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # listen()'s backlog: socketserver's default of 5 reset a third of a 40-request burst (the
    # kernel caps it at net.core.somaxconn, 4096 on current Linux).
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], stack: ServedStack) -> None:
        self.stack = stack
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StackServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, PROPFIND...) is routed too: API Gateway answers what
        # no route serves with its JSON 404, where http.server would send a 501 HTML page.
        if name.startswith("do_") and name[3:].isupper():
            return self.do_GET
        raise AttributeError(name)

    def _controls(self) -> StackControls:
        controls = self.server.stack.controls
        if controls is None:  # bound before the functions are wired: not serving yet
            raise RuntimeError("the stack is still starting")
        return controls

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, a header too long) as JSON."""
        self.close_connection = True
        phrase = message or self.responses.get(code, ("Error",))[0]
        body = json.dumps({"message": phrase}).encode()
        try:
            self.send_response(code, message)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass  # the client is gone

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.stack.log_requests:
            sys.stderr.write(f"[local-stack] {self.address_string()} {format % args}\n")

    # ------------------------------------------------------------------ plumbing

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise _TooLarge
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            # Read (and drop) a moderately oversized body so the client sees the 413
            # instead of a broken pipe; give up on absurd ones.
            if length <= 8 * MAX_BODY:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            raise _TooLarge
        return self.rfile.read(length) if length else b""

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _handle(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        try:
            body = self._read_body()
        except _TooLarge:
            self.close_connection = True  # the rest of the body is never read
            self._send(json_response(413, {"message": "Request Entity Too Large"}))
            return
        try:
            if split.path.rstrip("/") in (console.PATH, console.CLOCK_PATH):
                response = self._console(split, body)
            elif split.path.startswith("/_local/"):
                response = self._control(split.path, body)
            elif split.path.startswith("/_aws/"):
                response = self._aws(split, body)
            elif self.command in ("GET", "HEAD") and (split.path == "/docs" or split.path.startswith("/docs/")):
                response = self.server.stack.docs.handle(split.path, urllib.parse.parse_qs(split.query))
            else:
                response = self._route(split, body)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = json_response(500, {"message": "Internal Server Error"})
        self._send(response)

    # ------------------------------------------------------------------ the app

    def _route(self, split: urllib.parse.SplitResult, body: bytes) -> HttpResponse:
        stack = self.server.stack
        found = apigw.match(stack.routes, self.command, split.path)
        if found is None:
            return json_response(404, {"message": "Not Found"})
        route, params = found
        event = apigw.build_event(
            route=route,
            path_params=params,
            method=self.command,
            raw_path=split.path,
            raw_query=split.query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            host=self.headers.get("Host") or f"{stack.host}:{stack.port}",
            account_id=stack.account_id,
            now=stack.clock.now(),
        )
        try:
            result = route.function.invoke(event)
        except FunctionError:
            # Logged with the function's name by the runtime; API Gateway answers a function error so.
            return json_response(500, {"message": "Internal Server Error"})
        except Exception:
            print(f"[local-stack] {route.function.name} failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return json_response(500, {"message": "Internal Server Error"})
        finally:
            self._controls().notify_deliveries()  # what SES would publish for any email the request sent
        try:
            return apigw.map_response(result)
        except (TypeError, ValueError, KeyError):
            traceback.print_exc(file=sys.stderr)
            return json_response(500, {"message": "Internal Server Error"})

    # ------------------------------------------------------------------ AWS APIs moto lacks

    def _aws(self, split: urllib.parse.SplitResult, body: bytes) -> HttpResponse:
        """End User Messaging SMS and Social, as the functions' SDK calls them (eum_sms, eum_social)."""
        stack = self.server.stack
        headers = {k.lower(): v for k, v in self.headers.items()}
        if split.path.rstrip("/") == eum_sms.PATH and self.command == "POST":
            return stack.sms_voice.handle(headers, body)
        if split.path.startswith(eum_social.PATH + "/"):
            path = split.path[len(eum_social.PATH) :]
            return stack.social.handle(self.command, path, split.query, headers, body)
        return json_response(404, {"message": "Not Found"})

    # ------------------------------------------------------------------ console

    def _console(self, split: urllib.parse.SplitResult, body: bytes) -> HttpResponse:
        route = (self.command, split.path.rstrip("/"))
        if route in (("GET", console.PATH), ("HEAD", console.PATH)):
            return console.page(self._controls(), split.query)
        if route == ("POST", console.CLOCK_PATH):
            return console.move_clock(self._controls(), body, self.headers)
        return json_response(405, {"message": "Method Not Allowed"})

    # ------------------------------------------------------------------ controls

    def _control(self, path: str, body: bytes) -> HttpResponse:
        stack = self.server.stack
        route = (self.command, path.rstrip("/"))
        try:
            if route == ("GET", "/_local/health"):
                return json_response(200, {"status": "ok"})
            if route == ("GET", "/_local/outbox"):
                return json_response(200, self._controls().outbox())
            if route == ("POST", "/_local/clock"):
                payload = _json_object(body)
                try:
                    now = parse_instant(payload.get("now"))
                except ValueError as exc:
                    raise _BadRequest(str(exc)) from exc
                twice = payload.get("deliver_twice", False)
                if not isinstance(twice, bool):
                    raise _BadRequest("deliver_twice must be a boolean")
                return json_response(200, self._controls().set_clock(now, deliver_twice=twice))
            if route == ("GET", "/_local/clock"):
                return json_response(200, {"now": stack.clock.now().isoformat(), "set": stack.clock.is_set})
            if route == ("POST", "/_local/email"):
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                if not body.strip():
                    raise _BadRequest("the body must be a raw MIME message")
                try:
                    return json_response(202, self._controls().inbound_email(body, query.get("to")))
                except LookupError as exc:
                    # SES answers the sending server "550 Mailbox unavailable"; nothing is stored.
                    return json_response(422, {"message": str(exc)})
            if route == ("POST", "/_local/sms"):
                payload = _json_object(body)
                sender, text = payload.get("from"), payload.get("body")
                if not isinstance(sender, str) or not sender.strip():
                    raise _BadRequest("'from' must be a phone number")
                if not isinstance(text, str):
                    raise _BadRequest("'body' must be a string")
                self._controls().inbound_sms(sender.strip(), text)
                return json_response(202, {"delivered": True})
            if route == ("POST", "/_local/whatsapp"):
                payload = _json_object(body)
                sender, text = payload.get("from"), payload.get("body")
                if not isinstance(sender, str) or not sender.strip():
                    raise _BadRequest("'from' must be a phone number")
                if not isinstance(text, str):
                    raise _BadRequest("'body' must be a string")
                try:
                    self._controls().inbound_whatsapp(sender.strip(), text)
                except RuntimeError as exc:
                    return json_response(409, {"message": str(exc)})
                return json_response(202, {"delivered": True})
            if route == ("POST", "/_local/message-status"):
                payload = _json_object(body)
                channel, message_id, status = (
                    payload.get("channel"),
                    payload.get("provider_message_id"),
                    payload.get("status"),
                )
                if channel not in ("sms", "whatsapp"):
                    raise _BadRequest("'channel' must be sms or whatsapp")
                if not isinstance(message_id, str) or not message_id:
                    raise _BadRequest("'provider_message_id' must be the id a text or WhatsApp message was sent with")
                if not isinstance(status, str):
                    raise _BadRequest("'status' must be delivered, read or failed")
                try:
                    self._controls().message_status(channel, message_id, status)
                except ValueError as exc:
                    raise _BadRequest(str(exc)) from exc
                except LookupError as exc:
                    return json_response(404, {"message": str(exc)})
                return json_response(202, {"delivered": True})
            if route == ("POST", "/_local/email-event"):
                payload = _json_object(body)
                kind, address, message_id = payload.get("type"), payload.get("to"), payload.get("message_id")
                if kind not in ("bounce", "complaint"):
                    raise _BadRequest("'type' must be bounce or complaint")
                if message_id is not None and (not isinstance(message_id, str) or not message_id):
                    raise _BadRequest("'message_id' must be the SES MessageId of an email the stack sent")
                if message_id is None and (not isinstance(address, str) or "@" not in address):
                    raise _BadRequest("'to' must be the email address that bounced or complained")
                try:
                    sent = self._controls().email_event(kind, address if isinstance(address, str) else None, message_id)
                except LookupError as exc:
                    return json_response(404, {"message": str(exc)})
                return json_response(202, {"delivered": True, "message_id": sent})
        except _BadRequest as exc:
            return json_response(400, {"message": str(exc)})
        return json_response(404, {"message": "Not Found"})


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body or b"{}")
    except ValueError as exc:
        raise _BadRequest("body must be JSON") from exc
    if not isinstance(payload, dict):
        raise _BadRequest("body must be a JSON object")
    return payload
