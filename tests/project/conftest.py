"""The project tier: what the repository ships besides the service's code (the template, the
Makefile, the README, the operator's CLI, the local stack's emulation, the scripts), checked
without starting a stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local_stack.template import load_template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """template.yaml as CloudFormation reads it (intrinsics as data), parsed once."""
    return load_template(ROOT / "template.yaml")
