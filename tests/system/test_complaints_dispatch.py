"""Complaints and dispatch running together: a completed work order leads to
a follow-up visit (for a customer who consents) and a survey; the customer's
score at acceptance answers that survey, and a low one opens a recovery case;
a complaints service that was down catches up with nothing lost or doubled."""
from datetime import datetime, timedelta

from harness import wait_until
from test_complaints import customer, events, team

parse = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731


def repair(desk, customer_id):
    """A work order in dispatch, taken to completed; returns its id."""
    wid = desk.call("workorder.create", {
        "customer_id": customer_id, "type": "repair", "priority": "high", "channel": "phone",
        "region": "north", "description": "boiler leaks", "required_skill": "plumbing"})["id"]
    desk.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
    desk.call("workorder.start", {"id": wid})
    desk.call("workorder.complete", {"id": wid, "labour_minutes": 40})
    return wid


def test_a_completed_order_brings_a_follow_up_a_survey_and_a_recovery_case(start_service):
    dispatch = start_service("dispatch")
    service = start_service("complaints", env={"COMPLAINTS_FOLLOWUP_DELAY_S": "3600"})
    desk, client = dispatch.client(), service.client()
    team(client)
    customer(client, "C-1")
    desk.call("technician.upsert", {"id": "T-1", "name": "Li", "region": "north",
                                    "skills": [{"skill": "plumbing", "level": 3}],
                                    "hourly_cost_cents": 6000, "max_jobs": 10})
    consenting = repair(desk, "C-1")
    unknown = repair(desk, "C-2")  # not in the customer file yet

    wait_until(lambda: len(client.call("survey.list", {})["items"]) == 2, what="two surveys")
    surveys = {s["workorder_id"]: s for s in client.call("survey.list", {})["items"]}
    assert surveys[consenting]["subject"] == "workorder" and surveys[consenting]["status"] == "open"
    assert surveys[unknown]["customer_id"] == "C-2" and surveys[unknown]["region"] == "north"
    followups = client.call("followup.list", {})["items"]
    assert [(f["customer_id"], f["workorder_id"], f["kind"]) for f in followups] == [
        ("C-1", consenting, "after_repair")]
    completed = [e for e in dispatch.client().call("events.replay", {"from_seq": 1, "limit": 100})[
        "events"] if e["type"] == "workorder.completed" and e["key"] == consenting][0]
    assert parse(followups[0]["due_at"]) == parse(completed["data"]["completed_at"]) + timedelta(
        hours=1)
    # The customer seen first in a work order joins the file, without consent.
    stranger = client.call("customer.get", {"id": "C-2"})
    assert stranger["name"] is None and stranger["consent"] is False
    assert stranger["region"] == "north" and stranger["followups"] == []
    assert [(w["id"], w["status"]) for w in stranger["workorders"]] == [(unknown, "completed")]
    joined = [e for e in events(client, {"customer.updated"}) if e["key"] == "C-2"]
    assert len(joined) == 1 and joined[0]["data"]["created"] and joined[0]["actor"] == "complaints"
    opened = {e["data"]["workorder_id"]: e["data"] for e in events(client, {"survey.opened"})}
    assert opened[consenting]["consent"] is True and opened[unknown]["consent"] is False

    # Acceptance scores answer the surveys: a happy one, and an unhappy one.
    desk.call("workorder.accept", {"id": consenting, "customer_score": 9})
    desk.call("workorder.accept", {"id": unknown, "customer_score": 3, "comment": "slow"})
    wait_until(lambda: len(client.call("survey.list", {"status": "answered"})["items"]) == 2,
               what="both surveys answered")
    surveys = {s["workorder_id"]: s for s in client.call("survey.list", {})["items"]}
    assert surveys[consenting]["score"] == 9 and surveys[consenting]["source"] == "acceptance"
    assert surveys[consenting]["recovery_complaint_id"] is None
    case = client.call("complaint.get", {"id": surveys[unknown]["recovery_complaint_id"]})
    assert case["customer_id"] == "C-2" and case["workorder_id"] == unknown
    assert case["survey_id"] == surveys[unknown]["id"] and case["severity"] == "high"
    assert case["category"] == "service_quality" and case["kind"] == "complaint"
    assert case["handler_id"] == "A-1" and case["audit"][0]["actor"] == "complaints"
    history = client.call("customer.get", {"id": "C-1"})
    assert [(w["id"], w["status"], w["customer_score"]) for w in history["workorders"]] == [
        (consenting, "accepted", 9)]
    assert [s["score"] for s in history["surveys"]] == [9]

    # Complaints goes down; dispatch goes on; complaints catches up, each event once.
    service.kill()
    later = repair(desk, "C-1")
    desk.call("workorder.accept", {"id": later, "customer_score": 2})
    service.start()
    client = service.client()
    wait_until(lambda: len(client.call("survey.list", {})["items"]) == 3, what="caught up")
    wait_until(lambda: client.call("sys.health")["consumers"][0]["lag"] == 0, what="no lag")
    health = client.call("sys.health")
    assert health["status"] == "ok" and health["consumers"][0]["source"] == "dispatch"
    assert [f["workorder_id"] for f in client.call("followup.list", {})["items"]] == [
        consenting, later]
    recovery = [c for c in client.call("complaint.list", {"channel": "survey"})["items"]]
    assert [(c["workorder_id"], c["severity"]) for c in recovery] == [(unknown, "high"),
                                                                      (later, "high")]
    scheduled = [e["data"]["workorder_id"] for e in events(client, {"followup.scheduled"})]
    assert scheduled == [consenting, later]
    desk.close()
    client.close()
