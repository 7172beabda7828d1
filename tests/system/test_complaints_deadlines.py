"""Complaints' deadlines under the injectable clock: the pause while a case
waits on its customer, the two-level escalation at risk and at breach, each
announced exactly once across a clean restart and a SIGKILL, a reopened case's
new deadline, and closing after silence."""
import time

from harness import wait_until
from test_complaints import (HOUR_MS, advance, complaint, complaints,  # noqa: F401 (a fixture)
                             customer, events, team)

MINUTE_MS = 60 * 1000
SLA = ("complaint.sla_at_risk", "complaint.sla_breached", "complaint.escalated")


def announced(client, cid=None):
    """(type, deadline or levels) of every deadline and escalation event, in order."""
    found = []
    for e in events(client, set(SLA)):
        if cid and e["key"] != cid:
            continue
        d = e["data"]
        what = d.get("deadline") or "%s->%s %s" % (d["from_level"], d["to_level"], d["reason"])
        found.append((e["type"], what))
    return found


def test_two_level_escalation_once_across_a_restart_and_a_sigkill(complaints):
    service = complaints()
    client = service.client()
    team(client)
    customer(client)
    # Critical: acknowledge within 1 h (at risk at 45 min), resolve within 24 h (at risk at 18 h).
    case = complaint(client, severity="critical")
    cid = case["id"]
    assert case["handler_id"] == "A-1"
    advance(client, 50 * MINUTE_MS)
    wait_until(lambda: len(announced(client)) == 2, what="at risk and escalated")
    time.sleep(0.3)
    assert announced(client) == [("complaint.sla_at_risk", "acknowledge"),
                                 ("complaint.escalated", "agent->supervisor at_risk")]
    got = client.call("complaint.get", {"id": cid})
    assert got["level"] == "supervisor" and got["handler_id"] == "S-1" and not got["overdue"]
    at_risk = events(client, {"complaint.sla_at_risk"})[0]
    assert at_risk["actor"] == "complaints" and 0 < at_risk["data"]["seconds_left"] <= 15 * 60
    client.close()

    # A clean restart: the clock is real time again; moving it past the same
    # moment announces nothing twice, and the breach comes once.
    service.stop()
    service.start()
    client = service.client()
    advance(client, 50 * MINUTE_MS)
    time.sleep(0.3)
    assert len(announced(client)) == 2
    advance(client, 15 * MINUTE_MS)
    wait_until(lambda: len(announced(client)) == 4, what="breached and escalated")
    got = client.call("complaint.get", {"id": cid})
    assert got["level"] == "manager" and got["handler_id"] == "M-1" and got["overdue"] is True
    assert [c["id"] for c in client.call("complaint.list", {"overdue": True})["items"]] == [cid]
    client.close()

    # A SIGKILL: nothing lost, nothing repeated; the resolve deadline comes in its turn
    # (no escalation: the case is at manager level already).
    service.kill()
    service.start()
    client = service.client()
    advance(client, 2 * HOUR_MS)
    time.sleep(0.3)
    assert len(announced(client)) == 4
    client.call("complaint.acknowledge", {"id": cid, "note": "late, sorry"})
    advance(client, 17 * HOUR_MS)
    wait_until(lambda: len(announced(client)) == 5, what="resolve at risk")
    advance(client, 6 * HOUR_MS)
    wait_until(lambda: len(announced(client)) == 6, what="resolve breached")
    client.close()
    service.kill()
    service.start()
    client = service.client()
    advance(client, 30 * HOUR_MS)
    time.sleep(0.5)
    assert announced(client) == [("complaint.sla_at_risk", "acknowledge"),
                                 ("complaint.escalated", "agent->supervisor at_risk"),
                                 ("complaint.sla_breached", "acknowledge"),
                                 ("complaint.escalated", "supervisor->manager breached"),
                                 ("complaint.sla_at_risk", "resolve"),
                                 ("complaint.sla_breached", "resolve")]
    trail = [e["action"] for e in client.call("complaint.get", {"id": cid})["audit"]]
    assert trail == ["received", "assigned", "sla_at_risk", "escalated", "sla_breached",
                     "escalated", "acknowledged", "sla_at_risk", "sla_breached"]
    acknowledged = events(client, {"complaint.acknowledged"})[0]["data"]
    assert acknowledged["on_time"] is False
    client.close()


def test_waiting_on_the_customer_stops_the_clock(complaints):
    service = complaints()
    client = service.client()
    team(client)
    customer(client)
    # High: resolve within 72 h, at risk with 18 h left.
    cid = complaint(client, severity="high")["id"]
    client.call("complaint.acknowledge", {"id": cid})
    due = client.call("complaint.get", {"id": cid})["resolve_due_at"]
    client.call("complaint.wait_customer", {"id": cid, "note": "which day suits you?"})
    advance(client, 100 * HOUR_MS)
    time.sleep(0.5)
    assert announced(client) == []
    waiting = client.call("complaint.get", {"id": cid})
    assert waiting["overdue"] is False and waiting["resolve_due_at"] == due
    assert waiting["deadlines"][1]["paused_at"] is not None
    assert client.call("complaint.list", {"overdue": True})["items"] == []
    # A restart while paused changes nothing.
    client.close()
    service.kill()
    service.start()
    client = service.client()
    advance(client, 100 * HOUR_MS)
    time.sleep(0.3)
    assert announced(client) == []
    replied = client.call("complaint.customer_replied", {"id": cid, "note": "Tuesday"})
    assert replied["status"] == "acknowledged"
    since = events(client, {"complaint.waiting_customer"})[0]["data"]["since"]
    back = events(client, {"complaint.customer_replied"})[0]["data"]
    from datetime import datetime
    parse = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    waited = parse(back["replied_at"]) - parse(since)
    # The deadline moved on by exactly the time waited.
    assert parse(replied["resolve_due_at"]) - parse(due) == waited
    assert back["waited_s"] == int(waited.total_seconds())
    resolve = replied["deadlines"][1]
    assert resolve["paused_at"] is None and resolve["paused_s"] == back["waited_s"]
    # The clock runs again: at risk 54 h on, escalated to supervisor.
    advance(client, 55 * HOUR_MS)
    wait_until(lambda: len(announced(client)) == 2, what="resolve at risk")
    assert announced(client) == [("complaint.sla_at_risk", "resolve"),
                                 ("complaint.escalated", "agent->supervisor at_risk")]
    client.close()


def test_a_reopened_case_gets_a_new_resolve_deadline(complaints):
    service = complaints(COMPLAINTS_CLOSE_AFTER_S="86400")
    client = service.client()
    team(client)
    customer(client)
    cid = complaint(client, severity="critical")["id"]
    for step, body in (("acknowledge", {}), ("investigate", {}),
                       ("resolve", {"resolution": "replaced"})):
        body["id"] = cid
        client.call("complaint." + step, body)
    advance(client, 2 * HOUR_MS)
    time.sleep(0.3)
    assert announced(client) == []  # both deadlines were met
    reopened = client.call("complaint.reopen", {"id": cid, "reason": "broke again"})
    assert reopened["status"] == "reopened" and reopened["reopen_count"] == 1
    rounds = [(d["kind"], d["round"], d["met_at"] is None) for d in reopened["deadlines"]]
    assert rounds == [("acknowledge", 1, False), ("resolve", 1, False), ("resolve", 2, True)]
    advance(client, 25 * HOUR_MS)
    wait_until(lambda: len(announced(client)) == 4, what="the new round at risk and breached")
    assert announced(client) == [("complaint.sla_at_risk", "resolve"),
                                 ("complaint.escalated", "agent->supervisor at_risk"),
                                 ("complaint.sla_breached", "resolve"),
                                 ("complaint.escalated", "supervisor->manager breached")]
    breached = events(client, {"complaint.sla_breached"})[0]["data"]
    assert breached["due_at"] == reopened["resolve_due_at"]
    client.close()


def test_a_resolved_case_closes_after_silence_once(complaints):
    service = complaints(COMPLAINTS_CLOSE_AFTER_S="7200")
    client = service.client()
    team(client)
    customer(client)
    quiet = complaint(client)["id"]
    answered = complaint(client)["id"]
    for cid in (quiet, answered):
        for step, body in (("acknowledge", {}), ("investigate", {}),
                           ("resolve", {"resolution": "done"})):
            body["id"] = cid
            client.call("complaint." + step, body)
    client.call("complaint.confirm", {"id": answered})
    advance(client, HOUR_MS)
    time.sleep(0.3)
    assert client.call("complaint.get", {"id": quiet})["status"] == "resolved"
    advance(client, HOUR_MS + 1000)
    wait_until(lambda: client.call("complaint.get", {"id": quiet})["status"] == "closed",
               what="closed after silence")
    client.close()
    service.kill()
    service.start()
    client = service.client()
    advance(client, 5 * HOUR_MS)
    time.sleep(0.3)
    closed = [(e["key"], e["data"]["closed_by"]) for e in events(client, {"complaint.closed"})]
    assert closed == [(answered, "customer"), (quiet, "silence")]
    surveys = [e["data"]["complaint_id"] for e in events(client, {"survey.opened"})]
    assert surveys == [answered, quiet]
    client.close()
