"""Procurement over real sockets: price lists, requisitions, procurement.run's
weighted choice and consolidation, the purchase order's life, receipts with
days late, the supplier scorecard and its blocking, bad input and roles.
Every reply and event is checked against schemas/; the numbers are worked
out here, independently of the service."""
import pytest

import harness
from harness import wait_until
from peers import events
from test_inventory import DAY_MS, advance, to_noon
from test_security import dump

FROM = "2020-01-01T00:00:00.000Z"


@pytest.fixture
def procurement(start_service):
    def start(**env):
        settings = {"SHR_TEST_CLOCK": "1"}
        settings.update(env)
        return start_service("procurement", env=settings)
    return start


def supplier(client, sid, lead=3, **extra):
    body = {"id": sid, "name": "Supplier " + sid, "lead_time_days": lead}
    body.update(extra)
    return client.call("supplier.upsert", body)


def price(client, sid, sku, *breaks, valid_from=FROM, valid_to=None):
    body = {"supplier_id": sid, "sku": sku, "valid_from": valid_from,
            "breaks": [{"min_qty": q, "unit_price_cents": p} for q, p in breaks]}
    if valid_to:
        body["valid_to"] = valid_to
    return client.call("supplier.price.set", body)


def order(client, sid, sku, qty, warehouse="WH-1"):
    return client.call("po.create", {"supplier_id": sid, "warehouse_id": warehouse,
                                     "lines": [{"sku": sku, "qty": qty}]})


def receive(client, po, sku, accepted, rejected=0):
    return client.call("po.receive", {"id": po, "lines": [{"sku": sku, "accepted": accepted,
                                                           "rejected": rejected}]})


def card(client, sid, **period):
    return client.call("supplier.scorecard", dict(period, supplier_id=sid))["items"][0]


def test_the_scorecard_of_a_late_supplier_one_with_rejects_and_one_with_no_deliveries(procurement):
    service = procurement()
    client = service.client()
    to_noon(client)
    supplier(client, "S-LATE", lead=2)
    supplier(client, "S-REJECT", lead=10)
    supplier(client, "S-IDLE", lead=3)
    price(client, "S-LATE", "P-1", (1, 1000))
    price(client, "S-REJECT", "P-1", (1, 1100))
    price(client, "S-IDLE", "P-1", (1, 900))          # the lowest offer: the price index's yardstick
    late = order(client, "S-LATE", "P-1", 10)
    assert late["lines"][0]["best_price_cents"] == 900 and late["status"] == "approved"
    advance(client, 5 * DAY_MS)                        # promised in 2 days: 3 days late
    received = receive(client, late["id"], "P-1", 10)
    assert received["status"] == "received" and received["receipts"][0]["lines"][0]["days_late"] == 3
    on_time = order(client, "S-LATE", "P-1", 10)
    receive(client, on_time["id"], "P-1", 10)
    rejects = order(client, "S-REJECT", "P-1", 20)
    receive(client, rejects["id"], "P-1", 15, 5)
    # Worked out here: on time 1 of 2, all accepted, price 900/1000 each line;
    # on time 1 of 1, 15 of 20 accepted, price 900/1100.
    expect = {"S-LATE": (2, 0.5, 1.0, 0.9), "S-REJECT": (1, 1.0, 0.75, 900 / 1100)}
    for sid, (lines, on_time_rate, quality, index) in expect.items():
        got = card(client, sid)
        score = round(100 * (0.4 * index + 0.3 * on_time_rate + 0.3 * quality) + 1e-9, 1)
        assert got["lines_received"] == lines
        assert got["on_time_rate"] == pytest.approx(on_time_rate)
        assert got["quality_rate"] == pytest.approx(quality)
        assert got["price_index"] == pytest.approx(index)
        assert got["score"] == pytest.approx(score) and got["blocked"] is False
        assert got["standing"] == ("excellent" if score >= 80 else "average")
    assert card(client, "S-LATE")["score"] == 81.0
    assert card(client, "S-REJECT")["score"] == 85.2  # 32.73 + 30 + 22.5
    idle = card(client, "S-IDLE")
    assert idle["standing"] == "unrated" and idle["lines_received"] == 0 and idle["blocked"] is False
    assert idle["score"] is None and idle["on_time_rate"] is None and idle["quality_rate"] is None
    # A period before the receipts: everyone unrated.
    early = client.call("supplier.scorecard", {"from": FROM, "to": "2021-01-01T00:00:00.000Z"})
    assert {c["supplier_id"]: c["standing"] for c in early["items"]} == {
        "S-IDLE": "unrated", "S-LATE": "unrated", "S-REJECT": "unrated"}
    # Each receipt scored its supplier; the late one's po.received said 3 days.
    scored = events(client, ("supplier.scored",))
    # S-LATE's first: late, best-price ratio 0.9: 100 x (0.36 + 0 + 0.3) = 66.0, average.
    assert [(e["key"], e["data"]["standing"], e["data"]["score"]) for e in scored] == [
        ("S-LATE", "average", 66.0), ("S-LATE", "excellent", 81.0), ("S-REJECT", "excellent", 85.2)]
    received_events = events(client, ("po.received",))
    assert received_events[0]["data"]["lines"][0]["days_late"] == 3
    assert received_events[1]["data"]["lines"][0]["days_late"] == 0
    client.close()


def test_a_very_poor_supplier_is_blocked_until_an_officer_unblocks_it(procurement):
    service = procurement()
    client = service.client()
    officer = service.client(key=harness.new_key("proc-buyer-1", "procurement_officer"))
    supplier(client, "S-BAD", lead=1)
    supplier(client, "S-CHEAP", lead=1)
    price(client, "S-BAD", "P-2", (1, 3000))
    price(client, "S-CHEAP", "P-2", (1, 600))
    price(client, "S-BAD", "P-3", (1, 500))            # nobody else offers P-3
    bad = order(client, "S-BAD", "P-2", 10)
    advance(client, 4 * DAY_MS)
    receive(client, bad["id"], "P-2", 1, 9)
    # 100 x (0.4 x 600/3000 + 0.3 x 0 + 0.3 x 0.1) = 11.0: very poor, blocked.
    got = card(client, "S-BAD")
    assert got["score"] == 11.0 and got["standing"] == "very_poor" and got["blocked"] is True
    blocked = client.call("supplier.get", {"id": "S-BAD"})
    assert blocked["blocked"] is True and "11.0" in blocked["blocked_reason"]
    scored = events(client, ("supplier.scored",))[-1]["data"]
    assert scored["blocked_now"] is True and scored["score"] == 11.0
    error = client.error("po.create", {"supplier_id": "S-BAD", "warehouse_id": "WH-1",
                                       "lines": [{"sku": "P-3", "qty": 1}]})
    assert error["code"] == "failed_precondition" and error["field"] == "/body/supplier_id"
    assert "blocked" in error["message"]
    client.call("requisition.create", {"sku": "P-3", "warehouse_id": "WH-1", "qty": 4})
    run = officer.call("procurement.run", {})
    assert run["orders"] == [] and run["still_open"] == 1
    assert "S-BAD (blocked)" in run["left_open"][0]["reason"]
    assert client.call("requisition.list", {"status": "open"})["items"][0]["reason"] == \
        run["left_open"][0]["reason"]
    # An officer unblocks it: the next run orders from it.
    unblocked = supplier(officer, "S-BAD", lead=1, blocked=False, by="Ms Lin")
    assert unblocked["blocked"] is False and unblocked["blocked_reason"] is None
    run = officer.call("procurement.run", {})
    assert [(o["supplier_id"], o["total_cents"]) for o in run["orders"]] == [("S-BAD", 2000)]
    assert run["orders"][0]["id"] and run["still_open"] == 0
    client.close()


def test_procurement_run_consolidates_by_the_weighted_score(procurement):
    service = procurement(PROCUREMENT_APPROVAL_LIMIT_CENTS="20000")
    client = service.client()
    officer = service.client(key=harness.new_key("proc-buyer-2", "procurement_officer"))
    manager = service.client(key=harness.new_key("proc-boss-2", "manager"))
    for sid in ("S-A", "S-B", "S-C", "S-OFF"):
        supplier(client, sid, lead=4, active=sid != "S-OFF")
    # S-A is cheapest and unrated; S-B dearer; S-C dearer still but proven.
    for sku in ("P-1", "P-2", "P-5"):
        price(client, "S-A", sku, (1, 1000), (10, 900))
        price(client, "S-B", sku, (1, 1200), (10, 1150))
        price(client, "S-OFF", sku, (1, 100))          # inactive: never chosen
    price(client, "S-C", "P-5", (1, 1050))
    price(client, "S-C", "P-0", (1, 10))
    proven = order(client, "S-C", "P-0", 5)
    receive(client, proven["id"], "P-0", 5)           # on time, all accepted: rates 1 and 1
    for sku, warehouse, qty in (("P-1", "WH-1", 12), ("P-2", "WH-1", 3), ("P-1", "WH-2", 2),
                                ("P-5", "WH-1", 4), ("P-9", "WH-1", 1)):
        client.call("requisition.create", {"sku": sku, "warehouse_id": warehouse, "qty": qty})
    run = officer.call("procurement.run", {})
    # P-5: S-A scores 0.4 + 0.3 x 0.8 + 0.3 x 0.8 = 0.88 (unrated), S-C 0.4 x 1000/1050 + 0.6 =
    # 0.981: S-C, though dearer. The rest go to S-A, one order per warehouse: P-1 at 12 pays
    # the 10-break's 900.
    orders = {(o["supplier_id"], o["warehouse_id"]): o for o in run["orders"]}
    assert set(orders) == {("S-A", "WH-1"), ("S-A", "WH-2"), ("S-C", "WH-1")}
    assert orders[("S-A", "WH-1")]["total_cents"] == 12 * 900 + 3 * 1000
    assert orders[("S-A", "WH-2")]["total_cents"] == 2 * 1000
    assert orders[("S-C", "WH-1")]["total_cents"] == 4 * 1050
    assert run["lines_ordered"] == 4 and run["still_open"] == 1
    assert run["left_open"][0]["sku"] == "P-9" and "no supplier offers" in run["left_open"][0]["reason"]
    # All under the limit of 200.00: approved at once.
    assert {o["status"] for o in run["orders"]} == {"approved"}
    whole = client.call("po.get", {"id": orders[("S-A", "WH-1")]["id"]})
    assert [(l["sku"], l["qty"], l["unit_price_cents"], l["best_price_cents"]) for l in whole["lines"]] \
        == [("P-1", 12, 900, 100), ("P-2", 3, 1000, 100)]  # the lowest offer counts S-OFF's
    assert whole["created_by"] == "proc-buyer-2" and whole["auto_approved"] is True
    # Over the limit: a draft until a manager approves; an officer may not.
    client.call("requisition.create", {"sku": "P-2", "warehouse_id": "WH-3", "qty": 30})
    run = officer.call("procurement.run", {})
    draft = run["orders"][0]
    assert draft["status"] == "draft" and draft["total_cents"] == 30 * 900
    error = officer.error("po.approve", {"id": draft["id"]})
    assert error["code"] == "permission_denied" and "po.approve" in error["message"]
    approved = manager.call("po.approve", {"id": draft["id"], "by": "Mr Zhao"})
    assert approved["status"] == "approved" and approved["approved_by"] == "proc-boss-2"
    assert approved["by"] == "Mr Zhao"
    error = manager.error("po.approve", {"id": draft["id"]})
    assert error["code"] == "failed_precondition" and "it is approved" in error["message"]
    stream = events(client, ("po.approved",))
    assert [(e["key"], e["actor"], e["data"]["auto_approved"]) for e in stream][-1] == \
        (draft["id"], "proc-boss-2", False)
    requisitions = client.call("requisition.list", {})["items"]
    assert {r["status"] for r in requisitions if r["sku"] != "P-9"} == {"ordered"}
    client.close()


def test_the_purchase_order_life_and_cancellation(procurement):
    service = procurement(PROCUREMENT_APPROVAL_LIMIT_CENTS="1000")
    client = service.client()
    supplier(client, "S-1")
    price(client, "S-1", "P-1", (1, 500))
    price(client, "S-1", "P-2", (1, 700))
    client.call("requisition.create", {"sku": "P-1", "warehouse_id": "WH-1", "qty": 4})
    draft = client.call("procurement.run", {})["orders"][0]
    assert draft["status"] == "draft"
    # A cancelled draft's requisition is open again.
    cancelled = client.call("po.cancel", {"id": draft["id"], "reason": "wrong supplier"})
    assert cancelled["status"] == "cancelled" and cancelled["reason"] == "wrong supplier"
    assert [r["status"] for r in client.call("requisition.list", {})["items"]] == ["open"]
    event = events(client, ("po.cancelled",))[-1]["data"]
    assert event["was_approved"] is False and event["lines"] == [{"sku": "P-1", "remaining": 4}]
    again = client.call("procurement.run", {})["orders"][0]
    client.call("po.approve", {"id": again["id"]})
    received = receive(client, again["id"], "P-1", 1, 1)
    assert received["status"] == "partially_received"
    received = receive(client, again["id"], "P-1", 1)
    assert received["status"] == "partially_received"
    assert [(l["accepted"], l["rejected"]) for l in received["lines"]] == [(2, 1)]
    cancelled = client.call("po.cancel", {"id": again["id"], "reason": "the rest never came"})
    event = events(client, ("po.cancelled",))[-1]["data"]
    assert event["was_approved"] is True and event["lines"] == [{"sku": "P-1", "remaining": 1}]
    assert client.call("requisition.list", {"status": "cancelled"})["items"][0]["reason"] == \
        "%s was cancelled" % again["id"]
    for step, body in (("approve", {}), ("receive", {"lines": [{"sku": "P-1", "accepted": 1}]}),
                       ("cancel", {"reason": "again"})):
        error = client.error("po." + step, dict(body, id=again["id"]))
        assert error["code"] == "failed_precondition" and "it is cancelled" in error["message"]
    # Two lines, received in two receipts: received when both are in.
    both = client.call("po.create", {"supplier_id": "S-1", "warehouse_id": "WH-2", "lines": [
        {"sku": "P-1", "qty": 2}, {"sku": "P-2", "qty": 1, "unit_price_cents": 650}]})
    assert both["total_cents"] == 2 * 500 + 650 and both["status"] == "draft"
    client.call("po.approve", {"id": both["id"]})
    assert receive(client, both["id"], "P-2", 1)["status"] == "partially_received"
    done = receive(client, both["id"], "P-1", 2)
    assert done["status"] == "received" and len(done["receipts"]) == 2
    steps = [e["data"]["status"] for e in events(client, ("po.received",)) if e["key"] == both["id"]]
    assert steps == ["partially_received", "received"]
    client.close()


def test_bad_input_names_the_field_and_changes_nothing(procurement):
    service = procurement(PROCUREMENT_APPROVAL_LIMIT_CENTS="1000")
    client = service.client()
    supplier(client, "S-1")
    price(client, "S-1", "P-1", (1, 500), valid_to="2030-01-01T00:00:00.000Z")
    approved = order(client, "S-1", "P-1", 1)       # 500: under the limit, approved
    draft = order(client, "S-1", "P-1", 10)          # 5000: a draft
    client.call("requisition.create", {"sku": "P-1", "warehouse_id": "WH-1", "qty": 2})
    before = dump(service)
    cases = [
        ("supplier.price.set", {"supplier_id": "S-1", "sku": "P-1", "valid_from": "2025-01-01T00:00:00.000Z",
                                "breaks": [{"min_qty": 1, "unit_price_cents": 450}]},
         "failed_precondition", "/body/valid_from"),
        ("supplier.price.set", {"supplier_id": "S-1", "sku": "P-1", "valid_from": "2019-01-01T00:00:00.000Z",
                                "valid_to": "2020-06-01T00:00:00.000Z",
                                "breaks": [{"min_qty": 1, "unit_price_cents": 450}]},
         "failed_precondition", "/body/valid_from"),
        ("supplier.price.set", {"supplier_id": "S-1", "sku": "P-2", "valid_from": FROM,
                                "breaks": [{"min_qty": 10, "unit_price_cents": 4}, {"min_qty": 5, "unit_price_cents": 5}]},
         "invalid_argument", "/body/breaks/1/min_qty"),
        ("supplier.price.set", {"supplier_id": "S-1", "sku": "P-2", "valid_from": FROM, "valid_to": FROM,
                                "breaks": [{"min_qty": 1, "unit_price_cents": 4}]},
         "invalid_argument", "/body/valid_to"),
        ("supplier.price.set", {"supplier_id": "S-404", "sku": "P-2", "valid_from": FROM,
                                "breaks": [{"min_qty": 1, "unit_price_cents": 4}]}, "not_found", "/body/supplier_id"),
        ("supplier.price.set", {"supplier_id": "S-1", "sku": "P-2", "valid_from": FROM,
                                "breaks": [{"min_qty": 1, "unit_price_cents": -4}]},
         "invalid_argument", "/body/breaks/0/unit_price_cents"),
        ("po.receive", {"id": approved["id"], "lines": [{"sku": "P-1", "accepted": 2}]},
         "invalid_argument", "/body/lines/0/accepted"),
        ("po.receive", {"id": approved["id"], "lines": [{"sku": "P-1", "accepted": 1, "rejected": 1}]},
         "invalid_argument", "/body/lines/0/accepted"),
        ("po.receive", {"id": approved["id"], "lines": [{"sku": "P-1", "accepted": 0}]},
         "invalid_argument", "/body/lines/0/accepted"),
        ("po.receive", {"id": approved["id"], "lines": [{"sku": "P-1", "accepted": -1}]},
         "invalid_argument", "/body/lines/0/accepted"),
        ("po.receive", {"id": approved["id"], "lines": [{"sku": "P-7", "accepted": 1}]},
         "invalid_argument", "/body/lines/0/sku"),
        ("po.receive", {"id": draft["id"], "lines": [{"sku": "P-1", "accepted": 1}]},
         "failed_precondition", "/body/id"),
        ("po.receive", {"id": "PO-999999", "lines": [{"sku": "P-1", "accepted": 1}]}, "not_found", "/body/id"),
        ("po.create", {"supplier_id": "S-1", "warehouse_id": "WH-1", "lines": [{"sku": "P-1", "qty": 0}]},
         "invalid_argument", "/body/lines/0/qty"),
        ("po.create", {"supplier_id": "S-1", "warehouse_id": "WH-1", "lines": [{"sku": "P-8", "qty": 1}]},
         "invalid_argument", "/body/lines/0/unit_price_cents"),
        ("po.create", {"supplier_id": "S-1", "warehouse_id": "WH-1",
                       "lines": [{"sku": "P-1", "qty": 1}, {"sku": "P-1", "qty": 2}]},
         "invalid_argument", "/body/lines/1/sku"),
        ("po.create", {"supplier_id": "S-404", "warehouse_id": "WH-1", "lines": [{"sku": "P-1", "qty": 1}]},
         "not_found", "/body/supplier_id"),
        ("requisition.create", {"sku": "P-1", "warehouse_id": "WH-1", "qty": 5}, "already_exists", "/body/sku"),
        ("requisition.create", {"sku": "P-1", "warehouse_id": "WH-2", "qty": -5}, "invalid_argument", "/body/qty"),
        ("supplier.upsert", {"id": "S-2", "name": "x", "lead_time_days": -1}, "invalid_argument",
         "/body/lead_time_days"),
        ("supplier.scorecard", {"from": FROM, "to": FROM}, "invalid_argument", "/body/to"),
        ("supplier.scorecard", {"supplier_id": "S-404"}, "not_found", "/body/supplier_id"),
    ]
    for op, body, code, field in cases:
        error = client.error(op, body)
        assert (error["code"], error.get("field")) == (code, field), (op, body, error)
    assert dump(service) == before
    client.close()


def test_roles_and_who_acted(procurement):
    service = procurement()
    admin = service.client()
    officer = service.client(key=harness.new_key("proc-buyer-3", "procurement_officer"))
    store = service.client(key=harness.new_key("proc-dock-3", "warehouse"))
    viewer = service.client(key=harness.new_key("proc-viewer-3", "reader"))
    supplier(officer, "S-1")
    price(officer, "S-1", "P-1", (1, 100))
    store.call("requisition.create", {"sku": "P-1", "warehouse_id": "WH-1", "qty": 3, "by": "Ms Ma"})
    po = officer.call("procurement.run", {})["orders"][0]
    received = store.call("po.receive", {"id": po["id"], "lines": [{"sku": "P-1", "accepted": 3}],
                                         "by": "Mr He"})
    assert received["receipts"][0]["actor"] == "proc-dock-3" and received["receipts"][0]["by"] == "Mr He"
    requisition = admin.call("requisition.list", {})["items"][0]
    assert (requisition["actor"], requisition["by"]) == ("proc-dock-3", "Ms Ma")
    for client, op, body in ((viewer, "supplier.upsert", {"id": "S-2", "name": "x", "lead_time_days": 1}),
                             (store, "procurement.run", {}),
                             (viewer, "po.receive", {"id": po["id"], "lines": [{"sku": "P-1", "accepted": 1}]}),
                             (officer, "po.approve", {"id": po["id"]})):
        error = client.error(op, body)
        assert error["code"] == "permission_denied" and error["field"] == "/op", (op, error)
    assert viewer.call("po.get", {"id": po["id"]})["status"] == "received"
    stream = events(admin, ("requisition.created", "po.created", "po.received", "supplier.updated"))
    assert [(e["type"], e["actor"]) for e in stream] == [
        ("supplier.updated", "proc-buyer-3"), ("requisition.created", "proc-dock-3"),
        ("po.created", "proc-buyer-3"), ("po.received", "proc-dock-3")]


def test_the_timer_runs_procurement_by_itself(procurement):
    service = procurement(PROCUREMENT_RUN_MS="200")
    client = service.client()
    supplier(client, "S-1")
    price(client, "S-1", "P-1", (1, 100))
    client.call("requisition.create", {"sku": "P-1", "warehouse_id": "WH-1", "qty": 3})
    orders = wait_until(lambda: client.call("po.list", {})["items"], what="the timer's run")
    po = client.call("po.get", {"id": orders[0]["id"]})
    assert po["created_by"] == "procurement" and po["lines"][0]["requisition_id"] == "RQ-000001"
    client.close()
