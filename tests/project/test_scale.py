"""make scale: the synthetic month runs through the real planner and prints its table.

Given 10 thousand interviews a month, when scripts/scale.py replays them, then the table names
each volume with its pending schedules, Scheduler request rates, deliveries, hot keys and cost,
and the spread takes the quiet-hours release down from one second's burst.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _scale():
    spec = importlib.util.spec_from_file_location("scale", ROOT / "scripts" / "scale.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("scale", module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_a_month_of_ten_thousand_interviews_is_measured() -> None:
    scale = _scale()
    tally, _month_start, sample = scale.simulate(2000)
    assert sample == 2000
    assert sum(tally.creates.values()) > 2000  # research prompt, thank-you, follow-up a booking
    assert sum(tally.fires.values()) > 0 and sum(tally.deletes.values()) > 0
    # The spread: a zone's released nudges leave over many seconds, not in one.
    assert max(tally.released.values()) < max(tally.released_unspread.values())
    table = scale.report([10_000], 2000)
    [row] = [line for line in table.splitlines() if line.startswith("| 10,000 |")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 13
    assert all(cells), row
    assert cells[-2].replace(",", "").replace(".", "").isdigit()  # infrastructure USD


def test_the_doc_holds_the_measured_table() -> None:
    text = (ROOT / "docs" / "scale.md").read_text()
    begin, end = text.index("<!-- scale:begin -->"), text.index("<!-- scale:end -->")
    table = text[begin:end]
    for volume in ("| 10,000 |", "| 1,000,000 |", "| 10,000,000 |"):
        assert volume in table
