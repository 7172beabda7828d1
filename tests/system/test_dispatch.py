"""Dispatch over real sockets: technicians, the work order lifecycle, SLA events,
assignment, rework and money. Every reply and event is checked against schemas/."""
import json
import threading
import time

import pytest
import zmq

import harness
from harness import Subscriber, wait_until

HOUR_MS = 3600 * 1000
STEPS = ["diagnose", "assign", "start", "wait_parts", "resume", "complete", "accept", "reject",
         "cancel"]
ALLOWED = {  # status -> steps it allows
    "reported": {"diagnose", "assign", "cancel"},
    "assigned": {"diagnose", "start", "cancel"},
    "in_progress": {"diagnose", "wait_parts", "complete", "cancel"},
    "waiting_parts": {"resume", "cancel"},
    "completed": {"accept", "reject"},
    "accepted": set(),
    "rejected": set(),
    "cancelled": set(),
}


@pytest.fixture
def dispatch(start_service):
    def start(**env):
        settings = {"SHR_TEST_CLOCK": "1", "DISPATCH_SLA_SCAN_MS": "50"}
        settings.update(env)
        return start_service("dispatch", env=settings)
    return start


def technician(client, tid, region="north", skills=(("hvac", 3),), cost=6000, **extra):
    body = {"id": tid, "name": "Tech " + tid, "region": region,
            "skills": [{"skill": s, "level": lv} for s, lv in skills], "hourly_cost_cents": cost}
    body.update(extra)
    return client.call("technician.upsert", body)


def order(client, **extra):
    body = {"customer_id": "C-1", "type": "repair", "priority": "normal", "channel": "phone",
            "region": "north", "description": "AC not cooling", "required_skill": "hvac",
            "required_level": 2}
    body.update(extra)
    return client.call("workorder.create", body)


def step_body(step, wid):
    body = {"id": wid}
    if step == "diagnose":
        body["text"] = "compressor relay"
    if step == "complete":
        body["labour_minutes"] = 30
    if step in ("reject", "cancel"):
        body["reason"] = "because"
    return body


def drive(client, wid, status):
    """Takes a reported order to the given status."""
    paths = {
        "reported": [], "assigned": ["assign"], "in_progress": ["assign", "start"],
        "waiting_parts": ["assign", "start", "wait_parts"],
        "completed": ["assign", "start", "complete"],
        "accepted": ["assign", "start", "complete", "accept"],
        "rejected": ["assign", "start", "complete", "reject"],
        "cancelled": ["cancel"],
    }
    for step in paths[status]:
        body = step_body(step, wid)
        if step == "assign":
            body["technician_id"] = "T-1"
        client.call("workorder." + step, body)
    assert client.call("workorder.get", {"id": wid})["status"] == status


def test_whole_lifecycle_with_events(dispatch):
    service = dispatch()
    sub = Subscriber(service.events)
    time.sleep(0.3)
    client = service.client()
    tech = technician(client, "T-1")
    assert tech["open_jobs"] == 0 and tech["currency"] == "CNY" and tech["active"] is True
    created = order(client, priority="high", product_model="AC-9", product_serial="SN-1",
                    address="1 Main St")
    wid = created["id"]
    assert wid == "WO-000001" and created["status"] == "reported"
    assert created["times"]["reported_at"] and created["technician_id"] is None
    client.call("workorder.diagnose", {"id": wid, "text": "remote triage: relay", "by": "agent-7",
                                       "parts_needed": [{"part_id": "P-RELAY", "qty": 1}]})
    assigned = client.call("workorder.assign", {"id": wid})
    assert assigned["status"] == "assigned" and assigned["technician_id"] == "T-1"
    assert client.call("technician.get", {"id": "T-1"})["open_jobs"] == 1
    client.call("workorder.start", {"id": wid})
    client.call("workorder.diagnose", {"id": wid, "text": "on site: relay and fan",
                                       "parts_needed": [{"part_id": "P-RELAY", "qty": 1},
                                                        {"part_id": "P-FAN", "qty": 1}]})
    waiting = client.call("workorder.wait_parts", {"id": wid, "note": "fan on order"})
    assert waiting["status"] == "waiting_parts" and len(waiting["parts_needed"]) == 2
    client.call("workorder.resume", {"id": wid})
    done = client.call("workorder.complete", {
        "id": wid, "labour_minutes": 95, "fees_cents": 5000, "resolution": "replaced relay, fan",
        "parts_used": [{"part_id": "P-RELAY", "qty": 1, "unit_price_cents": 8000,
                        "unit_cost_cents": 5000},
                       {"part_id": "P-FAN", "qty": 2, "unit_price_cents": 3000,
                        "unit_cost_cents": 1800}]})
    assert done["status"] == "completed" and done["resolution"] == "replaced relay, fan"
    accepted = client.call("workorder.accept", {"id": wid, "customer_score": 9})
    assert accepted["status"] == "accepted" and accepted["customer_score"] == 9
    assert [s["step"] for s in accepted["steps"]] == [
        "created", "diagnosed", "assigned", "started", "diagnosed", "waiting_parts", "resumed",
        "completed", "accepted"]
    assert len(accepted["diagnoses"]) == 2 and accepted["diagnoses"][0]["by"] == "agent-7"
    times = accepted["times"]
    for key in ("reported_at", "assigned_at", "started_at", "completed_at", "accepted_at"):
        assert times[key], key
    assert client.call("technician.get", {"id": "T-1"})["open_jobs"] == 0

    types = [sub.next()["type"] for _ in range(10)]
    assert types == ["technician.updated", "workorder.created", "workorder.diagnosed",
                     "workorder.assigned", "workorder.started", "workorder.diagnosed",
                     "workorder.waiting_parts", "workorder.resumed", "workorder.completed",
                     "workorder.accepted"]
    events = client.call("events.replay", {"from_seq": 1, "limit": 100})["events"]
    completed = [e for e in events if e["type"] == "workorder.completed"][0]["data"]
    assert completed["technician_id"] == "T-1" and completed["region"] == "north"
    assert completed["on_time"] is True and completed["repair_duration_s"] >= 0
    assert completed["money"]["total_charge_cents"] == done["money"]["total_charge_cents"]
    assigned_event = [e for e in events if e["type"] == "workorder.assigned"][0]["data"]
    assert assigned_event["chosen_by"] == "service"
    sub.close()
    client.close()


def test_every_transition_the_lifecycle_forbids(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-1", max_jobs=100)
    orders = {}
    for status in ALLOWED:
        wid = order(client)["id"]
        drive(client, wid, status)
        orders[status] = wid
    refused = 0
    for status, wid in orders.items():
        for step in STEPS:
            if step in ALLOWED[status]:
                continue
            body = step_body(step, wid)
            error = client.error("workorder." + step, body)
            assert error["code"] == "failed_precondition", (status, step, error)
            assert error["field"] == "/body/id"
            assert "it is %s" % status in error["message"], error
            refused += 1
    assert refused == 9 * 8 - sum(len(s) for s in ALLOWED.values())
    # Nothing moved.
    for status, wid in orders.items():
        assert client.call("workorder.get", {"id": wid})["status"] == status
    client.close()


def test_unknown_order_and_bad_input(dispatch):
    service = dispatch()
    client = service.client()
    error = client.error("workorder.start", {"id": "WO-999999"})
    assert error["code"] == "not_found" and error["field"] == "/body/id"
    error = client.error("workorder.create", {"customer_id": "C", "type": "repair",
                                              "priority": "whenever", "channel": "phone",
                                              "region": "n", "description": "x"})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/priority"
    assert "urgent" in error["message"]
    error = client.error("workorder.get", {"id": "WO-12"})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/id"
    error = client.error("technician.upsert", {"id": "T 1", "name": "x", "region": "n",
                                               "skills": [], "hourly_cost_cents": 1})
    assert error["field"] == "/body/id"
    error = client.error("technician.get", {"id": "T-404"})
    assert error["code"] == "not_found"
    client.close()


def test_concurrent_assignment_race_has_one_winner(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-1", max_jobs=100)
    technician(client, "T-2", max_jobs=100)
    wins = 0
    for _ in range(20):
        wid = order(client)["id"]
        a, b = service.client(), service.client()
        for c, tid in ((a, "T-1"), (b, "T-2")):
            c.send_frames([b"", json.dumps({"v": 1, "id": tid, "op": "workorder.assign",
                                             "body": {"id": wid, "technician_id": tid}}).encode()])
        replies = [json.loads(c.recv_frames()[-1]) for c in (a, b)]
        oks = [r for r in replies if r["ok"]]
        fails = [r for r in replies if not r["ok"]]
        assert len(oks) == 1 and len(fails) == 1
        assert fails[0]["error"]["code"] in ("failed_precondition", "aborted")
        assert "it is assigned" in fails[0]["error"]["message"]
        winner = oks[0]["body"]["technician_id"]
        assert client.call("workorder.get", {"id": wid})["technician_id"] == winner
        wins += 1
        a.close()
        b.close()
    assert wins == 20
    # One assigned event per order.
    events = client.call("events.replay", {"from_seq": 1, "limit": 1000})["events"]
    assert sum(1 for e in events if e["type"] == "workorder.assigned") == 20
    client.close()


def advance(client, ms):
    return client.call("test.clock.advance", {"by_ms": ms})["now"]


def sla_events(client):
    events = client.call("events.replay", {"from_seq": 1, "limit": 1000})["events"]
    return [(e["type"], e["key"]) for e in events
            if e["type"] in ("workorder.at_risk", "workorder.overdue")]


def test_sla_events_exactly_once_across_restarts(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-1", max_jobs=100)
    urgent = order(client, priority="urgent")  # due in 4 h, at risk from 3 h
    normal = order(client, priority="normal")  # due in 72 h, at risk from 54 h
    done = order(client, priority="urgent")
    drive(client, done["id"], "completed")    # finished in time: never at risk
    assert sla_events(client) == []
    advance(client, 3 * HOUR_MS + 1000)
    wait_until(lambda: sla_events(client) == [("workorder.at_risk", urgent["id"])],
               what="urgent order at risk")
    client.close()
    # The clock offset lives in memory: after a restart the service is back at
    # real time, so it must not emit again; move it on again and get overdue once.
    service.stop()
    service.start()
    client = service.client()
    time.sleep(0.3)
    assert sla_events(client) == [("workorder.at_risk", urgent["id"])]
    advance(client, 4 * HOUR_MS + 1000)
    wait_until(lambda: len(sla_events(client)) == 2, what="urgent order overdue")
    assert sla_events(client)[1] == ("workorder.overdue", urgent["id"])
    listed = client.call("workorder.list", {"overdue": True})["items"]
    assert [w["id"] for w in listed] == [urgent["id"]]
    client.close()
    service.kill()
    service.start()
    client = service.client()
    advance(client, 80 * HOUR_MS)
    wait_until(lambda: len(sla_events(client)) == 4, what="normal order at risk and overdue")
    time.sleep(0.3)
    assert sla_events(client) == [("workorder.at_risk", urgent["id"]),
                                  ("workorder.overdue", urgent["id"]),
                                  ("workorder.at_risk", normal["id"]),
                                  ("workorder.overdue", normal["id"])]
    at_risk = client.call("events.replay", {"from_seq": 1, "limit": 1000})["events"]
    at_risk = [e for e in at_risk if e["type"] == "workorder.at_risk"][0]["data"]
    assert 0 < at_risk["seconds_left"] <= 3600
    steps = [s["step"] for s in client.call("workorder.get", {"id": urgent["id"]})["steps"]]
    assert steps.count("at_risk") == 1 and steps.count("overdue") == 1
    client.close()


def test_sla_policy_set_and_get(dispatch):
    service = dispatch()
    client = service.client()
    policies = client.call("sla.policy.get", {"type": "repair"})["policies"]
    assert {p["priority"]: p["resolve_within_s"] for p in policies} == {
        "urgent": 4 * 3600, "high": 24 * 3600, "normal": 72 * 3600, "low": 120 * 3600}
    assert len(client.call("sla.policy.get", {})["policies"]) == 24
    set_ = client.call("sla.policy.set", {"type": "repair", "priority": "urgent",
                                          "resolve_within_s": 7200, "at_risk_before_s": 1800})
    assert set_["resolve_within_s"] == 7200
    error = client.error("sla.policy.set", {"type": "repair", "priority": "urgent",
                                            "resolve_within_s": 7200, "at_risk_before_s": 7200})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/at_risk_before_s"
    created = order(client, priority="urgent")
    reported = created["times"]["reported_at"]
    due = created["due_at"]
    from datetime import datetime
    parse = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    assert (parse(due) - parse(reported)).total_seconds() == 7200
    client.close()


def test_rejection_opens_a_linked_rework_order(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-1")
    wid = order(client, in_warranty=False, product_serial="SN-7")["id"]
    drive(client, wid, "completed")
    rejected = client.call("workorder.reject", {"id": wid, "reason": "still warm"})
    assert rejected["status"] == "rejected" and rejected["reason"] == "still warm"
    rework = client.call("workorder.get", {"id": rejected["rework_id"]})
    assert rework["rework_of"] == wid and rework["status"] == "reported"
    assert rework["in_warranty"] is True and rework["product_serial"] == "SN-7"
    assert rework["customer_id"] == "C-1" and rework["required_skill"] == "hvac"
    assert "still warm" in rework["description"]
    events = client.call("events.replay", {"from_seq": 1, "limit": 100})["events"]
    rejected_event = [e for e in events if e["type"] == "workorder.rejected"][0]["data"]
    assert rejected_event["rework_id"] == rework["id"]
    created = [e for e in events if e["type"] == "workorder.created"
               and e["key"] == rework["id"]][0]["data"]
    assert created["rework_of"] == wid
    client.close()


def test_money_totals(dispatch):
    service = dispatch(DISPATCH_LABOUR_RATE_CENTS="10000")
    client = service.client()
    technician(client, "T-1", cost=6100, max_jobs=10)  # 61.00 per hour
    parts = [{"part_id": "P-1", "qty": 3, "unit_price_cents": 1999, "unit_cost_cents": 1200}]

    paid = order(client)["id"]
    drive(client, paid, "in_progress")
    money = client.call("workorder.complete", {"id": paid, "labour_minutes": 37,
                                               "parts_used": parts, "fees_cents": 1500})["money"]
    # 37 min x 61.00/h = 37.616..., rounds to 3762; labour charge 37 x 100.00/h = 6167.
    assert money == {"currency": "CNY", "labour_minutes": 37, "labour_cost_cents": 3762,
                     "parts_cost_cents": 3600, "labour_charge_cents": 6167,
                     "parts_charge_cents": 5997, "fees_cents": 1500,
                     "total_charge_cents": 13664, "margin_cents": 13664 - 3762 - 3600}

    quoted = order(client)["id"]
    drive(client, quoted, "in_progress")
    money = client.call("workorder.complete", {"id": quoted, "labour_minutes": 60,
                                               "labour_charge_cents": 25000})["money"]
    assert money["labour_charge_cents"] == 25000 and money["labour_cost_cents"] == 6100
    assert money["total_charge_cents"] == 25000

    warranty = order(client, in_warranty=True)["id"]
    drive(client, warranty, "in_progress")
    money = client.call("workorder.complete", {"id": warranty, "labour_minutes": 37,
                                               "parts_used": parts, "fees_cents": 1500})["money"]
    assert money["total_charge_cents"] == 0 and money["labour_charge_cents"] == 0
    assert money["parts_charge_cents"] == 0 and money["fees_cents"] == 0
    assert money["labour_cost_cents"] == 3762 and money["parts_cost_cents"] == 3600
    assert money["margin_cents"] == -(3762 + 3600)

    huge = order(client)["id"]
    drive(client, huge, "in_progress")
    line = {"part_id": "P-X", "qty": 100000, "unit_price_cents": 10 ** 12, "unit_cost_cents": 1}
    error = client.error("workorder.complete", {"id": huge, "labour_minutes": 1,
                                                "parts_used": [line] * 100})
    assert error["code"] == "invalid_argument" and error["field"].startswith("/body/parts_used/")
    assert client.call("workorder.get", {"id": huge})["status"] == "in_progress"
    client.close()


def test_service_chooses_by_skill_region_load_and_shift(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-junior", skills=(("hvac", 1),))
    technician(client, "T-south", region="south")
    technician(client, "T-off", active=False)
    technician(client, "T-busy", max_jobs=1)
    technician(client, "T-free", max_jobs=3)
    technician(client, "T-expert", skills=(("hvac", 5),), max_jobs=3)
    # T-busy takes one job by hand and is then at its limit.
    first = order(client)["id"]
    client.call("workorder.assign", {"id": first, "technician_id": "T-busy"})
    # Equal lateness and load: the least over-qualified wins (T-free, level 3 < 5).
    second = client.call("workorder.assign", {"id": order(client)["id"]})
    assert second["technician_id"] == "T-free"
    # Now T-free has a job and T-expert none: load decides.
    third = client.call("workorder.assign", {"id": order(client)["id"]})
    assert third["technician_id"] == "T-expert"
    # A level-5 job: only the expert qualifies.
    hard = client.call("workorder.assign", {"id": order(client, required_level=5)["id"]})
    assert hard["technician_id"] == "T-expert"
    # No one qualifies in the west: a clear reason.
    error = client.error("workorder.assign", {"id": order(client, region="west")["id"]})
    assert error["code"] == "failed_precondition" and "no eligible technician" in error["message"]
    # A dispatcher's choice is checked too.
    error = client.error("workorder.assign", {"id": order(client)["id"],
                                              "technician_id": "T-junior"})
    assert "level 1" in error["message"] and error["field"] == "/body/technician_id"
    error = client.error("workorder.assign", {"id": order(client)["id"],
                                              "technician_id": "T-busy"})
    assert "open jobs" in error["message"]
    error = client.error("workorder.assign", {"id": order(client)["id"],
                                              "technician_id": "T-off"})
    assert "not active" in error["message"]
    client.close()


def test_shift_hours_follow_the_clock(dispatch):
    service = dispatch()
    client = service.client()
    now = client.call("sys.ping")["ts"]
    hour = int(now[11:13])
    # A day shift that starts two hours from now (UTC): off shift at first.
    start = "%02d:00" % ((hour + 2) % 24)
    end = "%02d:00" % ((hour + 10) % 24)
    technician(client, "T-day", working_hours={"days": [1, 2, 3, 4, 5, 6, 7], "start": start,
                                                "end": end, "utc_offset": "+00:00"})
    wid = order(client)["id"]
    error = client.error("workorder.assign", {"id": wid})
    assert "1 off shift" in error["message"]
    advance(client, 3 * HOUR_MS)
    assert client.call("workorder.assign", {"id": wid})["technician_id"] == "T-day"
    client.close()


def test_dispatch_run_assigns_earliest_due_first(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-1", max_jobs=2)
    technician(client, "T-2", max_jobs=1, region="south")
    low = order(client, priority="low")["id"]
    urgent = order(client, priority="urgent")["id"]
    high = order(client, priority="high")["id"]
    south = order(client, region="south")["id"]
    nobody = order(client, region="east")["id"]
    result = client.call("dispatch.run", {})
    assert result["assigned"] == 3 and result["unassigned"] == 2
    assigned = {a["workorder_id"]: a["technician_id"] for a in result["assignments"]}
    # T-1 takes two jobs: the urgent and the high ones; the low one waits.
    assert assigned == {urgent: "T-1", high: "T-1", south: "T-2"}
    assert client.call("workorder.get", {"id": low})["status"] == "reported"
    assert client.call("workorder.get", {"id": nobody})["status"] == "reported"
    again = client.call("dispatch.run", {})
    assert again["assigned"] == 0 and again["unassigned"] == 2
    client.close()


def test_list_filters_and_cursor_pagination(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-1", max_jobs=100)
    ids = [order(client, region="north" if i % 2 else "south",
                 customer_id="C-%d" % (i % 3))["id"] for i in range(25)]
    for wid in ids[:5]:
        client.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
    seen, cursor = [], None
    while True:
        body = {"limit": 7}
        if cursor:
            body["cursor"] = cursor
        page = client.call("workorder.list", body)
        seen += [w["id"] for w in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids
    assigned = client.call("workorder.list", {"status": ["assigned"]})["items"]
    assert [w["id"] for w in assigned] == ids[:5]
    mine = client.call("workorder.list", {"technician_id": "T-1", "region": "north"})["items"]
    assert [w["id"] for w in mine] == [w for i, w in enumerate(ids[:5]) if i % 2]
    both = client.call("workorder.list", {"status": ["reported", "assigned"], "customer_id": "C-0"})
    assert [w["id"] for w in both["items"]] == [w for i, w in enumerate(ids) if i % 3 == 0]
    assert client.call("workorder.list", {"overdue": True})["items"] == []
    error = client.error("workorder.list", {"cursor": "abc"})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/cursor"
    techs = client.call("technician.list", {"skill": "hvac", "limit": 1})
    assert [t["id"] for t in techs["items"]] == ["T-1"] and techs["next_cursor"] is None
    client.close()


def test_idempotent_create(dispatch):
    service = dispatch()
    client = service.client()
    body = {"customer_id": "C-9", "type": "installation", "priority": "low", "channel": "wechat",
            "region": "north", "description": "install unit"}
    first = client.call("workorder.create", body, idem="crm-42")
    again = client.call("workorder.create", body, idem="crm-42")
    assert first["id"] == again["id"]
    assert len(client.call("workorder.list", {})["items"]) == 1
    client.close()


def test_technician_upsert_replaces_and_keeps(dispatch):
    service = dispatch()
    client = service.client()
    sub = Subscriber(service.events, topics=(b"technician.",))
    time.sleep(0.3)
    first = technician(client, "T-9", skills=(("hvac", 2), ("electrical", 4)), max_jobs=5,
                       working_hours={"days": [1, 2, 3, 4, 5], "start": "22:00", "end": "06:00",
                                      "utc_offset": "+08:00"})
    assert [s["skill"] for s in first["skills"]] == ["electrical", "hvac"]
    second = technician(client, "T-9", skills=(("hvac", 4),), cost=7000)
    assert second["skills"] == [{"skill": "hvac", "level": 4}]
    assert second["max_jobs"] == 5 and second["working_hours"]["start"] == "22:00"
    assert second["hourly_cost_cents"] == 7000
    events = [sub.next(), sub.next()]
    assert [e["type"] for e in events] == ["technician.updated"] * 2
    assert events[1]["data"]["hourly_cost_cents"] == 7000
    sub.close()
    client.close()
