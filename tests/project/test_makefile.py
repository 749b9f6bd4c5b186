"""The Makefile's targets do what their names say: each tier its own folder, `make test` all."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


TIERS = ["unit", "project", "integration", "e2e"]


def test_every_test_file_is_in_a_tier_with_its_own_conftest_and_a_name_of_its_own():
    """A folder of tests no target runs would be skipped by ``make <tier>``; one basename in two
    tiers breaks collection (the tiers are rootdir-relative modules, without __init__.py)."""
    folders = {path.parent.name for path in (ROOT / "tests").rglob("test_*.py")}
    assert folders == set(TIERS)
    assert all((ROOT / "tests" / tier / "conftest.py").is_file() for tier in TIERS)
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
@pytest.mark.parametrize("tier", TIERS)
def test_each_tier_runs_its_own_tests(tier):
    commands = [line for line in dry_run(tier).splitlines() if " -m pytest " in line]
    assert len(commands) == 1, commands  # not "Nothing to be done"
    assert commands[0].rstrip().endswith(f"tests/{tier}")


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_test_lints_then_runs_every_tier():
    plan = dry_run("test")
    [command] = [line for line in plan.splitlines() if " -m pytest " in line]
    assert "tests/" not in command  # the whole suite (pyproject's testpaths)
    assert plan.index("ruff check") < plan.index(command)
