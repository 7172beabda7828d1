"""The parts loop across dispatch, inventory and procurement, by events only.

An order in progress needs parts inventory cannot give it all of: the rest
is back-ordered (the order waits for parts), the stock falls below its
reorder point, procurement opens requisitions, procurement.run consolidates
them into one purchase order to the best-scoring supplier, a manager
approves it, it is received with a rejected quantity, the back-orders are
filled, the order resumes by itself, is completed, and its parts are issued
at the moving-average cost, which becomes the order's parts cost.

The same loop passes when any one of the three services is SIGKILLed and
restarted after any step: the outbox and the consumers' checkpoints keep
data and event streams whole, and each effect happens once.
"""
import time
import uuid
from fractions import Fraction

import pytest

import harness
from harness import wait_until
from peers import events, ledger, peers  # noqa: F401  (peers is a fixture)

SERVICES = ("dispatch", "inventory", "procurement")
STEPS = ("diagnosed", "requisitioned", "ordered", "approved", "received", "resumed", "completed")
LIMIT_CENTS = 5000   # PROCUREMENT_APPROVAL_LIMIT_CENTS: the loop's order waits for a manager
WAIT = 30            # seconds any one effect may take to travel, a restart included


def half_up(value):
    """A Fraction rounded half up to an integer, as inventory's issues round."""
    return int((value * 2 + 1) // 2)


# Stock before the loop: (sku, on hand, unit cost, reorder point, order up to, min qty, multiple)
RELAY = ("P-RELAY", 3, 1000, 2, 8, 10, 5)
FAN = ("P-FAN", 1, 250, 0, 4, None, None)
NEEDS = {"P-RELAY": 5, "P-FAN": 2}
PRICES = {"P-RELAY": 1250, "P-FAN": 300}     # S-CHEAP's, whose offer wins
RECEIVED = {"P-RELAY": (8, 2), "P-FAN": (5, 0)}  # accepted, rejected


def expected():
    """What the loop must end with, worked out here from the stock and prices
    above, independently of the services' code."""
    out = {}
    for sku, on_hand, cost, rop, up_to, min_qty, multiple in (RELAY, FAN):
        reserved = min(on_hand, NEEDS[sku])
        position = on_hand - reserved - (NEEDS[sku] - reserved)
        qty = max(up_to - position, 1, min_qty or 0)
        if multiple:
            qty = -(-qty // multiple) * multiple
        accepted, rejected = RECEIVED[sku]
        assert accepted + rejected == qty, (sku, qty)
        value = on_hand * cost + accepted * PRICES[sku]
        stock = on_hand + accepted
        issued = half_up(Fraction(NEEDS[sku] * value, stock))
        out[sku] = {"requisition_qty": qty, "issued_value": issued,
                    "on_hand": stock - NEEDS[sku], "value": value - issued}
    return out


class Loop:
    """The three services and the steps of the loop: each a request (or
    nothing, where a service acts by itself) and the effects to wait for."""

    def __init__(self, services):
        self.services = services
        self.manager = harness.new_key("manager-" + uuid.uuid4().hex[:8], "manager")
        self.reconnect()

    def reconnect(self):
        self.dispatch = self.services["dispatch"].client()
        self.inventory = self.services["inventory"].client()
        self.procurement = self.services["procurement"].client()
        self.approver = self.services["procurement"].client(key=self.manager)

    def restart(self, name):
        service = self.services[name]
        service.kill()
        service.start()
        self.reconnect()

    def setup(self):
        d, i, p = self.dispatch, self.inventory, self.procurement
        d.call("technician.upsert", {"id": "T-1", "name": "Li Wei", "region": "north",
                                     "skills": [{"skill": "hvac", "level": 3}],
                                     "hourly_cost_cents": 6000})
        i.call("warehouse.upsert", {"id": "WH-N", "name": "North", "regions": ["north"]})
        for sku, on_hand, cost, rop, up_to, min_qty, multiple in (RELAY, FAN):
            i.call("part.upsert", {"sku": sku, "name": sku, "category": "hvac"})
            i.call("stock.adjust", {"sku": sku, "warehouse_id": "WH-N", "counted": on_hand,
                                    "reason": "opening count", "unit_cost_cents": cost})
            policy = {"warehouse_id": "WH-N", "kind": "fixed", "reorder_point": rop,
                      "order_up_to": up_to}
            if min_qty:
                policy["min_order_qty"] = min_qty
            if multiple:
                policy["order_multiple"] = multiple
            i.call("part.upsert", {"sku": sku, "name": sku, "policies": [policy]})
        # The blocked one is cheapest: it must still never be chosen.
        suppliers = (("S-CHEAP", 5, 100), ("S-DEAR", 2, 112), ("S-BLOCKED", 1, 70))
        for sid, lead, percent in suppliers:
            p.call("supplier.upsert", {"id": sid, "name": sid, "lead_time_days": lead,
                                       "blocked": sid == "S-BLOCKED"})
            for sku, price in PRICES.items():
                price = price * percent // 100
                p.call("supplier.price.set", {
                    "supplier_id": sid, "sku": sku, "valid_from": "2020-01-01T00:00:00.000Z",
                    "breaks": [{"min_qty": 1, "unit_price_cents": price + 100},
                               {"min_qty": 5, "unit_price_cents": price}]})
        wid = d.call("workorder.create", {
            "customer_id": "C-1", "type": "repair", "priority": "high", "channel": "phone",
            "region": "north", "description": "AC not cooling", "required_skill": "hvac"})["id"]
        d.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
        d.call("workorder.start", {"id": wid})
        self.wid = wid
        # The ledger's opening counts are in; the reorder alerts they cleared
        # are history: no requisition exists before the loop.
        assert self.requisitions() == []

    def order(self):
        return self.dispatch.call("workorder.get", {"id": self.wid})

    def requisitions(self):
        return self.procurement.call("requisition.list", {})["items"]

    def step(self, name, meanwhile=None):
        """Takes the step, runs meanwhile (a kill) while its effects travel,
        then waits for them."""
        act, settle = getattr(self, "act_" + name), getattr(self, "settle_" + name)
        act()
        if meanwhile:
            meanwhile()
        settle()

    def act_diagnosed(self):
        self.dispatch.call("workorder.diagnose", {
            "id": self.wid, "text": "relay and fan burnt",
            "parts_needed": [{"part_id": sku, "qty": qty} for sku, qty in NEEDS.items()]})

    def settle_diagnosed(self):
        wait_until(lambda: self.order()["status"] == "waiting_parts", WAIT, what="waiting_parts")

    def act_requisitioned(self):
        pass  # inventory's reorder alerts make them

    def settle_requisitioned(self):
        wait_until(lambda: len(self.requisitions()) == 2, WAIT, what="two requisitions")

    def act_ordered(self):
        self.procurement.call("procurement.run", {})

    def settle_ordered(self):
        orders = self.procurement.call("po.list", {})["items"]
        assert len(orders) == 1, orders
        self.po = orders[0]["id"]
        assert orders[0]["supplier_id"] == "S-CHEAP" and orders[0]["status"] == "draft"

    def act_approved(self):
        self.approver.call("po.approve", {"id": self.po})

    def settle_approved(self):
        wait_until(lambda: all(self.stock(sku)["on_order"] > 0 for sku in NEEDS), WAIT,
                   what="on order in inventory")

    def act_received(self):
        self.procurement.call("po.receive", {"id": self.po, "lines": [
            {"sku": sku, "accepted": a, "rejected": r} for sku, (a, r) in RECEIVED.items()]})

    def settle_received(self):
        wait_until(lambda: self.inventory.call("reservation.get", {"workorder_id": self.wid})
                   ["complete"], WAIT, what="back-orders filled")

    def act_resumed(self):
        pass  # dispatch resumes the order by itself

    def settle_resumed(self):
        wait_until(lambda: self.order()["status"] == "in_progress", WAIT, what="resumed")

    def act_completed(self):
        self.dispatch.call("workorder.complete", {
            "id": self.wid, "labour_minutes": 60,
            "parts_used": [{"part_id": sku, "qty": qty, "unit_price_cents": 2000,
                            "unit_cost_cents": 1000} for sku, qty in NEEDS.items()]})

    def settle_completed(self):
        wait_until(lambda: self.order()["money"]["parts_cost_cents"] != 1000 * sum(NEEDS.values()),
                   WAIT, what="parts costed at the moving average")

    def stock(self, sku):
        return self.inventory.call("stock.get", {"sku": sku, "warehouse_id": "WH-N"})

    def check(self):
        """Everything the loop leaves, each effect exactly once."""
        want = expected()
        requisitions = self.requisitions()
        assert sorted((r["sku"], r["qty"], r["status"], r["source"]) for r in requisitions) == \
            sorted((sku, want[sku]["requisition_qty"], "ordered", "reorder") for sku in NEEDS)
        po = self.procurement.call("po.get", {"id": self.po})
        assert po["status"] == "received" and po["supplier_id"] == "S-CHEAP"
        assert po["approved_by"].startswith("manager-") and po["auto_approved"] is False
        assert {(line["sku"], line["accepted"], line["rejected"]) for line in po["lines"]} == \
            {(sku, a, r) for sku, (a, r) in RECEIVED.items()}
        assert len(self.procurement.call("po.list", {})["items"]) == 1
        for sku in NEEDS:
            stock = self.stock(sku)
            assert stock["on_hand"] == want[sku]["on_hand"], (sku, stock)
            assert stock["value_cents"] == want[sku]["value"], (sku, stock)
            assert stock["reserved"] == 0 and stock["backordered"] == 0 and stock["on_order"] == 0
            entries = ledger(self.inventory, sku=sku, warehouse_id="WH-N")
            assert sum(e["qty"] for e in entries) == stock["on_hand"]
            assert sum(e["value_change_cents"] for e in entries) == stock["value_cents"]
        order = self.order()
        parts_cost = sum(want[sku]["issued_value"] for sku in NEEDS)
        assert order["status"] == "completed"
        assert order["money"]["parts_cost_cents"] == parts_cost
        money = order["money"]
        assert money["margin_cents"] == (money["total_charge_cents"] - money["labour_cost_cents"]
                                         - parts_cost)
        steps = [s["step"] for s in order["steps"]]
        assert steps.count("waiting_parts") == 1 and steps.count("resumed") == 1, steps
        resumed = [s for s in order["steps"] if s["step"] == "resumed"][0]
        assert resumed["actor"] == "dispatch"
        # Each event of the loop once, in every stream.
        inventory_events = events(self.inventory)
        issued = [e for e in inventory_events if e["type"] == "stock.issued"]
        assert len(issued) == 1 and issued[0]["data"]["value_cents"] == parts_cost
        assert issued[0]["data"]["for_completion"] is True and issued[0]["actor"] == "inventory"
        below = [e["data"]["sku"] for e in inventory_events if e["type"] == "stock.below_reorder"]
        assert sorted(below) == sorted(NEEDS)
        backordered = [e for e in inventory_events if e["type"] == "stock.backordered"]
        assert len(backordered) == 1 and backordered[0]["data"]["backordered_total"] == 3
        received = [e for e in inventory_events if e["type"] == "stock.received"]
        assert sorted((e["data"]["sku"], e["data"]["qty"]) for e in received) == \
            sorted((sku, a) for sku, (a, _) in RECEIVED.items())
        procurement_events = events(self.procurement)
        counts = {}
        for e in procurement_events:
            counts[e["type"]] = counts.get(e["type"], 0) + 1
        assert counts.get("requisition.created") == 2 and counts.get("po.created") == 1
        assert counts.get("po.approved") == 1 and counts.get("po.received") == 1
        dispatch_events = events(self.dispatch, ("workorder.waiting_parts", "workorder.resumed",
                                                 "workorder.parts_costed"))
        assert [e["type"] for e in dispatch_events] == [
            "workorder.waiting_parts", "workorder.resumed", "workorder.parts_costed"]
        costed = dispatch_events[-1]["data"]
        assert costed["money"]["parts_cost_cents"] == parts_cost
        assert costed["reported_parts_cost_cents"] == 1000 * sum(NEEDS.values())
        for service in self.services.values():
            health = service.client().call("sys.health")
            # The loop's own sources: dispatch also follows contracts, which does not run here.
            ours = [c for c in health["consumers"] if c["source"] in self.services]
            assert health["db"] == "ok", health
            assert all(c["state"] not in ("failing", "unreachable") for c in ours), health


def start(peers):  # noqa: F811
    return peers(SERVICES, env={"procurement": {
        "PROCUREMENT_APPROVAL_LIMIT_CENTS": str(LIMIT_CENTS)}})


def test_the_whole_loop(peers):  # noqa: F811
    loop = Loop(start(peers))
    loop.setup()
    for step in STEPS:
        loop.step(step)
    loop.check()
    # Dispatch shows its consumer of inventory (and of contracts, which is not running here).
    consumers = {c["source"]: c for c in loop.dispatch.call("sys.health")["consumers"]}
    assert sorted(consumers) == ["contracts", "inventory"]
    assert consumers["inventory"]["state"] == "live"


@pytest.mark.parametrize("during", STEPS)
@pytest.mark.parametrize("victim", SERVICES)
def test_the_loop_survives_a_kill(peers, victim, during):  # noqa: F811
    """victim is SIGKILLed and restarted right after the step's request, while
    its effects are on their way through the three services."""
    began = time.time()
    loop = Loop(start(peers))
    loop.setup()
    for step in STEPS:
        loop.step(step, (lambda: loop.restart(victim)) if step == during else None)
    loop.check()
    assert time.time() - began < 120, "the loop took %.0f s" % (time.time() - began)


def test_cancel_releases_a_new_diagnosis_replaces_and_unstocked_parts_keep_their_cost(peers):  # noqa: F811
    services = peers(("dispatch", "inventory"))
    d, i = services["dispatch"].client(), services["inventory"].client()
    d.call("technician.upsert", {"id": "T-1", "name": "Li Wei", "region": "north",
                                 "skills": [{"skill": "hvac", "level": 3}], "hourly_cost_cents": 6000,
                                 "max_jobs": 10})
    i.call("warehouse.upsert", {"id": "WH-N", "name": "North", "regions": ["north"]})
    i.call("part.upsert", {"sku": "P-1", "name": "relay"})
    i.call("stock.adjust", {"sku": "P-1", "warehouse_id": "WH-N", "counted": 5, "reason": "count",
                            "unit_cost_cents": 100})

    def new_order():
        return d.call("workorder.create", {
            "customer_id": "C-1", "type": "repair", "priority": "high", "channel": "phone",
            "region": "north", "description": "AC", "required_skill": "hvac"})["id"]

    def held(wid):
        return {line["sku"]: (line["reserved"], line["backordered"], line["issued"])
                for line in i.call("reservation.get", {"workorder_id": wid})["lines"]}

    def stock():
        return i.call("stock.get", {"sku": "P-1", "warehouse_id": "WH-N"})

    a = new_order()
    d.call("workorder.diagnose", {"id": a, "text": "relay", "parts_needed": [{"part_id": "P-1", "qty": 3}]})
    wait_until(lambda: stock()["reserved"] == 3, what="A's reservation")
    d.call("workorder.assign", {"id": a, "technician_id": "T-1"})
    # A second diagnosis is the list now: one relay, and a part inventory does not stock.
    d.call("workorder.diagnose", {"id": a, "text": "only one relay", "parts_needed": [
        {"part_id": "P-1", "qty": 1}, {"part_id": "P-UNKNOWN", "qty": 2}]})
    wait_until(lambda: stock()["reserved"] == 1, what="A's reservation cut to one")
    assert held(a) == {"P-1": (1, 0, 0)}
    d.call("workorder.cancel", {"id": a, "reason": "customer went elsewhere"})
    wait_until(lambda: stock()["reserved"] == 0, what="A's reservation released")
    released = events(i, ("stock.released",))
    assert [e["data"]["reason"] for e in released] == ["the diagnosis changed the parts needed",
                                                        "work order cancelled"]
    # B uses parts it never reserved, one inventory does not stock.
    b = new_order()
    d.call("workorder.assign", {"id": b, "technician_id": "T-1"})
    d.call("workorder.start", {"id": b})
    d.call("workorder.complete", {"id": b, "labour_minutes": 30, "parts_used": [
        {"part_id": "P-1", "qty": 2, "unit_price_cents": 300, "unit_cost_cents": 150},
        {"part_id": "P-UNKNOWN", "qty": 1, "unit_price_cents": 900, "unit_cost_cents": 700}]})
    wait_until(lambda: d.call("workorder.get", {"id": b})["money"]["parts_cost_cents"] == 2 * 100 + 700,
               what="B costed: its relays at 1.00, the unstocked part as reported")
    issued = events(i, ("stock.issued",))[-1]["data"]
    assert issued["not_issued"] == [{"sku": "P-UNKNOWN", "qty": 1, "reason": "not_stocked"}]
    assert stock()["on_hand"] == 3
    # C is owed parts before it starts: it waits as soon as it starts.
    c = new_order()
    d.call("workorder.assign", {"id": c, "technician_id": "T-1"})
    d.call("workorder.diagnose", {"id": c, "text": "many relays", "parts_needed": [{"part_id": "P-1", "qty": 10}]})
    wait_until(lambda: held(c) == {"P-1": (3, 7, 0)}, what="C back-ordered")
    owed = [e["seq"] for e in events(i, ("stock.backordered",)) if e["key"] == c][0]
    wait_until(lambda: d.call("sys.health")["consumers"][0]["applied_seq"] >= owed,
               what="dispatch applied C's back-order")
    assert d.call("workorder.get", {"id": c})["status"] == "assigned"
    started = d.call("workorder.start", {"id": c})
    assert started["status"] == "waiting_parts"
    assert [s["step"] for s in started["steps"]][-2:] == ["started", "waiting_parts"]


def test_a_rework_reserves_the_parts_of_the_order_it_redoes(peers):  # noqa: F811
    """The rework carries the rejected order's parts needed: inventory must
    hold them for it as for any diagnosis, or the second visit has no parts."""
    services = peers(("dispatch", "inventory"))
    d, i = services["dispatch"].client(), services["inventory"].client()
    for tid in ("T-1", "T-2"):
        d.call("technician.upsert", {"id": tid, "name": tid, "region": "north",
                                     "skills": [{"skill": "hvac", "level": 3}],
                                     "hourly_cost_cents": 6000, "max_jobs": 10})
    i.call("warehouse.upsert", {"id": "WH-N", "name": "North", "regions": ["north"]})
    i.call("part.upsert", {"sku": "P-1", "name": "relay"})
    i.call("stock.adjust", {"sku": "P-1", "warehouse_id": "WH-N", "counted": 5, "reason": "count",
                            "unit_cost_cents": 100})
    wid = d.call("workorder.create", {
        "customer_id": "C-1", "type": "repair", "priority": "high", "channel": "phone",
        "region": "north", "description": "AC", "required_skill": "hvac"})["id"]
    d.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
    d.call("workorder.start", {"id": wid})
    d.call("workorder.diagnose", {"id": wid, "text": "relay burnt",
                                  "parts_needed": [{"part_id": "P-1", "qty": 2}]})
    d.call("workorder.complete", {"id": wid, "labour_minutes": 30, "parts_used": [
        {"part_id": "P-1", "qty": 2, "unit_price_cents": 300, "unit_cost_cents": 100}]})

    def stock():
        return i.call("stock.get", {"sku": "P-1", "warehouse_id": "WH-N"})
    wait_until(lambda: stock()["on_hand"] == 3 and stock()["reserved"] == 0,
               what="the first visit's relays issued")
    rework = d.call("workorder.reject", {"id": wid, "reason": "still not cooling"})["rework_id"]
    assert d.call("workorder.get", {"id": rework})["parts_needed"] == [{"part_id": "P-1", "qty": 2}]
    wait_until(lambda: stock()["reserved"] == 2, what="the rework's relays reserved")
    lines = i.call("reservation.get", {"workorder_id": rework})["lines"]
    assert [(x["sku"], x["reserved"], x["backordered"]) for x in lines] == [("P-1", 2, 0)]
    diagnosed = [e for e in events(d, ("workorder.diagnosed",)) if e["key"] == rework]
    assert len(diagnosed) == 1 and diagnosed[0]["data"]["diagnosis"] == "relay burnt"


def test_goods_for_a_part_and_warehouse_inventory_never_knew_still_come_into_stock(peers):  # noqa: F811
    """A purchase order may name a sku or warehouse that inventory was never
    told of; what arrives must not be lost: inventory describes both from the
    order (logged), and the stock is there at the order's price."""
    services = peers(("inventory", "procurement"))
    i, p = services["inventory"].client(), services["procurement"].client()
    p.call("supplier.upsert", {"id": "S-1", "name": "S-1", "lead_time_days": 2})
    po = p.call("po.create", {"supplier_id": "S-1", "warehouse_id": "WH-NEW",
                              "lines": [{"sku": "P-NEW", "qty": 4, "unit_price_cents": 250}]})
    assert po["status"] == "approved"  # under the approval limit
    p.call("po.receive", {"id": po["id"], "lines": [{"sku": "P-NEW", "accepted": 3,
                                                     "rejected": 1}]})

    def stock():
        return i.call("stock.get", {"sku": "P-NEW", "warehouse_id": "WH-NEW"})
    wait_until(lambda: i.call("part.list", {})["items"]
               and i.call("warehouse.list", {})["items"] and stock()["on_hand"] == 3,
               what="the receipt in stock")
    got = stock()
    assert (got["on_hand"], got["on_order"], got["value_cents"]) == (3, 0, 750)
    assert i.call("part.get", {"sku": "P-NEW"})["name"].startswith("P-NEW (")
    assert [w["id"] for w in i.call("warehouse.list", {})["items"]] == ["WH-NEW"]
    entries = ledger(i, sku="P-NEW", warehouse_id="WH-NEW")
    assert [(e["kind"], e["qty"], e["reference"]) for e in entries] == [("receipt", 3, po["id"])]


def test_a_stock_an_order_leaves_short_is_announced_again(peers):  # noqa: F811
    """More may be owed by the time a purchase order is placed than when the
    stock was announced: an order that leaves the stock at or below its
    reorder point must make inventory announce it again (a second
    requisition for what is still missing), never leave it short with nobody
    asked to buy; and once an order lifts it above the point, no more."""
    services = peers(("inventory", "procurement"))
    i, p = services["inventory"].client(), services["procurement"].client()
    i.call("warehouse.upsert", {"id": "WH-N", "name": "North", "regions": ["north"]})
    i.call("part.upsert", {"sku": "P-X", "name": "P-X", "policies": [
        {"warehouse_id": "WH-N", "kind": "fixed", "reorder_point": 2, "order_up_to": 4}]})
    p.call("supplier.upsert", {"id": "S-1", "name": "S-1", "lead_time_days": 2})
    p.call("supplier.price.set", {"supplier_id": "S-1", "sku": "P-X",
                                  "valid_from": "2020-01-01T00:00:00.000Z",
                                  "breaks": [{"min_qty": 1, "unit_price_cents": 100}]})

    def requisitions():
        return p.call("requisition.list", {"sku": "P-X"})["items"]

    def stock():
        return i.call("stock.get", {"sku": "P-X", "warehouse_id": "WH-N"})
    # Nothing in stock: the new policy announces it at once, for 4 - 0.
    wait_until(lambda: len(requisitions()) == 1, what="the first requisition")
    assert requisitions()[0]["qty"] == 4
    # Before anyone buys, two orders are owed 8: still below, no new alert.
    for wid, qty in (("WO-A", 3), ("WO-B", 5)):
        i.call("stock.reserve", {"workorder_id": wid, "warehouse_id": "WH-N",
                                 "lines": [{"sku": "P-X", "qty": qty}]})
    wait_until(lambda: stock()["backordered"] == 8, what="the back-orders")
    assert len(requisitions()) == 1
    run = p.call("procurement.run")
    assert run["lines_ordered"] == 1 and run["orders"][0]["status"] == "approved"
    # On order 4 against 8 owed: position -4, at or below 2: announced again.
    wait_until(lambda: len(requisitions()) == 2, what="the second requisition")
    assert [r["qty"] for r in requisitions() if r["status"] == "open"] == [8]   # 4 - (4 - 8)
    p.call("procurement.run")
    wait_until(lambda: stock()["on_order"] == 12, what="both orders on order")
    assert (stock()["reorder"]["position"], stock()["below_reorder"]) == (4, False)
    for po in p.call("po.list", {"status": "approved"})["items"]:
        got = p.call("po.get", {"id": po["id"]})
        p.call("po.receive", {"id": po["id"], "lines": [
            {"sku": "P-X", "accepted": line["qty"]} for line in got["lines"]]})
    wait_until(lambda: stock()["on_hand"] == 12 and stock()["backordered"] == 0,
               what="the receipts in stock, the back-orders filled")
    time.sleep(0.3)
    assert len(requisitions()) == 2                          # above the point: nothing more
