"""The AWS endpoint a stack uses when none is given: a moto server embedded in this process.

One server per process, started with the first stack and shared by the stacks that follow it
(each start that finds no other stack running resets it: moto keeps its backends in this process,
so a stack would otherwise meet what an earlier one left, a number that texted STOP, a delivery
already claimed). Sharing it keeps its address, so the stacks of a test run reuse their boto3
clients too (``provision.Aws``) instead of building them again at each start.

The authorising proxy, in the same process, hands the calls it allows to the server's WSGI
application directly (``app_at``, ``call``): the same request as over HTTP (werkzeug builds the
environment its own HTTP server would), without a connection, a thread and a parse per call.
Calls from elsewhere (the stack's own clients, a test's boto3) still come over HTTP.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from typing import Any

from werkzeug.test import EnvironBuilder, run_wsgi_app

from . import moto_speedups

_server: Any = None
_lock = threading.Lock()


def endpoint(*, reset: bool) -> str:
    """The embedded server's URL (started on first use); ``reset``: forget every backend's state."""
    global _server
    with _lock:
        if _server is None:
            from moto.server import ThreadedMotoServer

            moto_speedups.install()
            # werkzeug logs every request moto serves; the stack's output is for the functions.
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            _server = server
        host, port = _server.get_host_and_port()
    url = f"http://{host}:{port}"
    if reset:
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=30).close()
    return url


def app_at(host: str, port: int) -> Any:
    """The embedded server's WSGI application when ``host:port`` is its address, else None."""
    server = _server
    if server is None:
        return None
    return server._server.app if (host, port) == server.get_host_and_port() else None


def call(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes, host: str, port: int
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to ``app`` as werkzeug's HTTP server would pass it: status, headers, body."""
    builder = EnvironBuilder(path=path, base_url=f"http://{host}:{port}", method=method, headers=headers, data=body)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    environ["RAW_URI"] = environ["REQUEST_URI"]  # werkzeug's server sets both
    chunks, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    try:
        data = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return int(status.split(" ", 1)[0]), list(response_headers.items()), data


def is_embedded(url: str) -> bool:
    """Whether ``url`` is the embedded server's (so its models can be read in this process)."""
    server = _server
    if server is None:
        return False
    host, port = server.get_host_and_port()
    return url.rstrip("/") == f"http://{host}:{port}"


def models(service: str, fields: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """What moto's ``/moto-api/data.json`` lists for one service, only ``fields`` of each model
    instance, read in this process (the dump builds every model of every service, each time)."""
    from moto.core.model_instances import model_data

    out: dict[str, list[dict[str, Any]]] = {}
    for name, model in sorted((model_data.get(service) or {}).items()):
        out[name] = [
            {field: getattr(instance, field) for field in fields if hasattr(instance, field)}
            for instance in list(model.instances_tracked)
        ]
    return out
