"""Swagger UI at /docs on the local stack: the page, its assets (from the Powertools package, no
CDN) and the document load over HTTP, and a request made as "Try it out" makes it is answered."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger_ui

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as reply:
        return reply.status, reply.headers.get("content-type", ""), reply.read()


def test_docs_page_loads_swagger_ui_from_the_stack_itself(stack):
    status, content_type, body = _get(f"{stack.base_url}/docs")
    assert status == 200 and content_type.startswith("text/html")
    page = body.decode()
    assert "SwaggerUIBundle" in page
    # Every script and stylesheet is served by the stack (no CDN: this works offline).
    sources = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page)
    assert sorted(sources) == ["/docs/swagger-ui-bundle.min.js", "/docs/swagger-ui.min.css"]
    for source in sources:
        status, _, asset = _get(f"{stack.base_url}{source}")
        assert status == 200
        assert asset == (Path(swagger_ui.__file__).parent / source.rsplit("/", 1)[1]).read_bytes()
    # The document is in the page, as enable_swagger puts it.
    assert '"title": "Interview Nudges operator API"' in page


def test_docs_serve_the_committed_document(stack):
    committed = json.loads((ROOT / "openapi.json").read_text())
    for path in ("/docs?format=json", "/docs/openapi.json"):
        status, content_type, body = _get(f"{stack.base_url}{path}")
        assert status == 200 and content_type.startswith("application/json")
        assert json.loads(body) == committed


def test_try_it_out_reaches_the_stack(stack, client, unique):
    # Swagger UI sends requests to the document's first server, "/": the stack that served it.
    _, _, body = _get(f"{stack.base_url}/docs/openapi.json")
    document = json.loads(body)
    assert document["servers"][0]["url"] == "/"
    reply = client.request("POST", "/candidates", {"email": f"docs-{unique}@example.org", "timezone": "Europe/London"})
    assert reply.status == 201
    schema = document["components"]["schemas"]["Candidate"]
    assert set(reply.body) == set(schema["properties"])
