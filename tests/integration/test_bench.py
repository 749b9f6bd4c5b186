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
        timeout=300,  # each events/ sample is a first request in a new execution environment (a process)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = out.read_text()
    for section in ("## Cold init", "## Warm latency", "## AWS calls per interview", "## Load", "## Cost per 1,000"):
        assert section in report
    # Every function of the template has its cold-start row, the webhook classified as one
    assert "| CalcomWebhookFunction | webhook |" in report
    assert "| SenderFunction | async |" in report
    # The lifecycle was counted: bookings, sends by email and SMS
    assert "scheduler:CreateSchedule" in report and "sesv2:SendEmail" in report and "sns:Publish" in report
