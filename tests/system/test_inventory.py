"""Inventory over real sockets: stock, its ledger and value, reservations and
back-orders, the reorder control, reports, bad input and roles. Every reply
and event is checked against schemas/; the numbers are worked out here,
independently of the service."""
import json
import math
import statistics
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
import zmq

import harness
from harness import wait_until
from peers import events, ledger
from test_security import dump

DAY_MS = 86400 * 1000


@pytest.fixture
def inventory(start_service):
    def start(**env):
        settings = {"SHR_TEST_CLOCK": "1", "INVENTORY_REORDER_SCAN_MS": "100"}
        settings.update(env)
        return start_service("inventory", env=settings)
    return start


def half_up(value):
    return int((Fraction(value) * 2 + 1) // 2)


def parse(ts):
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp() * 1000)


def advance(client, ms):
    return parse(client.call("test.clock.advance", {"by_ms": ms})["now"])


def to_noon(client):
    """Moves the clock on to 12:00 UTC of a day, so that days pass only when
    the test says (a day's issues never straddle midnight)."""
    now = parse(client.call("sys.ping")["ts"])
    noon = (now // DAY_MS + 1) * DAY_MS + DAY_MS // 2
    return advance(client, noon - now)


def prepare(client, parts=("P-1",), policies=None):
    client.call("warehouse.upsert", {"id": "WH-A", "name": "A", "regions": ["north"]})
    client.call("warehouse.upsert", {"id": "WH-B", "name": "B", "regions": ["south", "east"]})
    for sku in parts:
        body = {"sku": sku, "name": "part " + sku, "category": "hvac"}
        if policies:
            body["policies"] = policies
        client.call("part.upsert", body)


def count(client, sku, counted, cost=None, warehouse="WH-A", reason="count"):
    body = {"sku": sku, "warehouse_id": warehouse, "counted": counted, "reason": reason}
    if cost is not None:
        body["unit_cost_cents"] = cost
    return client.call("stock.adjust", body)


def stock(client, sku="P-1", warehouse="WH-A"):
    return client.call("stock.get", {"sku": sku, "warehouse_id": warehouse})


def books_hold(client, sku="P-1", warehouse="WH-A"):
    """On hand and value are the ledger's sums."""
    now = stock(client, sku, warehouse)
    entries = ledger(client, sku=sku, warehouse_id=warehouse)
    assert sum(e["qty"] for e in entries) == now["on_hand"]
    assert sum(e["value_change_cents"] for e in entries) == now["value_cents"]
    assert all(e["on_hand_after"] >= 0 and e["reserved_after"] >= 0 and e["value_after_cents"] >= 0
               for e in entries)
    return now


def test_200_concurrent_reservations_for_100_available(inventory):
    service = inventory()
    client = service.client()
    prepare(client)
    count(client, "P-1", 100, cost=500)
    sockets = []
    for n in range(200):
        sock = harness.secure(zmq.Context.instance().socket(zmq.DEALER), service.api)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(service.api)
        sockets.append(sock)
    # Every request out before any reply is read: they arrive together.
    for n, sock in enumerate(sockets):
        sock.send_multipart([b"", json.dumps({"v": 1, "id": "r%d" % n, "op": "stock.reserve",
                                              "body": {"workorder_id": "WO-%03d" % n,
                                                       "warehouse_id": "WH-A",
                                                       "lines": [{"sku": "P-1", "qty": 1}]}}).encode()])
    replies = []
    for sock in sockets:
        assert sock.poll(30000)
        reply = json.loads(sock.recv_multipart()[1])
        assert reply["ok"], reply
        harness.CONTRACT.validate("inventory/stock.reserve.reply.json", reply["body"])
        replies.append(reply["body"]["lines"][0])
        sock.close(0)
    reserved = sum(1 for line in replies if line["reserved"] == 1 and line["backordered"] == 0)
    backordered = sum(1 for line in replies if line["reserved"] == 0 and line["backordered"] == 1)
    assert (reserved, backordered) == (100, 100)
    now = books_hold(client)
    assert (now["on_hand"], now["reserved"], now["available"], now["backordered"]) == (100, 100, 0, 100)
    assert now["value_cents"] == 50000
    stream = events(client, ("stock.reserved", "stock.backordered"))
    assert sum(1 for e in stream if e["type"] == "stock.reserved") == 100
    assert sum(1 for e in stream if e["type"] == "stock.backordered") == 100
    # 30 more arrive: the 30 oldest back-orders are filled, in the order they were made.
    waiting = [e["key"] for e in stream if e["type"] == "stock.backordered"]
    seq = max(e["seq"] for e in stream) + 1
    count(client, "P-1", 130)
    filled = [e for e in events(client, ("stock.reserved",), seq)]
    assert [e["key"] for e in filled] == waiting[:30]
    assert all(e["data"]["filled"] and e["data"]["complete"] for e in filled)
    now = books_hold(client)
    assert (now["on_hand"], now["reserved"], now["available"], now["backordered"]) == (130, 130, 0, 70)
    client.close()


def test_valuation_and_turnover_against_numbers_worked_out_here(inventory):
    service = inventory()
    client = service.client()
    prepare(client)
    t0 = to_noon(client)
    # The value each step leaves, worked out here; when, the ledger says (one
    # entry a step: the service's clock decides the moment).
    values = []
    value = on_hand = cogs = 0

    def record(what):
        values.append((value, what))

    count(client, "P-1", 10, cost=1000)
    value, on_hand = 10000, 10
    record("count 10 at 10.00")
    advance(client, 2 * DAY_MS)
    client.call("stock.return", {"sku": "P-1", "warehouse_id": "WH-A", "qty": 5,
                                 "unit_cost_cents": 1333, "reason": "found on a van"})
    value, on_hand = value + 5 * 1333, on_hand + 5
    record("5 back at 13.33")
    advance(client, DAY_MS)
    taken = half_up(Fraction(4 * value, on_hand))
    issued = client.call("stock.issue", {"workorder_id": "WO-1", "warehouse_id": "WH-A",
                                         "lines": [{"sku": "P-1", "qty": 4}]})
    assert issued["value_cents"] == taken and issued["lines"][0]["unit_cost_cents"] == half_up(Fraction(taken, 4))
    value, on_hand, cogs = value - taken, on_hand - 4, cogs + taken
    record("issue 4")
    advance(client, 3 * DAY_MS)
    issued = client.call("stock.issue", {"workorder_id": "WO-2", "warehouse_id": "WH-A",
                                         "lines": [{"sku": "P-1", "qty": 11}]})
    assert issued["value_cents"] == value  # the last units out take what is left
    cogs, value, on_hand = cogs + value, 0, 0
    assert stock(client)["value_cents"] == 0 and stock(client)["unit_cost_cents"] is None
    record("issue the last 11")
    advance(client, DAY_MS)
    count(client, "P-1", 3, cost=900)
    value, on_hand = 2700, 3
    record("count 3 at 9.00")
    # Two units back from WO-1, at what WO-1 paid for them: they undo that cost.
    back = half_up(Fraction(2 * taken, 4))
    advance(client, DAY_MS)
    returned = client.call("stock.return", {"sku": "P-1", "warehouse_id": "WH-A", "qty": 2,
                                            "workorder_id": "WO-1", "reason": "unused"})
    assert returned["value_cents"] == back
    value, on_hand, cogs = value + back, on_hand + 2, cogs - back
    record("2 back from WO-1")
    end = advance(client, 2 * DAY_MS)
    now = books_hold(client)
    assert now["value_cents"] == value and now["on_hand"] == on_hand
    assert now["unit_cost_cents"] == half_up(Fraction(value, on_hand))
    entries = ledger(client, sku="P-1")
    assert [e["value_after_cents"] for e in entries] == [v for v, _ in values]
    timeline = [(parse(e["at"]), v, what) for e, (v, what) in zip(entries, values)]
    # Valuation at each moment between the steps.
    for (at, worth, what), nxt in zip(timeline, timeline[1:] + [(end, None, None)]):
        middle = at + (nxt[0] - at) // 2
        stamp = datetime.fromtimestamp(middle / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        report = client.call("inventory.valuation", {"at": stamp})
        assert report["total_value_cents"] == worth, what
        assert sum(item["value_cents"] for item in report["items"]) == worth, what
    # Turnover over the whole period: cogs / the value averaged over time.
    integral = sum(Fraction(worth * ((nxt[0] if nxt else end) - at))
                   for (at, worth, _), nxt in zip(timeline, timeline[1:] + [None]))
    start = timeline[0][0]
    assert t0 <= start

    def stamp(ms):
        return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    report = client.call("inventory.turnover", {"from": stamp(start - 1), "to": stamp(end)})
    assert report["cogs_cents"] == cogs
    assert report["average_value_cents"] == pytest.approx(float(integral / (end - start + 1)), rel=1e-9)
    assert report["turnover"] == pytest.approx(float(cogs / (integral / (end - start + 1))), rel=1e-9)
    assert report["days"] == pytest.approx((end - start + 1) / DAY_MS)
    # A period before anything was held turns over nothing.
    empty = client.call("inventory.turnover", {"from": stamp(start - 10 * DAY_MS),
                                               "to": stamp(start - 5 * DAY_MS)})
    assert empty["cogs_cents"] == 0 and empty["turnover"] is None
    error = client.error("inventory.turnover", {"from": stamp(end), "to": stamp(start)})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/to"
    client.close()


def test_fixed_reorder_once_per_crossing_with_a_minimum_and_a_multiple(inventory):
    service = inventory()
    client = service.client()
    policy = {"warehouse_id": "WH-A", "kind": "fixed", "reorder_point": 5, "order_up_to": 8,
              "min_order_qty": 12, "order_multiple": 5}
    prepare(client)
    count(client, "P-1", 10, cost=100)
    client.call("part.upsert", {"sku": "P-1", "name": "part", "policies": [policy]})

    def alerts(kind="stock.below_reorder"):
        return [e["data"] for e in events(client, (kind,))]

    def issue(wo, qty):
        client.call("stock.issue", {"workorder_id": wo, "warehouse_id": "WH-A",
                                    "lines": [{"sku": "P-1", "qty": qty}]})

    assert alerts() == []
    issue("WO-1", 5)        # position 5: at the reorder point
    # 8 - 5 = 3, raised to the minimum 12, rounded up to a multiple of 5: 15.
    assert [(a["position"], a["suggested_qty"]) for a in alerts()] == [(5, 15)]
    issue("WO-2", 1)        # still below: no second alert
    client.call("stock.reserve", {"workorder_id": "WO-3", "warehouse_id": "WH-A",
                                  "lines": [{"sku": "P-1", "qty": 6}]})  # 4 reserved, 2 owed
    assert len(alerts()) == 1
    now = stock(client)
    assert now["below_reorder"] is True and now["reorder"]["position"] == -2
    assert now["reorder"]["suggested_qty"] == 10 + 5  # 8 + 2 = 10 -> 12 -> 15
    count(client, "P-1", 12)  # the 2 owed are filled; position 12 - 6 = 6: above
    assert stock(client)["below_reorder"] is False and len(alerts()) == 1
    client.call("stock.release", {"workorder_id": "WO-3", "lines": [{"sku": "P-1", "qty": 1}]})
    issue("WO-4", 2)        # position 12 - 5 - 2 = 5: crossed again
    assert [(a["position"], a["suggested_qty"]) for a in alerts()] == [(5, 15), (5, 15)]
    # Overstock: above 8 + 50 % = 12, once per crossing.
    client.call("stock.release", {"workorder_id": "WO-3"})
    assert alerts("stock.overstock") == []
    count(client, "P-1", 13)   # position 13 > 12
    count(client, "P-1", 20)
    over = alerts("stock.overstock")
    assert [(o["position"], o["overstock_above"], o["excess"]) for o in over] == [(13, 12, 1)]
    count(client, "P-1", 12)   # not above any more
    count(client, "P-1", 14)
    assert [o["position"] for o in alerts("stock.overstock")] == [13, 14]
    listed = client.call("stock.list", {"overstock": True})["items"]
    assert [(s["sku"], s["warehouse_id"]) for s in listed] == [("P-1", "WH-A")]
    assert client.call("stock.list", {"below_reorder": True})["items"] == []
    books_hold(client)
    client.close()


def test_auto_reorder_point_from_demand_with_its_inputs_shown(inventory):
    service = inventory()
    client = service.client()
    prepare(client)
    lead, window, daily = 5, 7, [3, 0, 5, 2, 0, 4, 6]
    to_noon(client)
    count(client, "P-1", 40, cost=100)
    client.call("part.upsert", {"sku": "P-1", "name": "part", "policies": [
        {"warehouse_id": "WH-A", "kind": "auto", "lead_time_days": lead, "window_days": window}]})

    def levels(days):
        mean = statistics.fmean(days)
        deviation = statistics.pstdev(days)
        z = statistics.NormalDist().inv_cdf(0.95)
        safety = z * deviation * math.sqrt(lead)
        point = math.ceil(mean * lead + safety - 1e-9)
        return mean, deviation, z, safety, point, point + math.ceil(mean * 30 - 1e-9)

    for day, qty in enumerate(daily):
        if qty:
            client.call("stock.issue", {"workorder_id": "WO-%d" % day, "warehouse_id": "WH-A",
                                        "lines": [{"sku": "P-1", "qty": qty}]})
        if day < len(daily) - 1:
            advance(client, DAY_MS)
    # Today's issues count from tomorrow: the window is the 7 whole days before today.
    before = levels([0] + daily[:-1])
    after = levels(daily)
    position = 40 - sum(daily)
    assert before[4] < position <= after[4], (before, after, position)  # the test's design
    assert events(client, ("stock.below_reorder",)) == []
    seq = client.call("events.replay", {"from_seq": 1, "limit": 1})["last_seq"] + 1
    advance(client, DAY_MS)
    # No movement: the timer sees the new day's levels and the crossing.
    wait_until(lambda: events(client, ("stock.below_reorder",), seq), what="the day's re-evaluation")
    alert = events(client, ("stock.below_reorder",), seq)
    assert len(alert) == 1 and alert[0]["actor"] == "inventory"
    mean, deviation, z, safety, point, up_to = after
    assert alert[0]["data"]["reorder_point"] == point and alert[0]["data"]["kind"] == "auto"
    assert alert[0]["data"]["suggested_qty"] == up_to - position
    shown = stock(client)["reorder"]
    assert shown["demand_mean"] == pytest.approx(mean, rel=1e-12)
    assert shown["demand_stddev"] == pytest.approx(deviation, rel=1e-9)
    assert shown["z"] == pytest.approx(1.6448536, abs=1e-6)
    assert shown["safety_stock"] == pytest.approx(safety, rel=1e-6)
    assert (shown["reorder_point"], shown["order_up_to"], shown["window_days"],
            shown["lead_time_days"], shown["service_level"], shown["cover_days"]) == \
        (point, up_to, window, lead, 0.95, 30)
    assert shown["eoq"] is None
    # With costs the economic order quantity sets order-up-to.
    client.call("part.upsert", {"sku": "P-1", "name": "part", "policies": [
        {"warehouse_id": "WH-A", "kind": "auto", "lead_time_days": lead, "window_days": window,
         "ordering_cost_cents": 5000, "holding_cost_cents": 250}]})
    shown = stock(client)["reorder"]
    eoq = math.sqrt(2 * mean * 365 * 5000 / 250)
    assert shown["eoq"] == pytest.approx(eoq, rel=1e-9)
    assert shown["order_up_to"] == point + math.ceil(eoq)
    client.close()


def test_a_count_below_what_is_reserved_backorders_the_newest(inventory):
    service = inventory()
    client = service.client()
    prepare(client)
    count(client, "P-1", 10, cost=200)
    for n, qty in enumerate((3, 4, 3)):
        client.call("stock.reserve", {"workorder_id": "WO-%d" % n, "region": "north",
                                      "lines": [{"sku": "P-1", "qty": qty}]})
    seq = client.call("events.replay", {"from_seq": 1, "limit": 1})["last_seq"] + 1
    count(client, "P-1", 5, reason="found broken")
    owed = {e["key"]: e["data"]["lines"][0]["qty"] for e in events(client, ("stock.backordered",), seq)}
    assert owed == {"WO-2": 3, "WO-1": 2}
    assert client.call("reservation.get", {"workorder_id": "WO-1"})["lines"][0] == \
        {"sku": "P-1", "reserved": 2, "backordered": 2, "issued": 0}
    now = books_hold(client)
    assert (now["on_hand"], now["reserved"], now["backordered"], now["value_cents"]) == (5, 5, 5, 1000)
    client.close()


def test_bad_input_names_the_field_and_changes_nothing(inventory):
    service = inventory()
    client = service.client()
    prepare(client)
    count(client, "P-1", 5, cost=100)
    client.call("stock.reserve", {"workorder_id": "WO-1", "warehouse_id": "WH-A",
                                  "lines": [{"sku": "P-1", "qty": 2}]})
    client.call("stock.issue", {"workorder_id": "WO-2", "warehouse_id": "WH-A",
                                "lines": [{"sku": "P-1", "qty": 1}]})
    before = dump(service)
    cases = [
        ("stock.adjust", {"sku": "P-404", "warehouse_id": "WH-A", "counted": 1, "reason": "x"},
         "not_found", "/body/sku"),
        ("stock.adjust", {"sku": "P-1", "warehouse_id": "WH-A", "counted": -1, "reason": "x"},
         "invalid_argument", "/body/counted"),
        ("stock.adjust", {"sku": "P-1", "warehouse_id": "WH-Z", "counted": 1, "reason": "x"},
         "not_found", "/body/warehouse_id"),
        ("stock.reserve", {"workorder_id": "WO-9", "warehouse_id": "WH-A",
                           "lines": [{"sku": "P-404", "qty": 1}]}, "not_found", "/body/lines/0/sku"),
        ("stock.reserve", {"workorder_id": "WO-9", "warehouse_id": "WH-A",
                           "lines": [{"sku": "P-1", "qty": 0}]}, "invalid_argument", "/body/lines/0/qty"),
        ("stock.reserve", {"workorder_id": "WO-9", "warehouse_id": "WH-A",
                           "lines": [{"sku": "P-1", "qty": -3}]}, "invalid_argument", "/body/lines/0/qty"),
        ("stock.reserve", {"workorder_id": "WO-9", "lines": [{"sku": "P-1", "qty": 1}]},
         "invalid_argument", "/body/warehouse_id"),
        ("stock.reserve", {"workorder_id": "WO-9", "region": "west", "lines": [{"sku": "P-1", "qty": 1}]},
         "not_found", "/body/region"),
        ("stock.reserve", {"workorder_id": "WO-9", "warehouse_id": "WH-A",
                           "lines": [{"sku": "P-1", "qty": 1}, {"sku": "P-1", "qty": 1}]},
         "invalid_argument", "/body/lines/1/sku"),
        ("stock.reserve", {"workorder_id": "WO-1", "warehouse_id": "WH-B",
                           "lines": [{"sku": "P-1", "qty": 1}]}, "failed_precondition", "/body/warehouse_id"),
        ("stock.issue", {"workorder_id": "WO-3", "warehouse_id": "WH-A",
                         "lines": [{"sku": "P-1", "qty": 3}]}, "failed_precondition", "/body/lines/0/qty"),
        ("stock.issue", {"workorder_id": "WO-3", "lines": [{"sku": "P-1", "qty": 1}]},
         "invalid_argument", "/body/warehouse_id"),
        ("stock.release", {"workorder_id": "WO-1", "lines": [{"sku": "P-1", "qty": 3}]},
         "failed_precondition", "/body/lines/0/qty"),
        ("stock.release", {"workorder_id": "WO-404"}, "not_found", "/body/workorder_id"),
        ("stock.transfer", {"sku": "P-1", "from_warehouse_id": "WH-A", "to_warehouse_id": "WH-B",
                            "qty": 3}, "failed_precondition", "/body/qty"),
        ("stock.transfer", {"sku": "P-1", "from_warehouse_id": "WH-A", "to_warehouse_id": "WH-A",
                            "qty": 1}, "invalid_argument", "/body/to_warehouse_id"),
        ("stock.transfer", {"sku": "P-1", "from_warehouse_id": "WH-A", "to_warehouse_id": "WH-B",
                            "qty": 0}, "invalid_argument", "/body/qty"),
        ("stock.return", {"sku": "P-1", "warehouse_id": "WH-A", "qty": 2, "workorder_id": "WO-2",
                          "reason": "x"}, "failed_precondition", "/body/qty"),
        ("stock.return", {"sku": "P-1", "warehouse_id": "WH-B", "qty": 1, "reason": "x"},
         "invalid_argument", "/body/unit_cost_cents"),
        ("stock.adjust", {"sku": "P-1", "warehouse_id": "WH-B", "counted": 4, "reason": "x"},
         "invalid_argument", "/body/unit_cost_cents"),
        ("part.upsert", {"sku": "P-1", "name": "x", "policies": [
            {"warehouse_id": "WH-A", "kind": "fixed", "reorder_point": 9, "order_up_to": 3}]},
         "invalid_argument", "/body/policies/0/order_up_to"),
        ("part.upsert", {"sku": "P-1", "name": "x", "policies": [
            {"warehouse_id": "WH-A", "kind": "fixed", "order_up_to": 3}]},
         "invalid_argument", "/body/policies/0/reorder_point"),
        ("part.upsert", {"sku": "P-1", "name": "x", "policies": [
            {"warehouse_id": "WH-A", "kind": "auto"}]}, "invalid_argument", "/body/policies/0/lead_time_days"),
        ("part.upsert", {"sku": "P-1", "name": "x", "policies": [
            {"warehouse_id": "WH-A", "kind": "auto", "lead_time_days": 3, "ordering_cost_cents": 10}]},
         "invalid_argument", "/body/policies/0/holding_cost_cents"),
        ("part.upsert", {"sku": "P-1", "name": "x", "policies": [
            {"warehouse_id": "WH-Z", "kind": "fixed", "reorder_point": 1, "order_up_to": 3}]},
         "not_found", "/body/policies/0/warehouse_id"),
        ("part.upsert", {"sku": "P 1", "name": "x"}, "invalid_argument", "/body/sku"),
        ("warehouse.upsert", {"id": "WH-C", "name": "C", "regions": ["north"]},
         "failed_precondition", "/body/regions/0"),
        ("stock.get", {"sku": "P-404", "warehouse_id": "WH-A"}, "not_found", "/body/sku"),
        ("stock.ledger", {"cursor": "x"}, "invalid_argument", "/body/cursor"),
    ]
    for op, body, code, field in cases:
        error = client.error(op, body)
        assert (error["code"], error.get("field")) == (code, field), (op, body, error)
        assert error["message"], (op, body)
    assert dump(service) == before
    client.close()


def test_roles_and_the_actor_of_every_movement(inventory):
    service = inventory()
    admin = service.client()
    prepare(admin)
    store = service.client(key=harness.new_key("inv-store-1", "warehouse"))
    viewer = service.client(key=harness.new_key("inv-viewer-2", "reader"))
    desk = service.client(key=harness.new_key("inv-desk-3", "dispatcher"))
    moved = store.call("stock.adjust", {"sku": "P-1", "warehouse_id": "WH-A", "counted": 4,
                                        "reason": "opening count", "unit_cost_cents": 50,
                                        "by": "Ms Chen"})
    assert moved["stock"]["on_hand"] == 4
    desk.call("stock.reserve", {"workorder_id": "WO-1", "region": "north",
                                "lines": [{"sku": "P-1", "qty": 1}]})
    for client, op, body in (
            (viewer, "stock.adjust", {"sku": "P-1", "warehouse_id": "WH-A", "counted": 0, "reason": "x"}),
            (desk, "stock.adjust", {"sku": "P-1", "warehouse_id": "WH-A", "counted": 0, "reason": "x"}),
            (viewer, "stock.reserve", {"workorder_id": "WO-2", "region": "north",
                                       "lines": [{"sku": "P-1", "qty": 1}]}),
            (desk, "stock.issue", {"workorder_id": "WO-1", "lines": [{"sku": "P-1", "qty": 1}]}),
            (viewer, "part.upsert", {"sku": "P-2", "name": "x"})):
        error = client.error(op, body)
        assert error["code"] == "permission_denied" and error["field"] == "/op", (op, error)
        assert op in error["message"]
    assert viewer.call("stock.get", {"sku": "P-1", "warehouse_id": "WH-A"})["on_hand"] == 4
    entries = ledger(admin, sku="P-1")
    assert [(e["kind"], e["actor"], e["by"]) for e in entries] == [
        ("adjustment", "inv-store-1", "Ms Chen"), ("reservation", "inv-desk-3", None)]
    adjusted = events(admin, ("stock.adjusted", "stock.reserved"))
    assert [(e["type"], e["actor"]) for e in adjusted] == [("stock.adjusted", "inv-store-1"),
                                                           ("stock.reserved", "inv-desk-3")]
    assert adjusted[0]["data"]["by"] == "Ms Chen"


def test_transfers_move_value_and_fill_back_orders_there(inventory):
    service = inventory()
    client = service.client()
    prepare(client)
    count(client, "P-1", 7, cost=1000)
    client.call("stock.return", {"sku": "P-1", "warehouse_id": "WH-A", "qty": 2,
                                 "unit_cost_cents": 1001, "reason": "back"})   # 9 worth 9002
    client.call("stock.reserve", {"workorder_id": "WO-S", "region": "south",
                                  "lines": [{"sku": "P-1", "qty": 2}]})     # owed 2 in WH-B
    moved = client.call("stock.transfer", {"sku": "P-1", "from_warehouse_id": "WH-A",
                                           "to_warehouse_id": "WH-B", "qty": 4, "by": "Mr Wu"})
    assert moved["id"] == "TR-000001" and moved["value_cents"] == half_up(Fraction(4 * 9002, 9))
    assert moved["from"]["value_cents"] + moved["to"]["value_cents"] == 9002
    assert moved["to"]["reserved"] == 2 and moved["to"]["backordered"] == 0
    assert client.call("reservation.get", {"workorder_id": "WO-S"})["complete"] is True
    for warehouse in ("WH-A", "WH-B"):
        books_hold(client, "P-1", warehouse)
    assert sum(item["value_cents"] for item in client.call("inventory.valuation", {})["items"]) == 9002
    per_warehouse = client.call("inventory.valuation", {"warehouse_id": "WH-B"})
    assert per_warehouse["total_value_cents"] == moved["value_cents"]
    entries = ledger(client, reference="TR-000001")
    assert [(e["warehouse_id"], e["qty"], e["by"]) for e in entries] == [("WH-A", -4, "Mr Wu"),
                                                                         ("WH-B", 4, "Mr Wu")]
    client.close()
