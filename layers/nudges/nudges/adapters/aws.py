"""boto3 clients, each built once per process and only when first needed.

Standard retry mode retries throttling, 5xx and dropped connections with backoff; the short
timeouts keep a webhook answering before its provider gives up. ``AWS_ENDPOINT_URL`` (read by
boto3 itself) points every client at a local endpoint when set.

Every client comes from one shared session: a session of its own per client would load and parse
botocore's endpoint and partition data again, about 90 ms of cold start per extra client.

The Lambda runtime's botocore lacks some models the functions need (End User Messaging Social's
``socialmessaging``): the layer ships them in ``nudges/aws_models`` (``scripts/aws_models.py``),
put on the session's data path in front of any ``AWS_DATA_PATH`` the environment sets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from collections.abc import Callable


MODELS = Path(__file__).resolve().parents[1] / "aws_models"


@cache
def session() -> Any:
    """The one boto3 session of this process (hooks registered on it reach every later client),
    whose data path has the layer's own service models (read lazily, when a client needs one)."""
    import boto3
    import botocore.session

    core = botocore.session.get_session()
    core.set_config_variable("data_path", os.pathsep.join(filter(None, [str(MODELS), os.environ.get("AWS_DATA_PATH")])))
    return boto3.session.Session(botocore_session=core)


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


@dataclass(frozen=True)
class Refused:
    """An AWS call answered with one of the error codes its caller expects (a condition that
    failed, a schedule already there...): the code and the error response, which may carry the
    item as it stood (``ReturnValuesOnConditionCheckFailure``) or a transaction's reasons."""

    code: str
    response: dict[str, Any]

    @property
    def item(self) -> dict[str, Any] | None:
        return self.response.get("Item")

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return self.response.get("CancellationReasons") or []


def attempt(call: Callable[..., Any], expected: tuple[str, ...], **request: Any) -> Any:
    """``call(**request)``'s answer, or ``Refused`` when AWS refuses it with an ``expected`` error
    code; any other error is raised. The one place an AWS error code is read."""
    try:
        return call(**request)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in expected:
            return Refused(code, dict(exc.response))
        raise
