"""One local stack (with its own embedded moto server) per test module."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from pathlib import Path

import pytest

from local_stack import LocalStack
from local_stack.client import LocalClient
from tests.fakes.ats import FakeAts

ROOT = Path(__file__).resolve().parents[2]
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def stack():
    stack = LocalStack(ROOT)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def ats():
    """A fake Lever and Greenhouse API (the webhooks read outcomes back from them)."""
    fake = FakeAts()
    fake.base = fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack_with_ats(ats):
    """A local stack whose functions call the fake ATS APIs: a module that needs them overrides
    ``stack`` with this one."""
    saved = {k: os.environ.get(k) for k in ("LEVER_API_BASE_URL", "GREENHOUSE_API_BASE_URL")}
    os.environ["LEVER_API_BASE_URL"] = f"{ats.base}/lever/v1"
    os.environ["GREENHOUSE_API_BASE_URL"] = f"{ats.base}/greenhouse/v1"
    stack = LocalStack(ROOT)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def client(stack) -> LocalClient:
    return LocalClient(stack.base_url)


@pytest.fixture
def function_logs(stack) -> list[dict]:
    """The structured (JSON) log lines the functions write during the test, as CloudWatch gets them."""
    records: list[dict] = []

    def listen(_function: str, stream: str, line: str) -> None:
        if stream == "stdout" and line.startswith("{"):
            with contextlib.suppress(ValueError):
                records.append(json.loads(line))

    stack.runtime.add_log_listener(listen)
    yield records
    stack.runtime.remove_log_listener(listen)


@pytest.fixture
def unique() -> str:
    """A suffix that keeps each test's candidate and bookings apart in the shared stack."""
    return f"t{next(_ids)}"
