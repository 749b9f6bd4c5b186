"""The AWS endpoint a stack uses when none is given: a moto server embedded in this process.

One server per process, started with the first stack and shared by the stacks that follow it
(each start that finds no other stack running resets it: moto keeps its backends in this process,
so a stack would otherwise meet what an earlier one left, a number that texted STOP, a delivery
already claimed). Sharing it keeps its address, so the stacks of a test run reuse their boto3
clients too (``provision.Aws``) instead of building them again at each start.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from typing import Any

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
