"""No module of the layer grows past what one reading takes in: 450 lines at most (issue 20). A
module that needs more holds two concepts; split it by concept, not in halves."""

from __future__ import annotations

from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "nudges" / "nudges"
MAX_LINES = 450


def test_no_layer_module_is_longer_than_450_lines():
    sizes = {str(p.relative_to(LAYER)): len(p.read_text(encoding="utf-8").splitlines()) for p in LAYER.rglob("*.py")}
    assert len(sizes) > 100  # the layer, not an empty folder
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
