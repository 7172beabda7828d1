"""Contracts asking dispatch for the work orders they need, over real sockets
with both services running: an installation contract's own job, linked both
ways; a maintenance plan's preventive orders, each made ahead of its visit and
exactly once across a SIGKILL, also when the crash lost the record of an order
dispatch had made. Every reply and event is checked against schemas/."""
import sqlite3
from datetime import date

import pytest

from harness import wait_until
from peers import peers  # noqa: F401  (a fixture: dispatch and contracts follow each other)
from test_contracts import DAY_MS, TODAY, asset, day


@pytest.fixture
def pair(peers):
    started = peers(("dispatch", "complaints", "contracts"), env={"contracts": {
        "SHR_TEST_CLOCK": "1", "CONTRACTS_ORDERS_MS": "50", "CONTRACTS_DISPATCH_RETRY_S": "1"}})
    dispatch, contracts = started["dispatch"], started["contracts"]
    started["complaints"].client().call(
        "customer.upsert", {"id": "C-1", "name": "Wang Fang", "region": "east", "consent": True})
    wait_until(lambda: contracts.query("SELECT region FROM customer") == [("east",)],
               what="the customer's region in contracts")
    return dispatch, contracts


def orders(desk):
    return desk.call("workorder.list", {"customer_id": "C-1", "limit": 500})["items"]


def test_an_installation_contract_makes_its_order_in_dispatch(pair):
    dispatch, service = pair
    desk, client = dispatch.client(), service.client()
    unit = asset(client, installed=day(0), ends=day(700))
    client.call("offering.upsert", {"id": "INST", "kind": "installation", "name": "Install",
                                    "cost_cents": 8000, "price_cents": 15000})
    sold = client.call("contract.create", {"customer_id": "C-1", "asset_id": unit["id"],
                                           "offering_id": "INST", "starts_on": day(3),
                                           "ends_on": day(3)})
    wait_until(lambda: client.call("contract.get", {"id": sold["id"]})["workorder_id"],
               what="the contract's work order")
    wid = client.call("contract.get", {"id": sold["id"]})["workorder_id"]
    order = desk.call("workorder.get", {"id": wid})
    assert (order["type"], order["region"], order["in_warranty"], order["channel"]) == (
        "installation", "east", True, "internal")
    assert sold["id"] in order["description"] and order["product_serial"] == "SN-1"
    visits = client.call("visit.list", {"contract_id": sold["id"]})["items"]
    assert [(v["visit"], v["type"], v["due_on"], v["workorder_id"]) for v in visits] == [
        (0, "installation", day(3), wid)]
    assert len(orders(desk)) == 1


def test_a_maintenance_plans_orders_are_made_once_each_across_a_sigkill(pair):
    dispatch, service = pair
    desk, client = dispatch.client(), service.client()
    unit = asset(client, installed=day(-30), ends=day(700))
    client.call("offering.upsert", {"id": "MP-4", "kind": "maintenance_plan", "name": "Care 4",
                                    "term_months": 12, "visits_per_year": 4,
                                    "cost_cents": 30000, "price_cents": 60000})
    plan = client.call("contract.create", {"customer_id": "C-1", "asset_id": unit["id"],
                                           "offering_id": "MP-4", "starts_on": day(0)})
    visits = client.call("visit.list", {"contract_id": plan["id"]})["items"]
    term = (date.fromisoformat(plan["ends_on"]) - TODAY).days + 1
    assert [v["due_on"] for v in visits] == [day(n * term // 4) for n in range(4)]
    # The first visit is due today: ordered at once; the next ones not yet (14 days ahead).
    wait_until(lambda: len(orders(desk)) == 1, what="the first visit's order")
    assert sum(1 for v in client.call("visit.list", {"contract_id": plan["id"]})["items"]
               if v["workorder_id"]) == 1

    # 80 days on, the second visit (day 91 or so) is within 14 days: ordered, then a SIGKILL.
    client.call("test.clock.advance", {"by_ms": 80 * DAY_MS})
    wait_until(lambda: len(orders(desk)) == 2, what="the second visit's order")
    service.kill()
    # As if the crash had lost the commit that recorded the second order: the next
    # start asks dispatch again with the same key, and dispatch returns that order.
    second = service.query("SELECT workorder_id FROM visit WHERE visit = 2")[0][0]
    with sqlite3.connect(service.db_path) as db:
        db.execute("UPDATE visit SET workorder_id = NULL WHERE visit = 2")
    service.start()
    client = service.client()
    client.call("test.clock.advance", {"by_ms": 80 * DAY_MS})
    wait_until(lambda: service.query("SELECT workorder_id FROM visit WHERE visit = 2")[0][0],
               what="the second visit's order recorded again")
    assert service.query("SELECT workorder_id FROM visit WHERE visit = 2")[0][0] == second
    assert len(orders(desk)) == 2
    # A year on, every visit has its order, each once.
    client.call("test.clock.advance", {"by_ms": 365 * DAY_MS})
    wait_until(lambda: len(orders(desk)) == 4, what="all four visits' orders")
    visits = client.call("visit.list", {"contract_id": plan["id"]})["items"]
    made = [o["id"] for o in orders(desk)]
    assert sorted(v["workorder_id"] for v in visits) == sorted(made)
    for v, n in zip(visits, range(1, 5)):
        order = desk.call("workorder.get", {"id": v["workorder_id"]})
        assert order["type"] == "maintenance" and order["in_warranty"] is True
        assert "visit %d of 4 under contract %s" % (n, plan["id"]) in order["description"]
    assert client.call("contract.get", {"id": plan["id"]})["workorder_id"] is None


def test_with_dispatch_down_the_order_waits_and_comes_once(peers):
    started = peers(("dispatch", "complaints", "contracts"), env={"contracts": {
        "CONTRACTS_ORDERS_MS": "50", "CONTRACTS_DISPATCH_RETRY_S": "1",
        "CONTRACTS_DISPATCH_TIMEOUT_MS": "200"}})
    dispatch, service = started["dispatch"], started["contracts"]
    client = service.client()
    dispatch.stop()
    client.call("offering.upsert", {"id": "CONS", "kind": "consulting", "name": "Advice",
                                    "cost_cents": 5000, "price_cents": 9000})
    sold = client.call("contract.create", {"customer_id": "C-1", "offering_id": "CONS",
                                           "starts_on": day(0), "ends_on": day(0)})
    wait_until(lambda: client.call("visit.list", {"contract_id": sold["id"]})["items"][0][
        "attempts"] >= 1, what="a failed call recorded")
    visit = client.call("visit.list", {"contract_id": sold["id"]})["items"][0]
    assert visit["workorder_id"] is None and "deadline_exceeded" in visit["last_error"]
    # Requests are still served while it waits.
    assert client.call("contract.get", {"id": sold["id"]})["status"] == "active"
    dispatch.start()
    wait_until(lambda: client.call("contract.get", {"id": sold["id"]})["workorder_id"],
               timeout=15, what="the order once dispatch is back")
    assert [o["type"] for o in dispatch.client().call("workorder.list", {})["items"]] == [
        "consulting"]
