"""make demo's simulator, small: it starts the platform in a fresh folder,
drives its year through the public ops (work orders, parts bought and
received, feedback and follow-ups, contracts' sales), prints the KPI report of
phase 4 against phase 1 with targets, the profit breakdown and the suppliers'
scorecards, and stops everything it started."""
import re
import os
import subprocess
import sys

import harness


def test_a_small_year_prints_the_report_and_stops_its_services():
    result = subprocess.run(
        [sys.executable, os.path.join(harness.ROOT, "tools", "demo.py"), harness.BIN_DIR,
         "--orders", "200", "--technicians", "10", "--customers", "40", "--seed", "3",
         "--tick-hours", "24"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "the year is over: " in out and out.rstrip().endswith(")")
    report = out[out.index("period "):]
    for kpi in ("avg_repair_time", "on_time_rate", "complaint_rate", "satisfaction_score",
                "parts_cost_reduction (CNY)", "inventory_turnover (CNY)",
                "labour_cost_growth (CNY)", "profit_growth (CNY)", "value_added_share"):
        row = [line for line in report.splitlines() if line.startswith(kpi)][0]
        assert "n/a" not in row and (" met " in row or " MISSED " in row), row
    assert "profit by type, the best margin first" in out and "\ntotal " in out
    # The year's summary: parts came in, customers were called, contracts sold.
    summary = re.search(r"the year is over: (\d+) orders, (\d+) completed, (\d+) parts received "
                        r"\((\d+) rejected\), (\d+) follow-up calls answered, (\d+) warranties, "
                        r"(\d+) care plans, (\d+) upgrades, (\d+) loans", out)
    assert summary, out
    orders, completed, parts, _, calls, warranties, plans, _, _ = map(int, summary.groups())
    assert orders >= 190 and completed >= orders * 0.9 and parts > 0 and calls > 0
    assert warranties + plans > 0
    # The suppliers' scorecards: those the services bought from are rated.
    assert re.search(r"\nS-\d +\S.* (excellent|average|poor|very_poor) ", out), out
    assert "demo: done" in out
    # Nothing of it is left running: its ports are free again.
    ps = subprocess.run(["pgrep", "-f", "aftersales-demo-"], capture_output=True, text=True)
    assert ps.stdout == ""
