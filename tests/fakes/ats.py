"""A stand-in for the Lever Data API and the Greenhouse Harvest API, for tests and local play.

Serves, on a loopback port, the few read-only endpoints the webhooks read back from, with Basic
auth checked against the API keys the local stack installs. Point the stack at it with
``LEVER_API_BASE_URL=<url>/lever/v1`` and ``GREENHOUSE_API_BASE_URL=<url>/greenhouse/v1``. Responses
have the providers' published shapes (Lever wraps each object in ``{"data": ...}``; Harvest
answers with the bare object).
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeAts:
    def __init__(
        self, lever_key: str = "local-lever-api-key", greenhouse_key: str = "local-greenhouse-api-key"
    ) -> None:
        self.keys = {"lever": lever_key, "greenhouse": greenhouse_key}
        # path (after /lever/v1 or /greenhouse/v1) -> object
        self.lever: dict[str, dict[str, Any]] = {}
        self.greenhouse: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (provider, path with query)
        self.down: set[str] = set()  # providers whose API answers 503 (an outage)
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ data
    def lever_opportunity(
        self,
        opportunity_id: str,
        *,
        emails: list[str],
        stage: str,
        owner_email: str,
        archived_reason: str | None = None,
        name: str = "Ada Lovelace",
    ) -> None:
        self.lever[f"/opportunities/{opportunity_id}"] = {
            "id": opportunity_id,
            "name": name,
            "contact": f"contact-{opportunity_id}",
            "emails": emails,
            "stage": {"id": f"stage-{stage.lower()}", "text": stage},
            "owner": {"id": "user-owner", "name": "Hiring Manager", "email": owner_email},
            "archived": {"archivedAt": 1898500000000, "reason": archived_reason} if archived_reason else None,
            "createdAt": 1898400000000,
        }

    def lever_archive_reason(self, reason_id: str, text: str, type_: str) -> None:
        self.lever[f"/archive_reasons/{reason_id}"] = {"id": reason_id, "text": text, "status": "active", "type": type_}

    def greenhouse_application(
        self, application_id: int, candidate_id: int, *, emails: list[str], user_id: int, user_email: str
    ) -> None:
        self.greenhouse[f"/applications/{application_id}"] = {
            "id": application_id,
            "candidate_id": candidate_id,
            "prospect": False,
            "status": "active",
            "current_stage": {"id": 7, "name": "Offer"},
            "jobs": [{"id": 4690, "name": "Robotics software engineer"}],
        }
        self.greenhouse[f"/candidates/{candidate_id}"] = {
            "id": candidate_id,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email_addresses": [{"value": e, "type": "personal"} for e in emails],
            "application_ids": [application_id],
        }
        self.greenhouse[f"/users/{user_id}"] = {
            "id": user_id,
            "name": "Hiring Manager",
            "primary_email_address": user_email,
            "emails": [user_email],
            "disabled": False,
        }

    # ------------------------------------------------------------------ server
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                provider, _, rest = url.path.lstrip("/").partition("/v1")
                store = {"lever": fake.lever, "greenhouse": fake.greenhouse}.get(provider)
                fake.requests.append((provider, rest + (f"?{url.query}" if url.query else "")))
                expected = "Basic " + base64.b64encode(f"{fake.keys.get(provider, '')}:".encode()).decode()
                if store is None:
                    return self._answer(404, {"message": "no such API"})
                if provider in fake.down:
                    return self._answer(503, {"message": "Service Unavailable"})
                if self.headers.get("Authorization") != expected:
                    return self._answer(401, {"code": "Unauthorized", "message": "bad API key"})
                found = store.get(rest)
                if found is None:
                    return self._answer(404, {"code": "ResourceNotFound", "message": f"{rest} not found"})
                if provider == "lever":
                    found = dict(found)
                    expand = parse_qs(url.query).get("expand", [])
                    for field in ("stage", "owner"):
                        if field not in expand and isinstance(found.get(field), dict):
                            found[field] = found[field]["id"]  # unexpanded: just the id
                    return self._answer(200, {"data": found})
                return self._answer(200, found)

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="fake-ats", daemon=True).start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
