"""Complaints over real sockets: the customer file, intake from every channel,
the lifecycle and every step it forbids, the handling team, the audit trail,
follow-ups, surveys and recovery cases, bad input, roles. Every reply and
event is checked against schemas/."""
import sqlite3
import time

import pytest

import harness
from harness import Subscriber, wait_until

HOUR_MS = 3600 * 1000
CHANNELS = ["phone", "online_chat", "wechat", "email", "forum", "web", "walk_in", "survey"]
STEPS = ["acknowledge", "investigate", "wait_customer", "customer_replied", "resolve", "confirm",
         "reopen", "assign", "escalate"]
ALLOWED = {  # status -> steps it allows
    "received": {"acknowledge", "assign", "escalate"},
    "acknowledged": {"investigate", "wait_customer", "assign", "escalate"},
    "investigating": {"wait_customer", "resolve", "assign", "escalate"},
    "waiting_customer": {"customer_replied", "assign", "escalate"},
    "resolved": {"confirm", "reopen"},
    "closed": {"reopen"},
    "reopened": {"investigate", "assign", "escalate"},
}
PATHS = {  # how a received case gets to each status
    "received": [], "acknowledged": ["acknowledge"],
    "investigating": ["acknowledge", "investigate"],
    "waiting_customer": ["acknowledge", "wait_customer"],
    "resolved": ["acknowledge", "investigate", "resolve"],
    "closed": ["acknowledge", "investigate", "resolve", "confirm"],
    "reopened": ["acknowledge", "investigate", "resolve", "reopen"],
}


@pytest.fixture
def complaints(start_service):
    def start(**env):
        settings = {"SHR_TEST_CLOCK": "1", "COMPLAINTS_SCAN_MS": "50"}
        settings.update(env)
        return start_service("complaints", env=settings)
    return start


def team(client):
    """Two billing agents, a parts agent, a supervisor and a manager."""
    for hid, level, categories in (("A-1", "agent", ["billing", "service_quality"]),
                                   ("A-2", "agent", ["billing"]),
                                   ("A-3", "agent", ["parts"]),
                                   ("S-1", "supervisor", ["billing"]),
                                   ("M-1", "manager", [])):
        client.call("handler.upsert", {"id": hid, "name": "Handler " + hid, "level": level,
                                       "categories": categories})


def customer(client, cid="C-1", **extra):
    body = {"id": cid, "name": "Wang Fang", "region": "north", "consent": True,
            "contacts": [{"channel": "email", "value": "wang@example.cn"},
                         {"channel": "wechat", "value": "wangfang88"}]}
    body.update(extra)
    return client.call("customer.upsert", body)


def complaint(client, **extra):
    body = {"customer_id": "C-1", "kind": "complaint", "channel": "phone",
            "category": "billing", "severity": "medium", "text": "charged twice for one repair"}
    body.update(extra)
    return client.call("complaint.create", body)


def step_body(step, cid):
    body = {"id": cid}
    if step == "resolve":
        body["resolution"] = "refunded the second charge"
    if step == "reopen":
        body["reason"] = "the refund never arrived"
    if step == "escalate":
        body["note"] = "the customer asks for a manager"
    if step == "assign":
        body["handler_id"] = "M-1"
    return body


def drive(client, cid, status):
    for step in PATHS[status]:
        client.call("complaint." + step, step_body(step, cid))
    assert client.call("complaint.get", {"id": cid})["status"] == status


def events(client, types=None):
    found, seq = [], 1
    while True:
        page = client.call("events.replay", {"from_seq": seq, "limit": 1000})
        found += page["events"]
        if not page["events"] or found[-1]["seq"] >= page["last_seq"]:
            break
        seq = found[-1]["seq"] + 1
    return [e for e in found if types is None or e["type"] in types]


def advance(client, ms):
    return client.call("test.clock.advance", {"by_ms": ms})["now"]


def dump(service):
    db = sqlite3.connect("file:%s?mode=ro" % service.db_path, uri=True)
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def test_intake_from_every_channel_and_a_retry_made_once(complaints):
    service = complaints()
    client = service.client()
    team(client)
    customer(client)
    made = {}
    for n, channel in enumerate(CHANNELS):
        made[channel] = complaint(client, channel=channel, channel_ref="ref-%d" % n,
                                  kind=["complaint", "suggestion", "praise", "inquiry"][n % 4])
        assert made[channel]["channel"] == channel and made[channel]["status"] == "received"
        assert made[channel]["channel_ref"] == "ref-%d" % n
    assert len({c["id"] for c in made.values()}) == len(CHANNELS)
    before = len(events(client))
    # The gateway sends the same e-mail again, with or without an idempotency key.
    again = complaint(client, channel="email", channel_ref="ref-3", text="charged twice!")
    assert again["id"] == made["email"]["id"] and again["text"] == made["email"]["text"]
    twice = [client.call("complaint.create", {"customer_id": "C-1", "kind": "complaint",
                                              "channel": "email", "channel_ref": "ref-3",
                                              "category": "billing", "severity": "medium",
                                              "text": "retry"}, idem="gw-1") for _ in range(2)]
    assert twice[0]["id"] == twice[1]["id"] == made["email"]["id"]
    assert len(events(client)) == before
    # A reference is the channel's own: the same one from another channel is another message.
    other = complaint(client, channel="wechat", channel_ref="ref-3")
    assert other["id"] not in {c["id"] for c in made.values()}
    # Without a reference every request is a new complaint.
    assert complaint(client)["id"] != complaint(client)["id"]
    listed = client.call("complaint.list", {"channel": "email"})["items"]
    assert [c["id"] for c in listed] == [made["email"]["id"]]
    received = events(client, {"complaint.received"})
    assert len(received) == len(CHANNELS) + 3
    first = received[0]["data"]
    assert first["region"] == "north" and first["channel"] == "phone"
    assert first["category"] == "billing" and first["severity"] == "medium"
    assert first["received_at"] and first["acknowledge_due_at"] and first["resolve_due_at"]
    client.close()


def test_the_whole_lifecycle_with_its_events(complaints):
    service = complaints(COMPLAINTS_CLOSE_AFTER_S="3600")
    client = service.client()
    team(client)
    customer(client)
    sub = Subscriber(service.events, topics=(b"complaint.", b"survey."))
    time.sleep(0.3)
    case = complaint(client, severity="high", by="call centre, desk 4")
    cid = case["id"]
    assert case["handler_id"] == "A-1" and case["level"] == "agent"
    assert [d["kind"] for d in case["deadlines"]] == ["acknowledge", "resolve"]
    steps = [("acknowledge", {"note": "called back"}, "acknowledged"),
             ("investigate", {}, "investigating"),
             ("wait_customer", {"note": "asked for the invoice"}, "waiting_customer"),
             ("customer_replied", {"note": "invoice received"}, "investigating"),
             ("resolve", {"resolution": "refunded", "compensation_cents": 2000}, "resolved"),
             ("confirm", {"note": "customer is happy"}, "closed"),
             ("reopen", {"reason": "charged again"}, "reopened"),
             ("investigate", {}, "investigating"),
             ("resolve", {"resolution": "bank fixed it", "compensation_cents": 500}, "resolved")]
    for step, body, status in steps:
        body["id"] = cid
        assert client.call("complaint." + step, body)["status"] == status, step
    got = client.call("complaint.get", {"id": cid})
    assert got["compensation_cents"] == 2500 and got["currency"] == "CNY"
    assert got["resolution"] == "bank fixed it" and got["reopen_count"] == 1
    assert [(d["kind"], d["round"]) for d in got["deadlines"]] == [
        ("acknowledge", 1), ("resolve", 1), ("resolve", 2)]
    assert all(d["met_at"] for d in got["deadlines"])
    # Silence after the second resolution closes it by itself, and opens a survey.
    advance(client, 3600 * 1000 + 1000)
    wait_until(lambda: client.call("complaint.get", {"id": cid})["status"] == "closed",
               what="closed after silence")
    got = client.call("complaint.get", {"id": cid})
    assert got["closed_by"] == "silence" and got["audit"][-1]["action"] == "closed"
    assert got["audit"][-1]["actor"] == "complaints"
    seen = [sub.next() for _ in range(14)]
    assert [e["type"] for e in seen] == [
        "complaint.received", "complaint.assigned", "complaint.acknowledged",
        "complaint.investigating", "complaint.waiting_customer", "complaint.customer_replied",
        "complaint.resolved", "complaint.closed", "survey.opened", "complaint.reopened",
        "complaint.investigating", "complaint.resolved", "complaint.closed", "survey.opened"]
    by_type = {}
    for e in seen:
        by_type.setdefault(e["type"], []).append(e["data"])
    acknowledged = by_type["complaint.acknowledged"][0]
    assert acknowledged["on_time"] is True and acknowledged["by"] is None
    replied = by_type["complaint.customer_replied"][0]
    assert replied["waited_s"] >= 0 and replied["status"] == "investigating"
    first, second = by_type["complaint.resolved"]
    assert first["compensation_cents"] == 2000 and second["compensation_cents"] == 500
    assert first["currency"] == "CNY" and first["on_time"] is True
    assert [c["closed_by"] for c in by_type["complaint.closed"]] == ["customer", "silence"]
    assert by_type["complaint.received"][0]["by"] == "call centre, desk 4"
    surveys = by_type["survey.opened"]
    assert [s["complaint_id"] for s in surveys] == [cid, cid]
    assert surveys[0]["subject"] == "complaint" and surveys[0]["consent"] is True
    assert all(e["actor"] == "admin" for e in seen[:12])
    assert seen[12]["actor"] == "complaints"
    sub.close()
    client.close()


def test_every_step_the_lifecycle_forbids(complaints):
    service = complaints()
    client = service.client()
    team(client)
    customer(client)
    cases = {}
    for status in ALLOWED:
        cid = complaint(client)["id"]
        drive(client, cid, status)
        cases[status] = cid
    trails = {cid: len(client.call("complaint.get", {"id": cid})["audit"])
              for cid in cases.values()}
    before = len(events(client))
    refused = 0
    for status, cid in cases.items():
        for step in STEPS:
            if step in ALLOWED[status]:
                continue
            error = client.error("complaint." + step, step_body(step, cid))
            assert error["code"] == "failed_precondition", (status, step, error)
            assert error["field"] == "/body/id"
            assert "it is %s" % status in error["message"], error
            refused += 1
    assert refused == 7 * 9 - sum(len(s) for s in ALLOWED.values())
    # Nothing moved, nothing was recorded, nothing was announced.
    for status, cid in cases.items():
        got = client.call("complaint.get", {"id": cid})
        assert got["status"] == status and len(got["audit"]) == trails[cid]
    assert len(events(client)) == before
    # The highest level cannot go higher.
    cid = complaint(client)["id"]
    client.call("complaint.escalate", {"id": cid, "note": "to supervisor"})
    client.call("complaint.escalate", {"id": cid, "note": "to manager"})
    error = client.error("complaint.escalate", {"id": cid, "note": "higher"})
    assert error["code"] == "failed_precondition" and "at manager level" in error["message"]
    client.close()


def test_the_audit_trail_is_complete_and_in_order(complaints, start_service):
    service = complaints()
    admin = service.client()
    team(admin)
    customer(admin)
    desk = service.client(key=harness.new_key("desk-7", "agent"))
    boss = service.client(key=harness.new_key("lead-2", "supervisor"))
    cid = complaint(desk, by="Li Na")["id"]
    actions = [
        (desk, "acknowledge", {"note": "called back", "by": "Li Na"}),
        (desk, "investigate", {"by": "Li Na"}),
        (desk, "wait_customer", {"note": "asked for the invoice", "by": "Li Na"}),
        (admin, "customer_replied", {"note": "by e-mail", "by": "mail gateway"}),
        (desk, "escalate", {"note": "the customer wants a supervisor", "by": "Li Na"}),
        (boss, "assign", {"handler_id": "A-2", "note": "A-2 knows the bank", "by": "Zhou"}),
        (desk, "resolve", {"resolution": "refunded", "compensation_cents": 3000, "by": "Li Na"}),
        (desk, "reopen", {"reason": "not refunded", "by": "Li Na"}),
        (desk, "investigate", {"by": "Li Na"}),
        (boss, "escalate", {"note": "second complaint", "by": "Zhou"}),
        (desk, "resolve", {"resolution": "refunded by cheque", "by": "Li Na"}),
        (desk, "confirm", {"note": "cheque cashed", "by": "Li Na"}),
    ]
    for who, step, body in actions:
        body["id"] = cid
        who.call("complaint." + step, body)
    trail = admin.call("complaint.get", {"id": cid})["audit"]
    assert [e["action"] for e in trail] == [
        "received", "assigned", "acknowledged", "investigating", "waiting_customer",
        "customer_replied", "escalated", "assigned", "resolved", "reopened", "investigating",
        "escalated", "resolved", "confirmed"]
    assert [e["actor"] for e in trail] == [
        "desk-7", "desk-7", "desk-7", "desk-7", "desk-7", "admin", "desk-7", "lead-2",
        "desk-7", "desk-7", "desk-7", "lead-2", "desk-7", "desk-7"]
    assert [e["by"] for e in trail] == [
        "Li Na", "Li Na", "Li Na", "Li Na", "Li Na", "mail gateway", "Li Na", "Zhou", "Li Na",
        "Li Na", "Li Na", "Zhou", "Li Na", "Li Na"]
    changes = [{c["field"]: (c["from"], c["to"]) for c in e["changes"]} for e in trail]
    assert changes[0] == {"status": (None, "received")}
    assert changes[1] == {"handler_id": (None, "A-1")}
    assert changes[4] == {"status": ("investigating", "waiting_customer")}
    assert changes[5] == {"status": ("waiting_customer", "investigating")}
    assert changes[6] == {"level": ("agent", "supervisor"), "handler_id": ("A-1", "S-1")}
    assert changes[7] == {"handler_id": ("S-1", "A-2")}
    assert changes[8] == {"status": ("investigating", "resolved"),
                          "resolution": (None, "refunded"),
                          "compensation_cents": (None, "3000")}
    assert changes[9] == {"status": ("resolved", "reopened")}
    assert changes[11] == {"level": ("supervisor", "manager"), "handler_id": ("A-2", "M-1")}
    assert changes[12] == {"status": ("investigating", "resolved"),
                           "resolution": ("refunded", "refunded by cheque")}
    assert trail[2]["note"] == "called back" and trail[9]["note"] == "not refunded"
    stamps = [e["at"] for e in trail]
    assert stamps == sorted(stamps)
    # The trail in the database is the same, row for row, and it cannot be changed.
    rows = service.query("SELECT action, actor, by FROM complaint_audit ORDER BY n")
    assert [tuple(r) for r in rows] == [(e["action"], e["actor"], e["by"]) for e in trail]
    db = sqlite3.connect(service.db_path, timeout=10)
    for sql in ("UPDATE complaint_audit SET actor = 'nobody'", "DELETE FROM complaint_audit",
                "DELETE FROM complaint"):
        with pytest.raises(sqlite3.DatabaseError):
            db.execute(sql)
    db.close()
    assert admin.call("complaint.get", {"id": cid})["audit"] == trail


def test_bad_input_is_refused_with_the_field_and_changes_nothing(complaints):
    service = complaints()
    client = service.client()
    team(client)
    customer(client)
    cid = complaint(client)["id"]
    drive(client, cid, "closed")
    survey = client.call("survey.list", {"complaint_id": cid})["items"][0]["id"]
    before = dump(service)
    cases = [
        ("complaint.create", {"customer_id": "C-404", "kind": "complaint", "channel": "phone",
                              "category": "billing", "severity": "low", "text": "who am I"},
         "not_found", "/body/customer_id"),
        ("complaint.create", {"customer_id": "C-1", "kind": "complaint", "channel": "phone",
                              "category": "billing", "severity": "low", "text": "x" * 4001},
         "invalid_argument", "/body/text"),
        ("complaint.create", {"customer_id": "C-1", "kind": "complaint", "channel": "fax",
                              "category": "billing", "severity": "low", "text": "t"},
         "invalid_argument", "/body/channel"),
        ("complaint.create", {"customer_id": "C-1", "kind": "complaint", "channel": "phone",
                              "category": "billing", "severity": "urgent", "text": "t"},
         "invalid_argument", "/body/severity"),
        ("survey.answer", {"id": survey, "score": 11}, "invalid_argument", "/body/score"),
        ("survey.answer", {"id": survey, "score": -1}, "invalid_argument", "/body/score"),
        ("survey.answer", {"id": "SV-999999", "score": 5}, "not_found", "/body/id"),
        ("complaint.acknowledge", {"id": "CP-999999"}, "not_found", "/body/id"),
        ("complaint.acknowledge", {"id": "CP-1"}, "invalid_argument", "/body/id"),
        ("complaint.resolve", {"id": cid}, "invalid_argument", "/body/resolution"),
        ("complaint.assign", {"id": cid, "handler_id": "nobody"}, "failed_precondition",
         "/body/id"),
        ("customer.upsert", {"id": "C-new", "region": "north"}, "invalid_argument", "/body/name"),
        ("customer.upsert", {"id": "C-new", "name": "N"}, "invalid_argument", "/body/region"),
        ("customer.upsert", {"id": "C-1", "contacts": [{"channel": "fax", "value": "1"}]},
         "invalid_argument", "/body/contacts/0/channel"),
        ("handler.upsert", {"id": "H-new", "name": "N"}, "invalid_argument", "/body/level"),
        ("deadline.policy.set", {"severity": "low", "acknowledge_within_s": 7200,
                                 "resolve_within_s": 3600}, "invalid_argument",
         "/body/acknowledge_within_s"),
        ("calendar.set", {"days": [1], "start": "18:00", "end": "09:00", "utc_offset": "+08:00"},
         "invalid_argument", "/body/end"),
        ("calendar.set", {"days": [1], "start": "09:00", "end": "18:00", "utc_offset": "+08:00",
                          "holidays": ["2026-01-01", "2026-02-30"]},
         "invalid_argument", "/body/holidays/1"),
        ("followup.schedule", {"customer_id": "C-404"}, "not_found", "/body/customer_id"),
        ("followup.complete", {"id": "FU-000001", "outcome": "ecstatic"}, "invalid_argument",
         "/body/outcome"),
        ("complaint.list", {"cursor": "abc"}, "invalid_argument", "/body/cursor"),
    ]
    for op, body, code, field in cases:
        error = client.error(op, body)
        assert (error["code"], error.get("field")) == (code, field), (op, body, error)
        assert error["message"]
    assert dump(service) == before
    assert client.call("sys.health")["status"] == "ok"
    client.close()


def test_roles_and_the_actor_from_the_key(complaints):
    service = complaints()
    admin = service.client()
    team(admin)
    customer(admin)
    reader = service.client(key=harness.new_key("viewer-3", "reader"))
    agent = service.client(key=harness.new_key("desk-3", "agent"))
    crm = service.client(key=harness.new_key("crm-3", "integrator"))
    sub = Subscriber(service.events, topics=(b"complaint.",))
    time.sleep(0.3)
    cid = complaint(crm, by="Wang on WeChat", channel="wechat")["id"]
    assert reader.call("complaint.get", {"id": cid})["id"] == cid
    before = dump(service)
    for who, name, roles, op, body in (
            (reader, "viewer-3", "reader", "complaint.create",
             {"customer_id": "C-1", "kind": "praise", "channel": "web", "category": "other",
              "severity": "low", "text": "great"}),
            (reader, "viewer-3", "reader", "complaint.acknowledge", {"id": cid}),
            (agent, "desk-3", "agent", "complaint.assign", {"id": cid, "handler_id": "A-2"}),
            (agent, "desk-3", "agent", "deadline.policy.set",
             {"severity": "low", "acknowledge_within_s": 60, "resolve_within_s": 120}),
            (crm, "crm-3", "integrator", "complaint.resolve", {"id": cid, "resolution": "x"}),
            (crm, "crm-3", "integrator", "handler.upsert", {"id": "A-9", "name": "x",
                                                            "level": "agent"})):
        error = who.error(op, body)
        assert error["code"] == "permission_denied" and error["field"] == "/op", (op, error)
        assert error["message"].startswith(op + " needs the role ")
        assert error["message"].endswith("; %s has %s" % (name, roles))
    assert dump(service) == before
    # The actor is the key's name, whatever `by` says; `by` is kept beside it.
    agent.call("complaint.acknowledge", {"id": cid, "by": "admin"})
    trail = admin.call("complaint.get", {"id": cid})["audit"]
    assert [(e["action"], e["actor"], e["by"]) for e in trail] == [
        ("received", "crm-3", "Wang on WeChat"), ("assigned", "crm-3", "Wang on WeChat"),
        ("acknowledged", "desk-3", "admin")]
    seen = [sub.next() for _ in range(3)]
    assert [(e["type"], e["actor"], e["data"]["by"]) for e in seen] == [
        ("complaint.received", "crm-3", "Wang on WeChat"),
        ("complaint.assigned", "crm-3", "Wang on WeChat"),
        ("complaint.acknowledged", "desk-3", "admin")]
    sub.close()


def test_a_case_goes_to_the_least_loaded_agent_who_covers_it(complaints):
    service = complaints()
    client = service.client()
    team(client)
    customer(client)
    # cover billing: they take turns by load, the smaller id first on a tie.
    handlers = [complaint(client)["handler_id"] for _ in range(4)]
    assert handlers == ["A-1", "A-2", "A-1", "A-2"]
    # Closing one of A-1's cases frees it.
    first = client.call("complaint.list", {"handler_id": "A-1", "open": True})["items"][0]["id"]
    drive(client, first, "resolved")
    assert complaint(client)["handler_id"] == "A-1"
    assert complaint(client, category="parts")["handler_id"] == "A-3"
    # No agent covers staff attitude: a supervisor; without one, a manager.
    assert complaint(client, category="staff_attitude")["handler_id"] == "S-1"
    client.call("handler.upsert", {"id": "S-1", "active": False})
    assert complaint(client, category="staff_attitude")["handler_id"] == "M-1"
    # An inactive agent takes nothing; the one left takes everything.
    client.call("handler.upsert", {"id": "A-2", "active": False})
    assert {complaint(client)["handler_id"] for _ in range(3)} == {"A-1"}
    loads = {h["id"]: h["open_cases"] for h in client.call("handler.list", {})["items"]}
    assert loads == {"A-1": 5, "A-2": 2, "A-3": 1, "S-1": 1, "M-1": 1}
    for hid, load in loads.items():
        listed = client.call("complaint.list", {"handler_id": hid, "open": True})["items"]
        assert len(listed) == load, hid
    assert [h["id"] for h in client.call("handler.list", {"category": "billing",
                                                          "active": True})["items"]] == ["A-1"]
    # A supervisor hands a case on by hand, or lets the service choose.
    client.call("handler.upsert", {"id": "A-2", "active": True})
    mine = client.call("complaint.list", {"handler_id": "A-1", "open": True})["items"][0]["id"]
    moved = client.call("complaint.assign", {"id": mine})
    assert moved["handler_id"] == "A-2"
    error = client.error("complaint.assign", {"id": mine, "handler_id": "A-2"})
    assert error["code"] == "failed_precondition" and "already" in error["message"]
    error = client.error("complaint.assign", {"id": mine, "handler_id": "S-1"})
    assert error["code"] == "failed_precondition" and "not active" in error["message"]
    error = client.error("complaint.assign", {"id": mine, "handler_id": "X-9"})
    assert error["code"] == "not_found" and error["field"] == "/body/handler_id"
    assigned = events(client, {"complaint.assigned"})[-1]["data"]
    assert assigned["chosen_by"] == "service" and assigned["previous_handler_id"] == "A-1"
    # Nobody at all: the case waits, and says so when asked to be assigned.
    for hid in ("A-1", "A-2", "A-3", "M-1"):
        client.call("handler.upsert", {"id": hid, "active": False})
    orphan = complaint(client)
    assert orphan["handler_id"] is None
    # Every move kept the counts of open cases true.
    for h in client.call("handler.list", {})["items"]:
        listed = client.call("complaint.list", {"handler_id": h["id"], "open": True})["items"]
        assert h["open_cases"] == len(listed), h
    error = client.error("complaint.assign", {"id": orphan["id"]})
    assert error["code"] == "failed_precondition" and "nobody active" in error["message"]
    client.close()


def test_the_customer_file_and_its_history(complaints):
    service = complaints()
    client = service.client()
    team(client)
    sub = Subscriber(service.events, topics=(b"customer.",))
    time.sleep(0.3)
    first = customer(client, by="CRM import")
    assert first["consent"] is True and len(first["contacts"]) == 2
    # Fields left out keep their value; contacts are replaced as a whole.
    changed = client.call("customer.upsert", {"id": "C-1", "region": "south",
                                              "contacts": [{"channel": "phone",
                                                            "value": "+86 10 5555 0101"}]})
    assert changed["name"] == "Wang Fang" and changed["region"] == "south"
    assert changed["contacts"] == [{"channel": "phone", "value": "+86 10 5555 0101"}]
    assert changed["consent"] is True and changed["created_at"] == first["created_at"]
    updates = [sub.next(), sub.next()]
    assert [u["data"]["created"] for u in updates] == [True, False]
    assert updates[0]["data"]["by"] == "CRM import" and updates[1]["data"]["region"] == "south"
    for n, (name, region) in enumerate((("Wang Lei", "south"), ("Li Na", "north"),
                                        ("Wang Min", "north"), ("Zhang Wei", "south"))):
        customer(client, "C-%d" % (n + 2), name=name, region=region)
    # A case keeps the region the customer had when it came in.
    cid = complaint(client)["id"]
    assert client.call("complaint.get", {"id": cid})["region"] == "south"
    names = [c["name"] for c in client.call("customer.list", {"name_prefix": "Wang"})["items"]]
    assert names == ["Wang Fang", "Wang Lei", "Wang Min"]
    south = client.call("customer.list", {"region": "south"})["items"]
    assert [c["id"] for c in south] == ["C-1", "C-2", "C-5"]
    seen, cursor = [], None
    while True:
        body = {"limit": 2}
        if cursor:
            body["cursor"] = cursor
        page = client.call("customer.list", body)
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    drive(client, cid, "closed")
    history = client.call("customer.get", {"id": "C-1"})
    assert history["name"] == "Wang Fang" and history["workorders"] == []
    assert [c["id"] for c in history["complaints"]] == [cid]
    assert [s["complaint_id"] for s in history["surveys"]] == [cid]
    error = client.error("customer.get", {"id": "C-404"})
    assert error["code"] == "not_found" and error["field"] == "/body/id"
    sub.close()
    client.close()


def test_care_follow_ups_and_an_unreachable_customer(complaints):
    service = complaints(COMPLAINTS_FOLLOWUP_RETRY_S="3600", COMPLAINTS_FOLLOWUP_GRACE_S="7200")
    client = service.client()
    customer(client)
    customer(client, "C-2", consent=False)
    error = client.error("followup.schedule", {"customer_id": "C-2"})
    assert error["code"] == "failed_precondition" and "consented" in error["message"]
    care = client.call("followup.schedule", {"customer_id": "C-1", "every_days": 30,
                                             "note": "yearly boiler check", "by": "CRM"})
    assert care["kind"] == "care" and care["status"] == "scheduled" and care["every_days"] == 30
    assert client.call("followup.list", {"due": True})["items"] == []
    advance(client, 30 * 24 * HOUR_MS + 1000)
    assert [f["id"] for f in client.call("followup.list", {"due": True})["items"]] == [care["id"]]
    assert client.call("followup.list", {"overdue": True})["items"] == []
    advance(client, 3 * HOUR_MS)
    assert [f["id"] for f in client.call("followup.list", {"overdue": True})["items"]] == [
        care["id"]]
    done = client.call("followup.complete", {"id": care["id"], "outcome": "satisfied"})
    assert done["status"] == "completed" and done["outcome"] == "satisfied"
    error = client.error("followup.complete", {"id": care["id"], "outcome": "neutral"})
    assert error["code"] == "failed_precondition" and "it is completed" in error["message"]
    # The next one, on the cadence: 30 days after the one done.
    scheduled = client.call("followup.list", {"customer_id": "C-1",
                                              "status": "scheduled"})["items"]
    assert len(scheduled) == 1 and scheduled[0]["every_days"] == 30
    nxt = scheduled[0]
    # Unreachable twice: tried again each time; the third time, closed as unreachable.
    for attempt in (1, 2):
        again = client.call("followup.unreachable", {"id": nxt["id"], "note": "no answer"})
        assert again["status"] == "scheduled" and again["attempts"] == attempt
    last = client.call("followup.unreachable", {"id": nxt["id"]})
    assert last["status"] == "unreachable" and last["attempts"] == 3 and last["completed_at"]
    kinds = [(e["type"], e["data"]["status"], e["data"]["attempts"])
             for e in events(client, {"followup.scheduled", "followup.completed"})]
    assert kinds[:6] == [("followup.scheduled", "scheduled", 0),
                         ("followup.completed", "completed", 0),
                         ("followup.scheduled", "scheduled", 0),
                         ("followup.scheduled", "scheduled", 1),
                         ("followup.scheduled", "scheduled", 2),
                         ("followup.completed", "unreachable", 3)]
    # And care goes on: the one after is scheduled.
    assert len(client.call("followup.list", {"customer_id": "C-1",
                                             "status": "scheduled"})["items"]) == 1
    client.close()


def test_a_low_score_opens_a_recovery_case(complaints):
    service = complaints()
    client = service.client()
    team(client)
    customer(client)
    for n in range(3):
        drive(client, complaint(client, channel_ref="m-%d" % n, channel="email")["id"], "closed")
    surveys = client.call("survey.list", {"status": "open"})["items"]
    assert len(surveys) == 3
    happy = client.call("survey.answer", {"id": surveys[0]["id"], "score": 9,
                                          "comment": "quick and kind"})
    assert happy["status"] == "answered" and happy["recovery_complaint_id"] is None
    assert happy["source"] == "survey"
    unhappy = client.call("survey.answer", {"id": surveys[1]["id"], "score": 3,
                                            "comment": "took two weeks", "by": "web survey"})
    case = client.call("complaint.get", {"id": unhappy["recovery_complaint_id"]})
    assert case["kind"] == "complaint" and case["category"] == "service_quality"
    assert case["severity"] == "high" and case["channel"] == "survey"
    assert case["survey_id"] == surveys[1]["id"] and case["customer_id"] == "C-1"
    assert "took two weeks" in case["text"] and case["handler_id"] == "A-1"
    furious = client.call("survey.answer", {"id": surveys[2]["id"], "score": 0})
    assert client.call("complaint.get", {"id": furious["recovery_complaint_id"]})[
        "severity"] == "critical"
    error = client.error("survey.answer", {"id": surveys[1]["id"], "score": 10})
    assert error["code"] == "failed_precondition" and "it is answered" in error["message"]
    answered = events(client, {"survey.answered"})
    assert [(e["data"]["score"], e["data"]["recovery_complaint_id"] is not None)
            for e in answered] == [(9, False), (3, True), (0, True)]
    received = events(client, {"complaint.received"})
    assert [e["data"]["survey_id"] for e in received][-2:] == [surveys[1]["id"],
                                                                surveys[2]["id"]]
    client.close()


def test_deadline_policies_and_the_business_calendar(complaints):
    service = complaints()
    client = service.client()
    customer(client)
    policies = {p["severity"]: p for p in client.call("deadline.policy.get", {})["policies"]}
    assert {s: (p["acknowledge_within_s"], p["resolve_within_s"]) for s, p in policies.items()} \
        == {"critical": (3600, 86400), "high": (14400, 259200), "medium": (86400, 604800),
            "low": (172800, 1209600)}
    assert all(p["at_risk_percent"] == 25 and not p["business_hours"] for p in policies.values())
    calendar = client.call("calendar.get")
    assert calendar == {"days": [1, 2, 3, 4, 5], "start": "09:00", "end": "18:00",
                        "utc_offset": "+08:00", "holidays": []}
    # Every day 10:00-11:00 UTC but today and tomorrow as holidays: one business
    # hour is the day after tomorrow's window.
    now = client.call("sys.ping")["ts"]
    from datetime import datetime, timedelta, timezone
    today = datetime.strptime(now[:10], "%Y-%m-%d").replace(tzinfo=timezone.utc)
    holidays = [(today + timedelta(days=d)).strftime("%Y-%m-%d") for d in (0, 1)]
    client.call("calendar.set", {"days": [1, 2, 3, 4, 5, 6, 7], "start": "10:00", "end": "11:00",
                                 "utc_offset": "+00:00", "holidays": holidays})
    set_ = client.call("deadline.policy.set", {"severity": "low", "acknowledge_within_s": 1800,
                                               "resolve_within_s": 3600, "at_risk_percent": 50,
                                               "business_hours": True})
    assert set_["business_hours"] is True and set_["at_risk_percent"] == 50
    case = client.call("complaint.create", {"customer_id": "C-1", "kind": "inquiry",
                                            "channel": "web", "category": "other",
                                            "severity": "low", "text": "opening hours?"})
    window = today + timedelta(days=2, hours=10)
    stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    assert case["acknowledge_due_at"] == stamp(window + timedelta(minutes=30))
    assert case["resolve_due_at"] == stamp(window + timedelta(hours=1))
    ack = case["deadlines"][0]
    assert ack["business_hours"] is True
    assert ack["at_risk_at"] == stamp(window + timedelta(minutes=15))
    # Other severities still count around the clock.
    other = client.call("complaint.create", {"customer_id": "C-1", "kind": "inquiry",
                                             "channel": "web", "category": "other",
                                             "severity": "critical", "text": "now!"})
    assert other["deadlines"][0]["business_hours"] is False
    client.close()
