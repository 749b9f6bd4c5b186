"""The build's bytecode step: what ``make build`` runs on .aws-sam/build, here on a small tree."""

from __future__ import annotations

import importlib.util
import py_compile
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import bytecode  # noqa: E402


def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "app.py").write_text("from pkg import mod\n\ndef lambda_handler(event, context):\n    return mod.X\n")
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "mod.py").write_text("X = 42\n")
    return tmp_path


def header(source: Path) -> bytes:
    return Path(importlib.util.cache_from_source(str(source))).read_bytes()[:16]


def test_the_build_step_writes_unchecked_hash_pycs_that_match_the_sources(tmp_path):
    # Given a tree whose module already has a timestamp-based .pyc (as a plain import writes)
    root = tree(tmp_path)
    py_compile.compile(str(root / "pkg" / "mod.py"), invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    assert bytecode.problems(root)  # the check refuses it
    # When the build step runs, as make build runs it
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bytecode.py"), str(root)], capture_output=True, text=True
    )
    # Then every .py has a hash-based, unchecked .pyc carrying the source's hash
    assert result.returncode == 0, result.stderr
    for source in root.rglob("*.py"):
        head = header(source)
        assert head[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(head[4:8], "little") == 0b01  # hash-based, not checked against the source
        assert head[8:16] == importlib.util.source_hash(source.read_bytes())
    assert bytecode.problems(root) == []


def test_the_check_fails_on_a_stale_or_missing_pyc(tmp_path):
    root = tree(tmp_path)
    assert bytecode.compile_tree(root)
    (root / "pkg" / "mod.py").write_text("X = 43\n")  # edited after compiling
    (root / "new.py").write_text("Y = 1\n")  # never compiled
    found = bytecode.problems(root)
    assert any("mod.py" in p and "does not match" in p for p in found)
    assert any("new.py" in p and "no " in p for p in found)
