"""boto3 clients, each built once per process and only when first needed.

Standard retry mode retries throttling, 5xx and dropped connections with backoff; the short
timeouts keep a webhook answering before its provider gives up. ``AWS_ENDPOINT_URL`` (read by
boto3 itself) points every client at a local endpoint when set.

Every client comes from one shared session: a session of its own per client would load and parse
botocore's endpoint and partition data again, about 90 ms of cold start per extra client.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def session() -> Any:
    """The one boto3 session of this process (hooks registered on it reach every later client)."""
    import boto3

    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=3,
        read_timeout=5,
    )
    return session().client(service, config=config)


class LazyClient:
    """``client(service)``, built on its first use rather than when an adapter is wired.

    Adapters are wired with every client they might call, but a request often needs only some
    (a booking due later never touches the send queue; a Google notification never reads the
    OAuth secret): each client not built saves its service model's load on a cold start.
    """

    __slots__ = ("_service",)

    def __init__(self, service: str) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(client(self._service), name)

    def __repr__(self) -> str:
        return f"LazyClient({self._service!r})"


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
