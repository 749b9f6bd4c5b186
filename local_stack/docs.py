"""``/docs``: Swagger UI for the operator API on the local stack (never deployed).

The page is the one Powertools' ``enable_swagger`` draws (its own generator), with the
swagger-ui script and stylesheet that the Powertools package bundles, served from here: nothing
comes from a CDN, so it works offline. The document is what the function's
``openapi_document()`` builds from its routes (the committed openapi.json, which a test keeps
equal); its server ``/`` is this stack, so "Try it out" sends real requests to it.

- ``GET /docs``: the page; ``GET /docs?format=json`` or ``/docs/openapi.json``: the document;
- ``GET /docs/swagger-ui-bundle.min.js``, ``/docs/swagger-ui.min.css``: the bundled assets.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .apigw import HttpResponse, json_response
from .runtime import FunctionError

if TYPE_CHECKING:
    from .runtime import Runtime

PREFIX = "/docs"
ASSETS = {"swagger-ui-bundle.min.js": "application/javascript", "swagger-ui.min.css": "text/css"}


def _asset_dir() -> Path:
    import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger_ui

    return Path(swagger_ui.__file__).parent


class Docs:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        self._document: dict[str, Any] | None = None

    def document(self) -> dict[str, Any] | None:
        """Built once, in an execution environment of the first function (of those with HTTP
        routes) whose handler module defines ``openapi_document``."""
        with self._lock:
            if self._document is None:
                for fn in self._runtime.functions.values():
                    if not fn.spec.events_of_type("HttpApi"):
                        continue
                    try:
                        document = fn.attribute("openapi_document")
                    except FunctionError:
                        continue  # logged by the runtime; this function documents nothing
                    if document is not None:
                        self._document = document
                        break
            return self._document

    def handle(self, path: str, query: dict[str, list[str]]) -> HttpResponse:
        document = self.document()
        if document is None:
            return json_response(404, {"message": "no function here documents an API"})
        rest = path[len(PREFIX) :].strip("/")
        if rest == "openapi.json" or (not rest and query.get("format") == ["json"]):
            return json_response(200, document)
        if rest in ASSETS:
            body = (_asset_dir() / rest).read_bytes()
            return HttpResponse(200, [("content-type", f"{ASSETS[rest]}; charset=utf-8")], body)
        if not rest:
            return HttpResponse(200, [("content-type", "text/html; charset=utf-8")], self._page(document).encode())
        return json_response(404, {"message": "Not Found"})

    @staticmethod
    def _page(document: dict[str, Any]) -> str:
        from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

        # As enable_swagger does: "</" escaped so the document cannot close the <script> it sits in.
        spec = json.dumps(document).replace("</", "<\\/")
        return generate_swagger_html(
            spec,
            f"{PREFIX}/swagger-ui-bundle.min.js",
            f"{PREFIX}/swagger-ui.min.css",
            PREFIX,
            None,
        )
