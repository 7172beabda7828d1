"""asctl, the operator's tool, run as a person runs it: a service and an op
with key=value pairs or JSON, a table by default and JSON with --json; health
of every service in one table; watch; the KPI report and the profit breakdown
as tables; a clear message and a non-zero exit when a service is down or an op
fails; --help on every command. (test_shrctl.py holds the old name to its
old behaviour.)"""
import json
import os
import subprocess

import harness
from test_analytics import Platform

CTL = os.path.join(harness.BIN_DIR, "asctl")


def ctl(*args, timeout=30):
    return subprocess.run([CTL] + list(args), capture_output=True, text=True, timeout=timeout)


def ok(*args):
    result = ctl(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_service_and_an_op_with_pairs_a_table_or_json(start_service):
    start_service("dispatch")
    out = ok("dispatch", "technician.upsert", "id=T-1", "name=Li Wei", "region=north",
             'skills=[{"skill":"hvac","level":3}]', "hourly_cost_cents=6000")
    assert "id: T-1" in out and "name: Li Wei" in out and "hourly_cost_cents: 6000" in out
    # The skills are an array of objects: a table of their own.
    assert "skills:\nskill  level\n" in out
    created = json.loads(ok("dispatch", "workorder.create", "--json", "customer_id=C-1",
                            "type=repair", "priority=high", "channel=phone", "region=north",
                            "description=AC not cooling", "required_skill=hvac"))
    assert created["id"] == "WO-000001" and created["status"] == "reported"
    # The same with a JSON body and the word call.
    assert json.loads(ok("call", "dispatch", "workorder.get", '{"id":"WO-000001"}', "--json"))[
        "customer_id"] == "C-1"
    listing = ok("dispatch", "workorder.list")
    header = listing.splitlines()[listing.splitlines().index("items:") + 1]
    assert header.split()[:3] == ["id", "customer_id", "type"]
    assert "WO-000001  C-1" in listing
    # A value that reads as JSON is JSON ("7" stays a string when quoted).
    result = ctl("dispatch", "workorder.get", 'id=7')
    assert result.returncode == 1 and result.stderr.startswith("invalid_argument: /body/id")
    result = ctl("dispatch", "workorder.get", "id=WO-000042")
    assert result.returncode == 1 and result.stderr == (
        "not_found: no work order WO-000042 (field /body/id)\n")
    result = ctl("dispatch", "workorder.get", ".id=1")
    assert result.returncode == 2 and result.stderr == "asctl: '.id=1': a key's part is empty\n"


def test_a_service_that_is_down_says_so():
    harness.ensure_keys("analytics")
    result = ctl("analytics", "sys.ping", "-t", "300", "-r", "0")
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.startswith("deadline_exceeded: ")
    result = ctl("kpi", "-t", "300", "-r", "0")
    assert result.returncode == 3 and "deadline_exceeded" in result.stderr


def test_health_of_every_service_in_one_table(start_service):
    start_service("dispatch")
    start_service("complaints")
    harness.ensure_keys(*harness.SERVICES)
    result = ctl("health", "-t", "500")
    assert result.returncode == 1  # not all of them run
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["service", "status", "version", "uptime", "durability",
                                "consumer", "lag", "outbox", "problem"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == set(harness.SERVICES)
    assert rows["dispatch"].split()[:3] == ["dispatch", "ok", "0.2.0"]
    assert "dispatch 0" in rows["complaints"] and " full " in rows["complaints"]
    assert rows["analytics"].split()[1] == "down"
    as_json = json.loads(ctl("health", "-t", "500", "--json").stdout)
    assert as_json["dispatch"]["health"]["status"] == "ok"
    assert as_json["analytics"]["health"] is None and as_json["analytics"]["error"]


def test_watch_replays_then_follows(start_service):
    start_service("dispatch")
    ok("dispatch", "technician.upsert", "id=T-1", "name=Li", "region=north",
       "skills=[]", "hourly_cost_cents=6000")
    out = ok("watch", "dispatch", "--from-seq", "1", "-n", "1")
    assert json.loads(out)["type"] == "technician.updated"


def test_kpi_and_profit_as_tables(start_service):
    p = Platform(start_service)
    p.desk.call("technician.upsert", {"id": "T-1", "name": "Li", "region": "north",
                                      "skills": [{"skill": "hvac", "level": 3}],
                                      "hourly_cost_cents": 6000})
    wid = p.desk.call("workorder.create", {
        "customer_id": "C-1", "type": "installation", "priority": "normal", "channel": "phone",
        "region": "north", "description": "new unit", "required_skill": "hvac"})["id"]
    p.desk.call("workorder.assign", {"id": wid})
    p.desk.call("workorder.start", {"id": wid})
    p.desk.call("workorder.complete", {"id": wid, "labour_minutes": 60,
                                       "labour_charge_cents": 12345})
    p.desk.call("workorder.accept", {"id": wid, "customer_score": 8})
    p.caught_up()
    today = p.desk.call("sys.ping")["ts"][:10]
    out = ok("kpi", "--from", today, "--to", today)
    assert out.startswith("period %s to %s, by none\n" % (today, today))
    rows = {line.split()[0]: line for line in out.splitlines() if line[:1].islower()}
    assert rows["satisfaction_score"].split()[1:3] == ["8.00", "points"]
    assert rows["value_added_share"].split()[:4] == ["value_added_share", "(CNY)", "100.00", "%"]
    assert "n/a" in rows["inventory_turnover"] and "no stock value is known" in out
    # No baseline given: growth is against the same days a year earlier, where nothing is.
    year_before = "%d%s" % (int(today[:4]) - 1, today[4:] if today[5:] != "02-29" else "-02-28")
    assert out.splitlines()[1] == ("growth against %s to %s, the same days a year earlier"
                                   " (no baseline given)" % (year_before, year_before))
    assert "nothing in %s..%s" % (year_before, year_before) in rows["profit_growth"]
    by_region = ok("kpi", "--from", today, "--to", today, "--by", "region")
    assert "\nregion north\n" in by_region
    assert json.loads(ok("kpi", "--from", today, "--to", today, "--json"))["by"] == "none"
    profit = ok("profit", "--by", "region", "--from", today, "--to", today)
    lines = profit.splitlines()
    assert lines[0] == "profit by region, the best margin first"
    north = [line for line in lines if line.startswith("north")][0].split()
    assert north[:4] == ["north", "CNY", "1", "123.45"] and north[4:7] == ["0.00", "60.00", "63.45"]
    assert [line for line in lines if line.startswith("total")][0].split()[2] == "123.45"
    result = ctl("kpi", "--from", "2026-13-01", "--to", today)
    assert result.returncode == 1 and result.stderr.startswith("invalid_argument: ")
    result = ctl("profit", "--by", "planet")
    assert result.returncode == 1 and "/body/by" in result.stderr


def test_every_command_has_help():
    result = ctl("--help")
    assert result.returncode == 0 and result.stdout.startswith("Usage: asctl [options] call")
    assert "asctl [options] <service> <op> [body-json | key=value ...]" in result.stdout
    for command in ("call", "tail", "watch", "health", "kpi", "profit", "keys"):
        result = ctl(command, "--help")
        assert result.returncode == 0 and result.stdout.startswith("Usage: asctl %s" % command)
        assert "Exit codes: " in result.stdout and result.stderr == ""
    assert "--baseline-from" in ctl("kpi", "--help").stdout
    assert "--baseline-from" not in ctl("profit", "--help").stdout
    result = ctl("health", "--by", "region")
    assert result.returncode == 2
    assert result.stderr == "asctl: health does not take --by; see asctl health --help\n"
