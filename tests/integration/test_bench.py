"""``make bench`` on a tiny input: the benchmark runs end to end and writes its report.

Benchmarks are not tests; this only checks that the script works (it is what ``make bench``
runs, with small counts), not the numbers it measures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick_writes_every_section(tmp_path):
    out = tmp_path / "performance.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,  # minutes on a loaded machine: a fresh local stack per round, then the load run
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = out.read_text()
    for section in (
        "## Headline",
        "## Cold first response",
        "## Warm latency",
        "## AWS calls per interview",
        "## Load",
        "## Cost per 1,000",
    ):
        assert section in report
    # Every function of the template has its first-response row, with its sample and the answer to it
    assert "| CalcomWebhookFunction | webhook | booking_created | 200 |" in report
    assert "| OperatorApiFunction | api | create_candidate | 201 |" in report
    assert "| SenderFunction | async | scheduled_research_prompt |" in report
    assert "| bare (boto3, 1 GetItem) | baseline | | 200 |" in report
    # The lifecycle was counted: bookings and sends by email (texts go through End User Messaging,
    # which the stack serves itself, past the counter at the AWS endpoint: docs/performance.md)
    assert "warm AWS calls per interview lifecycle (3 messages)" in report
    assert "scheduler:CreateSchedule" in report and "sesv2:SendEmail" in report
