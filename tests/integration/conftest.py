"""The integration tier: handlers and the local stack in-process, against moto (no HTTP client
of the stack's routes: that is the e2e tier's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest):
    """The repository's stack, fresh for the module, its clock at the module's ``NOW`` when it
    has one (a module that needs another project or stack name makes its own)."""
    with LocalStack(ROOT) as stack:
        now = getattr(request.module, "NOW", None)
        if now is not None:
            stack.set_clock(now)
        yield stack
