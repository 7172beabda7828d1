"""Analytics over the parts loop: inventory and procurement driven through
their public ops beside dispatch (real processes, wired to each other), the
parts cost reduction rate and the inventory turnover computed again here
from procurement's receipts and inventory's own ledger, and compared: the
purchasing cost to the cent, the turnover to the last bits of a double; the
margins with the parts at inventory's cost."""
import datetime
from fractions import Fraction

import harness
from harness import wait_until
from peers import ledger, peers  # noqa: F401  (peers is a fixture)
from test_analytics import DAY, date_of, day_of, kpis, ms

SERVICES = ("dispatch", "inventory", "procurement", "complaints", "analytics")
CLOCKED = ("dispatch", "inventory", "procurement", "complaints")


class Loop:
    def __init__(self, services):
        self.s = services
        self.d, self.i = services["dispatch"].client(), services["inventory"].client()
        self.p, self.an = services["procurement"].client(), services["analytics"].client()
        self.manager = services["procurement"].client(key=harness.new_key("mgr-parts", "manager"))

    def advance(self, by_ms):
        for name in CLOCKED:
            self.s[name].client().call("test.clock.advance", {"by_ms": by_ms})

    def now(self):
        return ms(self.d.call("sys.ping")["ts"])

    def caught_up(self):
        last = {name: self.s[name].client().call("events.replay", {"from_seq": 1, "limit": 1})[
            "last_seq"] for name in CLOCKED}

        def done():
            return all(c["applied_seq"] >= last[c["source"]]
                       for c in self.an.call("sys.health")["consumers"] if c["source"] in last)
        wait_until(done, timeout=30, what="analytics caught up with %s" % last)

    def buy(self, qty, price):
        """A purchase order of qty P-1 at price, approved and received whole."""
        po = self.p.call("po.create", {"supplier_id": "S-1", "warehouse_id": "WH-N", "lines": [
            {"sku": "P-1", "qty": qty, "unit_price_cents": price}]})
        if po["status"] == "draft":  # over the approval limit
            self.manager.call("po.approve", {"id": po["id"]})
        po = po["id"]
        before = self.stock()["on_hand"]
        self.p.call("po.receive", {"id": po, "lines": [{"sku": "P-1", "accepted": qty}]})
        wait_until(lambda: self.stock()["on_hand"] == before + qty, 30, what="received")
        return qty * price

    def stock(self):
        return self.i.call("stock.get", {"sku": "P-1", "warehouse_id": "WH-N"})

    def repair(self, qty):
        """An order completed with qty P-1; returns it once inventory costed its parts."""
        wid = self.d.call("workorder.create", {
            "customer_id": "C-1", "type": "repair", "priority": "normal", "channel": "phone",
            "region": "north", "description": "fan", "required_skill": "hvac"})["id"]
        self.d.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
        self.d.call("workorder.start", {"id": wid})
        self.advance(3600 * 1000)
        self.d.call("workorder.complete", {"id": wid, "labour_minutes": 30, "parts_used": [
            {"part_id": "P-1", "qty": qty, "unit_price_cents": 3000, "unit_cost_cents": 1}]})
        wait_until(lambda: self.d.call("workorder.get", {"id": wid})["money"][
            "parts_cost_cents"] != qty, 30, what="parts costed")
        return self.d.call("workorder.get", {"id": wid})


def turnover(entries, first_day, last_day):
    """Cost of goods issued / the stock value averaged over the days, from the ledger."""
    start, end = first_day * DAY, (last_day + 1) * DAY
    value, integral, at = 0, Fraction(0), None
    cogs = 0
    for e in sorted(entries, key=lambda e: e["n"]):
        when = ms(e["at"])
        lo, hi = max(at if at is not None else start, start), min(when, end)
        if at is not None and hi > lo:
            integral += value * (hi - lo)
        at = when
        value += e["value_change_cents"]
        if start <= when < end and e["kind"] in ("issue", "return"):
            cogs -= e["value_change_cents"]
    lo = max(at, start)
    if end > lo:
        integral += value * (end - lo)
    return cogs / (integral / (end - start))


def test_parts_cost_reduction_and_turnover_from_the_parts_loop(peers):
    services = peers(SERVICES, env={name: {"SHR_TEST_CLOCK": "1"} for name in CLOCKED})
    loop = Loop(services)
    loop.d.call("technician.upsert", {"id": "T-1", "name": "Li", "region": "north",
                                      "skills": [{"skill": "hvac", "level": 3}],
                                      "hourly_cost_cents": 6000})
    loop.i.call("warehouse.upsert", {"id": "WH-N", "name": "North", "regions": ["north"]})
    loop.i.call("part.upsert", {"sku": "P-1", "name": "fan", "category": "hvac"})
    loop.i.call("stock.adjust", {"sku": "P-1", "warehouse_id": "WH-N", "counted": 10,
                                 "reason": "opening count", "unit_cost_cents": 1000})
    loop.p.call("supplier.upsert", {"id": "S-1", "name": "Supplier", "lead_time_days": 2})
    base_first = day_of(loop.now())
    base_cost = loop.buy(5, 1200)
    orders = [loop.repair(2)]
    base_last = day_of(loop.now())
    loop.advance(10 * DAY)
    first = day_of(loop.now())
    cost = loop.buy(6, 1000) + loop.buy(2, 1100)
    orders += [loop.repair(3), loop.repair(1)]
    last = day_of(loop.now())
    loop.caught_up()

    period = {"from": date_of(first), "to": date_of(last)}
    baseline = {"baseline_from": date_of(base_first), "baseline_to": date_of(base_last)}
    got = kpis(loop.an.call("kpi.report", dict(period, **baseline))["groups"][0])
    reduction = got["parts_cost_reduction"]
    assert reduction["available"], reduction
    assert (reduction["amount"], reduction["baseline_amount"]) == (cost, base_cost)
    assert reduction["value"] == 100.0 * (base_cost - cost) / base_cost
    entries = ledger(loop.i)
    for key, (lo, hi) in (("value", (first, last)), ("baseline", (base_first, base_last))):
        want = float(turnover(entries, lo, hi))
        assert abs(got["inventory_turnover"][key] - want) <= 1e-9 * want, (key, want)
    assert got["inventory_turnover"]["currency"] == "CNY"
    # Inventory's own turnover over the same time says the same.
    own = loop.i.call("inventory.turnover", {
        "from": datetime.datetime.utcfromtimestamp(first * 86400).strftime(
            "%Y-%m-%dT00:00:00.000Z"),
        "to": datetime.datetime.utcfromtimestamp((last + 1) * 86400).strftime(
            "%Y-%m-%dT00:00:00.000Z")})
    assert abs(own["turnover"] - got["inventory_turnover"]["value"]) <= 1e-9 * own["turnover"]
    # Margins with the parts at inventory's cost: what dispatch's orders say now.
    margin = sum(o["money"]["margin_cents"] for o in orders[1:])
    assert got["profit_growth"]["amount"] == margin
    assert got["profit_growth"]["baseline_amount"] == orders[0]["money"]["margin_cents"]
    by_tech = kpis(loop.an.call("kpi.report", dict(period, by="technician"))["groups"][0])
    assert not by_tech["inventory_turnover"]["available"]
    assert "whole only" in by_tech["inventory_turnover"]["reason"]
    facts = loop.an.call("kpi.explain", dict(period, kpi="parts_cost_reduction"))["items"]
    assert sorted(f["value"] for f in facts) == [2200, 6000]
    assert all(f["source"] == "procurement" and f["type"] == "po.received" for f in facts)
