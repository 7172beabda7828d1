"""Analytics against a known history: the other services driven through their
public ops (real processes, real sockets), every indicator computed again
here from what the test did and what the sources' own ops say, and compared
to the cent and the second; the groupings, technician performance, the profit
breakdown, kpi.explain down to each event's seq, targets, and a rebuild from
the sources' replay that ends with the same figures."""
import datetime
import os
import shutil
import sqlite3

import pytest

from harness import CallError, new_key, wait_until

H = 3600 * 1000
DAY = 24 * H
VALUE_ADDED = {"installation", "upgrade", "consulting"}
TECHS = {"T-1": ("north", 6000), "T-2": ("south", 4500)}

MODELS = ("AC-200", "AC-300")  # the products the orders are about, in turn


def day_of(ms):
    return ms // DAY


def date_of(day):
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()


class Platform:
    """dispatch and complaints on the test clock, analytics following both."""

    def __init__(self, start_service):
        clock = {"SHR_TEST_CLOCK": "1"}
        self.dispatch = start_service("dispatch", env=clock)
        self.complaints = start_service("complaints", env=clock)
        self.analytics = start_service("analytics")
        self.desk = self.dispatch.client()
        self.crm = self.complaints.client()
        self.an = self.analytics.client()

    def advance(self, ms):
        for client in (self.desk, self.crm):
            client.call("test.clock.advance", {"by_ms": ms})

    def caught_up(self):
        """Waits until analytics applied every event both sources have."""
        last = {name: client.call("events.replay", {"from_seq": 1, "limit": 1})["last_seq"]
                for name, client in (("dispatch", self.desk), ("complaints", self.crm))}

        def done():
            consumers = self.an.call("sys.health")["consumers"]
            return all(c["applied_seq"] >= last.get(c["source"], 0) for c in consumers)
        wait_until(done, timeout=20, what="analytics caught up with %s" % last)


class History:
    """What the test did, kept to compute the indicators again."""

    def __init__(self, p):
        self.p = p
        self.jobs = []    # completed work orders, with their money and times
        self.scores = []  # (at_ms, score, workorder id)

    def job(self, customer, type_, region, tech, minutes, hours, parts=(), charge=0, fees=0,
            warranty=False, score=None, survey=None, reject=False):
        p = self.p
        model = MODELS[len(self.jobs) % len(MODELS)]  # across types, regions and technicians
        wid = p.desk.call("workorder.create", {
            "customer_id": customer, "type": type_, "priority": "normal", "channel": "phone",
            "region": region, "description": "job", "required_skill": "hvac",
            "product_model": model, "in_warranty": warranty})["id"]
        p.desk.call("workorder.assign", {"id": wid, "technician_id": tech})
        p.desk.call("workorder.start", {"id": wid})
        p.advance(hours * H)
        p.desk.call("workorder.complete", {
            "id": wid, "labour_minutes": minutes, "labour_charge_cents": charge,
            "fees_cents": fees, "parts_used": [
                {"part_id": pid, "qty": q, "unit_price_cents": pr, "unit_cost_cents": c}
                for pid, q, pr, c in parts]})
        order = p.desk.call("workorder.get", {"id": wid})
        times = order["times"]
        reported, completed, due = (ms(times[k]) for k in ("reported_at", "completed_at", "due_at"))
        labour_cost = (minutes * TECHS[tech][1] + 30) // 60
        parts_cost = sum(q * c for _, q, _, c in parts)
        revenue = 0 if warranty else charge + fees + sum(q * pr for _, q, pr, _ in parts)
        job = {"id": wid, "type": type_, "region": region, "tech": tech, "model": model,
               "completed": completed,
               "repair_s": (completed - reported) // 1000, "on_time": completed <= due,
               "labour": labour_cost, "parts": parts_cost, "revenue": revenue,
               "margin": revenue - labour_cost - parts_cost, "rework": False}
        # What the test expects is what dispatch recorded: the model of the money is right.
        assert (order["money"]["labour_cost_cents"], order["money"]["total_charge_cents"],
                order["money"]["margin_cents"]) == (labour_cost, revenue, job["margin"])
        assert hours * 3600 <= job["repair_s"] <= hours * 3600 + 5
        self.jobs.append(job)
        if reject:
            p.advance(H)
            p.desk.call("workorder.reject", {"id": wid, "reason": "still broken"})
            job["rework"] = True
        elif score is not None:
            p.desk.call("workorder.accept", {"id": wid, "customer_score": score})
            accepted = ms(p.desk.call("workorder.get", {"id": wid})["times"]["accepted_at"])
            self.scores.append((accepted, score, wid))
        else:
            p.desk.call("workorder.accept", {"id": wid})
            if survey is not None:
                wait_until(lambda: p.crm.call("survey.list", {"workorder_id": wid})["items"],
                           what="the survey of " + wid)
                sid = p.crm.call("survey.list", {"workorder_id": wid})["items"][0]["id"]
                answered = p.crm.call("survey.answer", {"id": sid, "score": survey})
                self.scores.append((ms(answered["answered_at"]), survey, wid))
        return wid


def ms(text):
    when = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)
    return int(when.timestamp() * 1000 + 0.5)


def expected(history, complaints, customers, first, last, group=lambda job: None, key=None):
    """Every indicator of days first..last, computed here: {kpi: value} for one group."""
    jobs = [j for j in history.jobs if first <= day_of(j["completed"]) <= last
            and (key is None or group(j) == key)]
    by_id = {j["id"]: j for j in history.jobs}
    scores = [s for at, s, wid in history.scores if first <= day_of(at) <= last
              and (key is None or group(by_id[wid]) == key)]
    out = {}
    if jobs:
        out["avg_repair_time"] = sum(j["repair_s"] for j in jobs) / len(jobs)
        out["on_time_rate"] = 100.0 * sum(j["on_time"] for j in jobs) / len(jobs)
        revenue = sum(j["revenue"] for j in jobs)
        if revenue:
            out["value_added_share"] = 100.0 * sum(
                j["revenue"] for j in jobs if j["type"] in VALUE_ADDED) / revenue
    if scores:
        out["satisfaction_score"] = sum(scores) / len(scores)
    known = [c for c in customers if day_of(ms(c["created_at"])) <= last]
    received = [c for c in complaints if first <= day_of(ms(c["received_at"])) <= last]
    if known:
        out["complaint_rate"] = 100.0 * len(received) / len(known)
    out["_labour"] = sum(j["labour"] for j in jobs)
    out["_margin"] = sum(j["margin"] for j in jobs)
    out["_jobs"] = jobs
    return out


def growth(now, base):
    return 100.0 * (now - base) / abs(base)


def kpis(group):
    return {k["kpi"]: k for k in group["kpis"]}


def test_every_indicator_to_the_cent_and_the_second(start_service, tmp_path):
    p = Platform(start_service)
    for tid, (region, cost) in TECHS.items():
        p.desk.call("technician.upsert", {"id": tid, "name": "Tech " + tid, "region": region,
                                          "skills": [{"skill": "hvac", "level": 3}],
                                          "hourly_cost_cents": cost, "max_jobs": 50})
    for hid, level in (("A-1", "agent"), ("M-1", "manager")):
        p.crm.call("handler.upsert", {"id": hid, "name": hid, "level": level,
                                      "categories": ["service_quality", "billing"]})
    for cid, region in (("C-1", "north"), ("C-2", "north"), ("C-3", "south")):
        p.crm.call("customer.upsert", {"id": cid, "name": "Customer " + cid, "region": region,
                                       "consent": True})
    h = History(p)
    start = p.desk.call("sys.ping")["ts"]
    base_first = day_of(ms(start))

    # The baseline: slow, late, few value-added jobs; a rework; a complaint.
    h.job("C-1", "repair", "north", "T-1", 90, 30, parts=[("P-1", 2, 5000, 3000)], charge=9000,
          score=8)
    h.job("C-2", "repair", "north", "T-1", 45, 20, charge=4500, fees=1000, reject=True)
    h.job("C-3", "installation", "south", "T-2", 120, 5, charge=20000, score=4)  # recovery case
    h.job("C-3", "repair", "south", "T-2", 60, 3, warranty=True, parts=[("P-2", 1, 0, 7000)],
          survey=9)
    p.crm.call("complaint.create", {"customer_id": "C-1", "kind": "complaint", "channel": "phone",
                                    "category": "billing", "severity": "medium",
                                    "text": "charged twice"})
    p.crm.call("complaint.create", {"customer_id": "C-2", "kind": "suggestion", "channel": "web",
                                    "category": "other", "severity": "low", "text": "open Sundays"})
    base_last = day_of(ms(p.desk.call("sys.ping")["ts"]))

    # Ten days on, the period: quicker, more value-added work, a new customer.
    p.advance(10 * DAY)
    first = day_of(ms(p.desk.call("sys.ping")["ts"]))
    p.crm.call("customer.upsert", {"id": "C-4", "name": "Customer C-4", "region": "south"})
    h.job("C-1", "upgrade", "north", "T-1", 30, 1, charge=15000, parts=[("P-3", 1, 8000, 5000)],
          score=10)
    h.job("C-4", "consulting", "south", "T-2", 60, 2, charge=12000, survey=7)
    h.job("C-5", "repair", "north", "T-1", 75, 2, charge=7500, score=9)  # C-5 joins from the order
    h.job("C-3", "maintenance", "south", "T-2", 50, 1, charge=5000)
    wid = h.jobs[-1]["id"]
    p.crm.call("complaint.create", {"customer_id": "C-3", "kind": "complaint", "channel": "email",
                                    "category": "service_quality", "severity": "low",
                                    "text": "technician was rude", "workorder_id": wid})
    last = day_of(ms(p.desk.call("sys.ping")["ts"]))
    assert last - first < 5 and first - base_last >= 9
    p.caught_up()

    complaints = [c for c in p.crm.call("complaint.list", {"limit": 500})["items"]
                  if c["kind"] == "complaint"]
    customers = p.crm.call("customer.list", {"limit": 500})["items"]
    assert len(customers) == 5 and len(complaints) == 3  # the recovery case of the score 4 counts
    period = {"from": date_of(first), "to": date_of(last)}
    baseline = {"baseline_from": date_of(base_first), "baseline_to": date_of(base_last)}
    report = p.an.call("kpi.report", dict(period, **baseline))
    assert report["by"] == "none" and len(report["groups"]) == 1
    got = kpis(report["groups"][0])
    now = expected(h, complaints, customers, first, last)
    base = expected(h, complaints, customers, base_first, base_last)
    for name in ("avg_repair_time", "on_time_rate", "complaint_rate", "satisfaction_score",
                 "value_added_share"):
        assert got[name]["available"], got[name]
        assert got[name]["value"] == now[name], name
        assert got[name]["baseline"] == base[name], name
        assert got[name]["change"] == now[name] - base[name], name
    assert got["avg_repair_time"]["facts"] == 4 and got["avg_repair_time"]["unit"] == "s"
    assert got["labour_cost_growth"]["amount"] == now["_labour"]
    assert got["labour_cost_growth"]["baseline_amount"] == base["_labour"]
    assert got["labour_cost_growth"]["value"] == growth(now["_labour"], base["_labour"])
    assert got["profit_growth"]["amount"] == now["_margin"]
    assert got["profit_growth"]["value"] == growth(now["_margin"], base["_margin"])
    assert got["labour_cost_growth"]["currency"] == "CNY"
    # No inventory or procurement ran: no parts bought, no stock known.
    assert not got["parts_cost_reduction"]["available"]
    assert got["parts_cost_reduction"]["value"] is None
    assert "no parts were received" in got["parts_cost_reduction"]["reason"]
    assert not got["inventory_turnover"]["available"]
    assert "no stock value is known" in got["inventory_turnover"]["reason"]

    # Per region: complaints over the region's customers; per technician and type.
    by_region = {g["group"]: kpis(g) for g in p.an.call("kpi.report", dict(period, by="region"))[
        "groups"]}
    assert set(by_region) == {"north", "south"}
    for region in ("north", "south"):
        mine = [c for c in customers if c["region"] == region]
        exp = expected(h, [c for c in complaints if c["region"] == region], mine, first, last,
                       group=lambda j: j["region"], key=region)
        for name in ("avg_repair_time", "on_time_rate", "complaint_rate", "satisfaction_score"):
            assert by_region[region][name]["value"] == exp[name], (region, name)
    by_tech = {g["group"]: kpis(g) for g in p.an.call("kpi.report", dict(period, by="technician"))[
        "groups"]}
    for tech in TECHS:
        exp = expected(h, [], customers, first, last, group=lambda j: j["tech"], key=tech)
        for name in ("avg_repair_time", "on_time_rate", "satisfaction_score", "value_added_share"):
            assert by_tech[tech][name]["value"] == exp[name], (tech, name)
    # The complaint about T-2's order counts for T-2, over all customers.
    assert by_tech["T-2"]["complaint_rate"]["value"] == 100.0 * 1 / 5
    by_type = {g["group"]: kpis(g) for g in p.an.call("kpi.report", dict(period, by="type"))[
        "groups"]}
    assert set(by_type) == {"upgrade", "consulting", "repair", "maintenance"}
    assert by_type["maintenance"]["complaint_rate"]["value"] == 100.0 * 1 / 5
    assert by_type["upgrade"]["value_added_share"]["value"] == 100.0
    assert by_type["repair"]["value_added_share"]["value"] == 0.0
    # Per product model, as dispatch's events carry it.
    by_model = {g["group"]: kpis(g) for g in p.an.call(
        "kpi.report", dict(period, by="product_model"))["groups"]}
    models = {j["model"] for j in expected(h, [], customers, first, last)["_jobs"]}
    assert set(by_model) == models and len(models) == len(MODELS)
    for model in models:
        exp = expected(h, [], customers, first, last, group=lambda j: j["model"], key=model)
        for name in ("avg_repair_time", "on_time_rate", "satisfaction_score", "value_added_share"):
            assert by_model[model][name].get("value") == exp.get(name), (model, name)

    # Whole months come from the monthly roll-ups, the days around them from
    # the daily ones: the same figures whichever way a period is cut.
    month_first = datetime.date.fromisoformat(date_of(base_first)).replace(day=1)
    after = datetime.date.fromisoformat(date_of(last)).replace(day=28) + datetime.timedelta(4)
    month_last = after - datetime.timedelta(after.day)
    span = (month_first - datetime.date(1970, 1, 1)).days, (month_last - datetime.date(
        1970, 1, 1)).days
    for first_day, last_day in ((span[0], span[1]), (span[0] + 1, span[1]),
                                (span[0], span[1] - 1), (base_first, last)):
        whole = kpis(p.an.call("kpi.report", {"from": date_of(first_day),
                                              "to": date_of(last_day)})["groups"][0])
        exp = expected(h, complaints, customers, first_day, last_day)
        for name in ("avg_repair_time", "on_time_rate", "satisfaction_score", "complaint_rate"):
            assert whole[name]["value"] == exp[name], (first_day, last_day, name)
        assert whole["profit_growth"]["amount"] == exp["_margin"]

    # Technician performance over both periods: first-time fix and rework.
    everything = {"from": date_of(base_first), "to": date_of(last)}
    perf = {t["technician_id"]: t for t in
            p.an.call("technician.performance", everything)["items"]}
    for tech in TECHS:
        jobs = [j for j in h.jobs if j["tech"] == tech]
        scores = [s for _, s, wid in h.scores if any(j["id"] == wid for j in jobs)]
        reworks = sum(j["rework"] for j in jobs)
        t = perf[tech]
        assert t["jobs"] == len(jobs)
        assert t["avg_repair_s"] == sum(j["repair_s"] for j in jobs) / len(jobs)
        assert t["on_time_pct"] == 100.0 * sum(j["on_time"] for j in jobs) / len(jobs)
        assert t["rework_pct"] == 100.0 * reworks / len(jobs)
        assert t["first_time_fix_pct"] == 100.0 * (len(jobs) - reworks) / len(jobs)
        assert t["mean_score"] == sum(scores) / len(scores) and t["scores"] == len(scores)
        assert t["money"] == [{"currency": "CNY",
                               "revenue_cents": sum(j["revenue"] for j in jobs),
                               "parts_cost_cents": sum(j["parts"] for j in jobs),
                               "labour_cost_cents": sum(j["labour"] for j in jobs),
                               "margin_cents": sum(j["margin"] for j in jobs)}]

    # The profit breakdown by region, the best margin first.
    profit = p.an.call("profit.breakdown", dict(everything, by="region"))
    rows = {}
    for j in h.jobs:
        row = rows.setdefault(j["region"], [0, 0, 0, 0, 0])
        for i, k in enumerate(("revenue", "parts", "labour", "margin")):
            row[i] += j[k]
        row[4] += 1
    want = sorted(rows.items(), key=lambda kv: -kv[1][3])
    assert [(i["group"], i["revenue_cents"], i["parts_cost_cents"], i["labour_cost_cents"],
             i["margin_cents"], i["jobs"]) for i in profit["items"]] == [
        (g, r[0], r[1], r[2], r[3], r[4]) for g, r in want]
    total_margin = sum(r[3] for r in rows.values())
    assert profit["totals"][0]["margin_cents"] == total_margin
    assert profit["items"][0]["share_of_margin_pct"] == 100.0 * want[0][1][3] / total_margin

    # kpi.explain: the facts behind the period's repair time, each one event of dispatch.
    completed = {e["key"]: e for e in p.desk.call("events.replay", {"from_seq": 1, "limit": 1000})[
        "events"] if e["type"] == "workorder.completed"}
    facts, cursor = [], None
    while True:
        body = dict(period, kpi="avg_repair_time", limit=3)
        if cursor:
            body["cursor"] = cursor
        page = p.an.call("kpi.explain", body)
        facts += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted((f["key"], f["seq"], f["value"]) for f in facts) == sorted(
        (j["id"], completed[j["id"]]["seq"], j["repair_s"]) for j in now["_jobs"])
    assert all(f["source"] == "dispatch" and f["type"] == "workorder.completed" for f in facts)
    tech_facts = p.an.call("kpi.explain", dict(period, kpi="satisfaction_score", by="technician",
                                               group="T-2"))["items"]
    assert sorted((f["source"], f["value"]) for f in tech_facts) == [("complaints", 7)]

    # Targets: set by a manager, judged in the report.
    manager = p.analytics.client(key=new_key("boss", "manager"))
    reader = p.analytics.client(key=new_key("viewer", "reader"))
    assert reader.error("kpi.targets.set", {"targets": [{"kpi": "on_time_rate", "target": 90}]})[
        "code"] == "permission_denied"
    set_ = manager.call("kpi.targets.set", {"targets": [
        {"kpi": "on_time_rate", "target": 90}, {"kpi": "avg_repair_time", "target": 50},
        {"kpi": "labour_cost_growth", "target": 5}]})
    targets = {t["kpi"]: t for t in set_["targets"]}
    assert targets["on_time_rate"]["target"] == 90 and targets["on_time_rate"]["set_by"] == "boss"
    assert targets["complaint_rate"]["target"] is None
    got = kpis(p.an.call("kpi.report", dict(period, **baseline))["groups"][0])
    assert got["on_time_rate"]["met"] == (now["on_time_rate"] >= 90)
    change_pct = 100.0 * (now["avg_repair_time"] - base["avg_repair_time"]) / base[
        "avg_repair_time"]
    assert got["avg_repair_time"]["met"] == (change_pct <= -50)
    assert got["labour_cost_growth"]["met"] == (growth(now["_labour"], base["_labour"]) <= 5)
    assert got["complaint_rate"]["met"] is None
    manager.call("kpi.targets.set", {"targets": [{"kpi": "on_time_rate", "target": None}]})
    assert p.an.call("kpi.targets.get")["targets"][1]["target"] is None

    # With a baseline, growth is against it; the reply says so.
    assert report["growth_baseline"] == {"from": baseline["baseline_from"],
                                         "to": baseline["baseline_to"], "defaulted": False}
    # Without one: the other indicators have no baseline; growth is against the
    # same days a year earlier, when nothing happened here: unavailable, naming them.
    alone_report = p.an.call("kpi.report", period)
    alone = kpis(alone_report["groups"][0])
    assert alone_report["baseline_from"] is None and alone_report["baseline_to"] is None
    assert alone["avg_repair_time"]["baseline"] is None
    year_before = {"from": year_earlier(period["from"]), "to": year_earlier(period["to"]),
                   "defaulted": True}
    assert alone_report["growth_baseline"] == year_before
    for name in ("profit_growth", "labour_cost_growth"):
        assert not alone[name]["available"] and alone[name]["value"] is None
        assert "%s..%s" % (year_before["from"], year_before["to"]) in alone[name]["reason"]
        assert alone[name]["baseline_amount"] == 0
    assert alone["profit_growth"]["amount"] == now["_margin"]
    empty = kpis(p.an.call("kpi.report", {"from": date_of(last + 100),
                                          "to": date_of(last + 101)})["groups"][0])
    for name in ("avg_repair_time", "on_time_rate", "satisfaction_score", "value_added_share"):
        assert not empty[name]["available"] and empty[name]["value"] is None
        assert empty[name]["reason"]
    health = p.an.call("sys.health")
    lags = {c["source"]: (c["lag"], c["state"]) for c in health["consumers"]}
    assert lags["dispatch"] == (0, "live") and lags["complaints"] == (0, "live")
    assert "live" not in (lags["inventory"][1], lags["procurement"][1])  # not started here

    # Rebuilt from nothing: the sources' replay gives the same figures.
    before = [p.an.call("kpi.report", dict(period, by=by, **baseline))
              for by in ("none", "region", "technician")]
    p.analytics.stop()
    shutil.rmtree(p.analytics.data_dir)
    p.analytics.start()
    p.an = p.analytics.client()
    p.caught_up()
    after = [p.an.call("kpi.report", dict(period, by=by, **baseline))
             for by in ("none", "region", "technician")]
    assert after == [strip_targets(r) for r in before]

    # A store of version 1, where a completion was a row per metric, upgrades
    # by itself (migration 2) and counts those rows as it counts its own.
    def traced():
        return [p.an.call("kpi.explain", dict(everything, kpi=kpi, limit=1000, **extra))["items"]
                for kpi, extra in (("avg_repair_time", {}), ("value_added_share", {}),
                                   ("profit_growth", {"by": "region", "group": "north"}),
                                   ("satisfaction_score", {"by": "technician", "group": "T-2"}))]
    explained = traced()
    others = [p.an.call("technician.performance", everything),
              p.an.call("profit.breakdown", dict(everything, by="type"))]
    p.analytics.stop()
    as_version_1(p.analytics.db_path)
    p.analytics.start()
    p.an = p.analytics.client()
    p.caught_up()
    assert [p.an.call("kpi.report", dict(period, by=by, **baseline))
            for by in ("none", "region", "technician")] == after
    assert traced() == explained and sum(len(items) for items in explained) > 10
    assert [p.an.call("technician.performance", everything),
            p.an.call("profit.breakdown", dict(everything, by="type"))] == others
    db = sqlite3.connect(p.analytics.db_path)
    assert db.execute("SELECT max (version) FROM schema_migrations WHERE component ="
                      " 'analytics'").fetchone() == (2,)
    assert db.execute("SELECT count (*) FROM fact WHERE metric = 'job'").fetchone() == (0,)
    db.close()


def year_earlier(date):
    """The same month and day a year earlier; 28 February for a 29th it does not have."""
    d = datetime.date.fromisoformat(date)
    try:
        return d.replace(year=d.year - 1).isoformat()
    except ValueError:
        return d.replace(year=d.year - 1, day=28).isoformat()


def test_growth_without_a_baseline_is_against_the_same_days_a_year_earlier(start_service):
    """labour_cost_growth and profit_growth with no baseline given compare with
    the same days of the year before, by month and day (29 February with the
    28th), the reply naming that period; a year before with nothing in it is
    unavailable, saying which days it looked at. A history a year and more
    long, on the test clock, through dispatch's public ops."""
    p = Platform(start_service)
    for tid, (region, cost) in TECHS.items():
        p.desk.call("technician.upsert", {"id": tid, "name": "Tech " + tid, "region": region,
                                          "skills": [{"skill": "hvac", "level": 3}],
                                          "hourly_cost_cents": cost, "max_jobs": 50})
    h = History(p)
    today = datetime.date.fromisoformat(p.desk.call("sys.ping")["ts"][:10])
    # The first leap year whose 29 February's year-earlier day is still to come.
    leap = next(y for y in range(today.year + 1, today.year + 10)
                if y % 4 == 0 and datetime.date(y - 1, 2, 28) > today)

    def go_to(date):
        """Both clocks to 06:00 UTC of date."""
        now = ms(p.desk.call("sys.ping")["ts"])
        target = (datetime.date.fromisoformat(date) - datetime.date(1970, 1, 1)).days * DAY + 6 * H
        assert target > now
        while now < target:
            step = min(target - now, 365 * DAY)
            p.advance(step)
            now += step

    def on(date, minutes, charge, tech="T-1"):
        go_to(date)
        h.job("C-1", "repair", TECHS[tech][0], tech, minutes, 1, charge=charge,
              parts=[("P-1", 1, 2000, 1500)])
        job = h.jobs[-1]
        assert date_of(day_of(job["completed"])) == date
        return job

    before = "%d-02-28" % (leap - 1)
    before_march = "%d-03-01" % (leap - 1)
    feb29, march = "%d-02-29" % leap, "%d-03-01" % leap
    jobs = {before: on(before, 60, 10000), before_march: on(before_march, 90, 8000, "T-2"),
            feb29: on(feb29, 120, 30000), march: on(march, 30, 5000, "T-2")}
    p.caught_up()

    def report(first, last, **extra):
        return p.an.call("kpi.report", dict({"from": first, "to": last}, **extra))

    def check(got, now_days, base_days):
        """got's growth indicators: the jobs of now_days against those of base_days."""
        g = kpis(got["groups"][0])
        for name, key in (("labour_cost_growth", "labour"), ("profit_growth", "margin")):
            amount = sum(jobs[d][key] for d in now_days)
            base = sum(jobs[d][key] for d in base_days)
            assert g[name]["available"], g[name]
            assert (g[name]["amount"], g[name]["baseline_amount"]) == (amount, base), name
            # As the service computes it: the change over the baseline's size, x 100.
            assert g[name]["value"] == 100.0 * ((amount - base) / abs(base)), name
            assert g[name]["currency"] == "CNY" and g[name]["baseline"] is None
        return g

    # 29 February against 28 February, not against 1 March (365 days before).
    got = report(feb29, feb29)
    assert got["growth_baseline"] == {"from": before, "to": before, "defaulted": True}
    assert got["baseline_from"] is None and got["baseline_to"] is None
    g = check(got, [feb29], [before])
    assert g["avg_repair_time"]["baseline"] is None  # the others have no baseline without one
    assert g["avg_repair_time"]["value"] == jobs[feb29]["repair_s"]
    # 1 March against 1 March (366 days before, in a leap year).
    got = report(march, march)
    assert got["growth_baseline"] == {"from": before_march, "to": before_march,
                                      "defaulted": True}
    check(got, [march], [before_march])
    # A period ending on 29 February, and one starting on it.
    got = report("%d-02-01" % leap, feb29)
    assert got["growth_baseline"] == {"from": "%d-02-01" % (leap - 1), "to": before,
                                      "defaulted": True}
    check(got, [feb29], [before])
    got = report(feb29, march)
    assert got["growth_baseline"] == {"from": before, "to": before_march, "defaulted": True}
    check(got, [feb29, march], [before, before_march])
    # By technician: each against its own year before.
    by_tech = {g["group"]: kpis(g) for g in report(feb29, march, by="technician")["groups"]}
    assert by_tech["T-1"]["labour_cost_growth"]["baseline_amount"] == jobs[before]["labour"]
    assert by_tech["T-2"]["labour_cost_growth"]["baseline_amount"] == jobs[before_march][
        "labour"]

    # An explicit baseline is used as given, whatever a year earlier holds.
    got = report(feb29, feb29, baseline_from=before_march, baseline_to=before_march)
    assert got["growth_baseline"] == {"from": before_march, "to": before_march,
                                      "defaulted": False}
    assert (got["baseline_from"], got["baseline_to"]) == (before_march, before_march)
    g = check(got, [feb29], [before_march])
    assert g["avg_repair_time"]["baseline"] == jobs[before_march]["repair_s"]

    # The year before the first job holds nothing: unavailable, the days named.
    got = report(before, before)
    empty = "%d-02-28" % (leap - 2)
    assert got["growth_baseline"] == {"from": empty, "to": empty, "defaulted": True}
    g = kpis(got["groups"][0])
    for name, key in (("labour_cost_growth", "labour"), ("profit_growth", "margin")):
        assert not g[name]["available"] and g[name]["value"] is None, g[name]
        assert g[name]["reason"] == ("nothing in %s..%s (the same days a year earlier; no"
                                     " baseline period given) to compare with" % (empty, empty))
        assert (g[name]["amount"], g[name]["baseline_amount"]) == (jobs[before][key], 0)
    # No procurement here: the reason is the period's own.
    assert "no parts were received in the period" in g["parts_cost_reduction"]["reason"]


JOB_METRICS = ("repair_s", "on_time", "revenue", "labour_cost", "parts_cost", "margin",
               "va_revenue")


def as_version_1(path):
    """Rewrites a stopped analytics's store as version 1 kept it: a completed
    order's facts a row per metric (in the order of arrival), no job columns,
    migration 2 not applied; its roll-ups to be made again from the facts."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    rows = []
    for row in db.execute("SELECT * FROM fact ORDER BY id"):
        row = dict(row)
        if row["metric"] != "job":
            rows.append(row)
            continue
        for metric in JOB_METRICS:
            if row[metric] is not None:
                money = metric not in ("repair_s", "on_time")
                rows.append(dict(row, metric=metric, value=row[metric],
                                 currency=row["currency"] if money else ""))
    assert any(r["metric"] == "va_revenue" for r in rows)
    columns = ("source", "seq", "type", "key", "metric", "at_ms", "day", "month", "currency",
               "value", "region", "technician_id", "type_of_order", "product_model",
               "workorder_id", "waiting")
    with db:
        db.execute("DELETE FROM fact")
        for metric in JOB_METRICS:
            db.execute("ALTER TABLE fact DROP COLUMN " + metric)
        db.executemany("INSERT INTO fact (id, %s) VALUES (?, %s)" % (
            ", ".join(columns), ", ".join("?" * len(columns))),
            [[i + 1] + [r[c] for c in columns] for i, r in enumerate(rows)])
        db.execute("DELETE FROM rollup")
        db.execute("DELETE FROM rollup_month")
        db.execute("UPDATE rollup_mark SET fact_id = 0")
        db.execute("DELETE FROM schema_migrations WHERE component = 'analytics' AND version = 2")
    db.close()


def strip_targets(report):
    """The report as a fresh store gives it: no targets set."""
    for group in report["groups"]:
        for k in group["kpis"]:
            k["target"], k["met"] = None, None
    return report


def test_bad_periods_are_refused_naming_the_field(start_service):
    an = start_service("analytics").client()
    cases = [({"from": "2026-02-30", "to": "2026-03-01"}, "/body/from"),
             ({"from": "2026-03-02", "to": "2026-03-01"}, "/body/to"),
             ({"from": "2026-03-01", "to": "2026-03-02", "baseline_from": "2026-01-01"},
              "/body/baseline_to")]
    for body, field in cases:
        error = an.error("kpi.report", body)
        assert error["code"] == "invalid_argument" and error["field"] == field, error
    error = an.error("kpi.explain", {"kpi": "on_time_rate", "from": "2026-03-01",
                                     "to": "2026-03-02", "cursor": "nope"})
    assert error["field"] == "/body/cursor"


def test_a_complaint_before_its_order_completes_counts_for_its_technician_after(start_service):
    """A fact from complaints about an order dispatch has not completed yet
    counts in the totals and by region at once, by technician once the order
    completes, whether the roll-up timer passed it meanwhile or not."""
    import time
    p = Platform(start_service)
    p.desk.call("technician.upsert", {"id": "T-9", "name": "Zhao", "region": "west",
                                      "skills": [{"skill": "hvac", "level": 3}],
                                      "hourly_cost_cents": 6000})
    p.crm.call("handler.upsert", {"id": "A-1", "name": "A", "level": "agent",
                                  "categories": ["repair_delay"]})
    p.crm.call("customer.upsert", {"id": "C-1", "name": "C", "region": "west"})
    orders = []
    for _ in range(2):
        wid = p.desk.call("workorder.create", {
            "customer_id": "C-1", "type": "repair", "priority": "normal", "channel": "phone",
            "region": "west", "description": "slow", "required_skill": "hvac"})["id"]
        p.desk.call("workorder.assign", {"id": wid, "technician_id": "T-9"})
        orders.append(wid)
    for wid in orders:
        p.crm.call("complaint.create", {"customer_id": "C-1", "kind": "complaint",
                                        "channel": "phone", "category": "repair_delay",
                                        "severity": "low", "text": "late", "workorder_id": wid})
    p.caught_up()
    today = p.desk.call("sys.ping")["ts"][:10]
    period = {"from": today, "to": today}

    def complaints_of(by):
        groups = p.an.call("kpi.report", dict(period, by=by))["groups"]
        return {g["group"]: kpis(g)["complaint_rate"]["facts"] for g in groups}
    assert complaints_of("none") == {None: 2} and complaints_of("region") == {"west": 2}
    assert "T-9" not in complaints_of("technician")
    time.sleep(0.5)  # the timer rolls them up by region; by technician they wait
    for wid in orders:
        p.desk.call("workorder.start", {"id": wid})
        p.desk.call("workorder.complete", {"id": wid, "labour_minutes": 10})
        time.sleep(0.3)  # the first completes after a roll-up, the second maybe not
    p.caught_up()
    assert complaints_of("technician") == {"T-9": 2}
    assert complaints_of("type") == {"repair": 2} and complaints_of("none") == {None: 2}
    time.sleep(0.5)
    assert complaints_of("technician") == {"T-9": 2} and complaints_of("region") == {"west": 2}
