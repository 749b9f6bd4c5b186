"""One local stack (with its own embedded moto server) per test module."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from local_stack import LocalStack
from local_stack.client import LocalClient

ROOT = Path(__file__).resolve().parents[2]
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def stack():
    stack = LocalStack(ROOT)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def client(stack) -> LocalClient:
    return LocalClient(stack.base_url)


@pytest.fixture
def unique() -> str:
    """A suffix that keeps each test's candidate and bookings apart in the shared stack."""
    return f"t{next(_ids)}"
