"""make demo's simulator, small: it starts the platform in a fresh folder,
drives its year through the public ops, prints the KPI report of phase 4
against phase 1 with targets and the profit breakdown, and stops everything it
started."""
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
    for kpi in ("avg_repair_time", "on_time_rate", "satisfaction_score", "value_added_share",
                "profit_growth (CNY)"):
        row = [line for line in report.splitlines() if line.startswith(kpi)][0]
        assert "n/a" not in row and (" met " in row or " MISSED " in row), row
    assert "profit by type, the best margin first" in out and "\ntotal " in out
    assert "demo: done" in out
    # Nothing of it is left running: its ports are free again.
    ps = subprocess.run(["pgrep", "-f", "aftersales-demo-"], capture_output=True, text=True)
    assert ps.stdout == ""
