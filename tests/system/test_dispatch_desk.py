"""The dispatch desk over real sockets: reassigning, unassigning and handing
over work, the override of an off-shift or absent technician, absences,
partial technician updates; each refused step with its status named, each
move with its event."""
from test_dispatch import advance, dispatch, order, technician  # noqa: F401 (fixture)
from test_dispatch_plan import clock_ms, iso, shift, to_hour

HOUR_MS = 3600 * 1000


def events_of(client, *types):
    events = client.call("events.replay", {"from_seq": 1, "limit": 1000})["events"]
    return [e for e in events if e["type"] in types]


def last_step(client, wid):
    return client.call("workorder.get", {"id": wid})["steps"][-1]


def test_reassign_and_unassign(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-1")
    technician(client, "T-2")
    technician(client, "T-junior", skills=(("hvac", 1),))
    wid = order(client)["id"]
    # Nothing to move yet: each refusal names the status.
    for op in ("workorder.reassign", "workorder.unassign"):
        error = client.error(op, {"id": wid, "reason": "r"})
        assert error["code"] == "failed_precondition" and "it is reported" in error["message"]
    client.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
    error = client.error("workorder.reassign", {"id": wid, "technician_id": "T-1", "reason": "r"})
    assert "assigned to T-1 already" in error["message"]
    error = client.error("workorder.reassign", {"id": wid, "technician_id": "T-junior",
                                                "reason": "r"})
    assert error["field"] == "/body/technician_id" and "level 1" in error["message"]
    error = client.error("workorder.reassign", {"id": wid, "technician_id": "T-9", "reason": "r"})
    assert error["code"] == "not_found"
    moved = client.call("workorder.reassign", {"id": wid, "technician_id": "T-2",
                                               "reason": "T-1 is stuck in traffic"})
    assert moved["technician_id"] == "T-2" and moved["status"] == "assigned"
    step = moved["steps"][-1]
    assert step["step"] == "reassigned" and step["note"] == "from T-1: T-1 is stuck in traffic"
    assert step["technician_id"] == "T-2" and step["actor"]
    # The service's choice is anyone but the current one.
    again = client.call("workorder.reassign", {"id": wid, "reason": "customer asked"})
    assert again["technician_id"] == "T-1"
    back = client.call("workorder.unassign", {"id": wid, "reason": "customer away"})
    assert back["status"] == "reported" and back["technician_id"] is None
    assert back["times"]["assigned_at"] is None
    assert back["steps"][-1]["step"] == "unassigned"
    (first, second), (undone,) = (events_of(client, "workorder.reassigned"),
                                  events_of(client, "workorder.unassigned"))
    assert first["data"]["previous_technician_id"] == "T-1" and first["data"]["chosen_by"] == "dispatcher"
    assert second["data"]["technician_id"] == "T-1" and second["data"]["chosen_by"] == "service"
    assert undone["data"]["previous_technician_id"] == "T-1" and undone["data"]["reason"] == "customer away"
    # From waiting_parts too: the new technician picks up where it waits.
    client.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
    client.call("workorder.start", {"id": wid})
    client.call("workorder.wait_parts", {"id": wid})
    error = client.error("workorder.unassign", {"id": wid, "reason": "r"})
    assert "it is waiting_parts" in error["message"]
    moved = client.call("workorder.reassign", {"id": wid, "technician_id": "T-2", "reason": "r"})
    assert moved["status"] == "waiting_parts" and moved["technician_id"] == "T-2"
    client.close()


def test_off_shift_or_absent_needs_override(dispatch):
    service = dispatch()
    client = service.client()
    hour = to_hour(client)
    later = {"days": [1, 2, 3, 4, 5, 6, 7], "start": "%02d:00" % ((hour + 2) % 24),
             "end": "%02d:00" % ((hour + 6) % 24), "utc_offset": "+00:00"}
    technician(client, "T-later", working_hours=later)
    technician(client, "T-away")
    now = clock_ms(client)
    client.call("technician.absence.set", {"technician_id": "T-away", "from": iso(now - HOUR_MS),
                                           "to": iso(now + HOUR_MS), "reason": "sick"})
    for tid, why in (("T-later", "off shift"), ("T-away", "absent")):
        wid = order(client)["id"]
        error = client.error("workorder.assign", {"id": wid, "technician_id": tid})
        assert error["code"] == "failed_precondition" and why in error["message"]
        assert "override" in error["message"]
        done = client.call("workorder.assign", {"id": wid, "technician_id": tid, "override": True})
        assert done["technician_id"] == tid
        assert done["steps"][-1]["note"] == "override: technician %s is %s" % (tid, why)
    # Nobody on shift and present: the service finds no one, dispatch.run says why.
    wid = order(client)["id"]
    error = client.error("workorder.assign", {"id": wid})
    assert "2 off shift" in error["message"]
    assert client.call("dispatch.run", {})["waiting"] == [{"workorder_id": wid,
                                                            "reason": "off_shift"}]
    client.close()


def test_handover_moves_what_has_not_started(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-sick", max_jobs=5)
    technician(client, "T-a", max_jobs=5)
    technician(client, "T-b", max_jobs=5)
    ids = [order(client)["id"] for _ in range(3)]
    for wid in ids:
        client.call("workorder.assign", {"id": wid, "technician_id": "T-sick"})
    client.call("workorder.start", {"id": ids[2]})
    error = client.error("technician.handover", {"technician_id": "T-none", "reason": "r"})
    assert error["code"] == "not_found"
    error = client.error("technician.handover", {"technician_id": "T-sick", "to_technician_id": "T-a",
                                                 "back_to_queue": True, "reason": "r"})
    assert error["code"] == "invalid_argument"
    technician(client, "T-small", max_jobs=1)
    error = client.error("technician.handover", {"technician_id": "T-sick",
                                                 "to_technician_id": "T-small", "reason": "r"})
    assert error["code"] == "failed_precondition" and error["field"] == "/body/to_technician_id"
    assert client.call("workorder.get", {"id": ids[0]})["technician_id"] == "T-sick"  # undone
    result = client.call("technician.handover", {"technician_id": "T-sick",
                                                 "to_technician_id": "T-a", "reason": "sick"})
    assert result["moved"] == [{"workorder_id": ids[0], "technician_id": "T-a"},
                               {"workorder_id": ids[1], "technician_id": "T-a"}]
    assert result["kept"] == [ids[2]]
    assert last_step(client, ids[2])["step"] == "flagged"
    # Back to the queue, from T-a.
    result = client.call("technician.handover", {"technician_id": "T-a", "back_to_queue": True,
                                                 "reason": "training"})
    assert result["moved"] == [{"workorder_id": ids[0]}, {"workorder_id": ids[1]}]
    assert {client.call("workorder.get", {"id": w})["status"] for w in ids[:2]} == {"reported"}
    handed = events_of(client, "technician.handed_over")
    assert [e["key"] for e in handed] == ["T-sick", "T-a"]
    client.close()


def test_deactivation_and_absence_hand_over_by_themselves(dispatch):
    service = dispatch()
    client = service.client()
    technician(client, "T-leaving", max_jobs=5)
    technician(client, "T-stays", max_jobs=5)
    waiting, started = order(client)["id"], order(client)["id"]
    for wid in (waiting, started):
        client.call("workorder.assign", {"id": wid, "technician_id": "T-leaving"})
    client.call("workorder.start", {"id": started})
    # A partial upsert: only active changes; name, skills and cost stay.
    off = client.call("technician.upsert", {"id": "T-leaving", "active": False})
    assert not off["active"] and off["name"] == "Tech T-leaving"
    assert off["skills"] == [{"skill": "hvac", "level": 3}] and off["hourly_cost_cents"] == 6000
    assert client.call("workorder.get", {"id": waiting})["technician_id"] == "T-stays"
    assert client.call("workorder.get", {"id": started})["technician_id"] == "T-leaving"
    assert last_step(client, started)["note"] == "T-leaving handed over: deactivated"
    # An absence now: T-stays' orders not started go back to the queue (nobody else).
    now = clock_ms(client)
    absence = client.call("technician.absence.set", {
        "technician_id": "T-stays", "from": iso(now), "to": iso(now + 8 * HOUR_MS),
        "reason": "sick"})
    assert absence["handover"] == {"technician_id": "T-stays", "moved": [{"workorder_id": waiting}],
                                   "kept": [], "reason": "absent: sick"}
    assert client.call("workorder.get", {"id": waiting})["status"] == "reported"
    (event,) = events_of(client, "technician.absent")
    assert event["data"]["reason"] == "sick" and event["key"] == "T-stays"
    # One in the future hands over nothing yet.
    later = client.call("technician.absence.set", {
        "technician_id": "T-stays", "from": iso(now + 24 * HOUR_MS),
        "to": iso(now + 48 * HOUR_MS), "reason": "leave"})
    assert "handover" not in later
    error = client.error("technician.absence.set", {"technician_id": "T-stays", "from": iso(now),
                                                    "to": iso(now), "reason": "r"})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/to"
    error = client.error("technician.absence.set", {"technician_id": "T-x", "from": iso(now),
                                                    "to": iso(now + 1000), "reason": "r"})
    assert error["code"] == "not_found"
    client.close()


def test_partial_upsert_needs_the_facts_only_for_a_new_technician(dispatch):
    client = dispatch().client()
    error = client.error("technician.upsert", {"id": "T-new", "name": "New", "region": "north"})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/hourly_cost_cents"
    technician(client, "T-1", skills=(("hvac", 3), ("electrical", 2)), max_jobs=4)
    changed = client.call("technician.upsert", {"id": "T-1", "max_jobs": 6,
                                                "home": {"lat": 31.5, "lon": 121.25}})
    assert changed["max_jobs"] == 6 and len(changed["skills"]) == 2
    assert changed["home"] == {"lat": 31.5, "lon": 121.25} and changed["region"] == "north"
    changed = client.call("technician.upsert", {"id": "T-1", "skills": []})
    assert changed["skills"] == [] and changed["max_jobs"] == 6
    client.close()


def test_queues_filter_sort_and_count(dispatch):
    client = dispatch().client()
    technician(client, "T-1", max_jobs=50)
    start = clock_ms(client)
    made = []
    for i in range(12):
        body = {"priority": ["low", "normal", "high", "urgent"][i % 4],
                "type": ["repair", "maintenance", "installation"][i % 3],
                "region": "north" if i % 2 else "south", "product_model": "AC-%d" % (i % 2)}
        if i % 3 == 0:
            body["required_skill"] = "electrical"
        made.append(order(client, **body))
        advance(client, 60 * 1000)
    # Filters: each narrows as it says.
    listed = client.call("workorder.list", {"priority": ["urgent", "high"], "type": ["repair"]})
    expect = [o["id"] for o in made if o["priority"] in ("urgent", "high") and o["type"] == "repair"]
    assert [o["id"] for o in listed["items"]] == expect
    listed = client.call("workorder.list", {"required_skill": "electrical", "product_model": "AC-1"})
    assert [o["id"] for o in listed["items"]] == [
        o["id"] for i, o in enumerate(made) if i % 3 == 0 and i % 2 == 1]
    window = {"reported_after": iso(start + 3 * 60 * 1000),
              "reported_before": iso(start + 6 * 60 * 1000)}
    assert [o["id"] for o in client.call("workorder.list", window)["items"]] == [
        o["id"] for o in made[3:6]]
    # Urgent orders are due in 4 hours, the others a day or more.
    due = client.call("workorder.list", {"due_before": made[7]["due_at"]})["items"]
    assert [o["id"] for o in due] == [made[3]["id"]]
    # Sorted by due time, two at a time: every order once, earliest due first.
    seen, cursor = [], None
    while True:
        body = {"sort": "due_at", "limit": 2}
        if cursor:
            body["cursor"] = cursor
        page = client.call("workorder.list", body)
        seen += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert sorted(o["id"] for o in seen) == sorted(o["id"] for o in made)
    assert [o["due_at"] for o in seen] == sorted(o["due_at"] for o in made)
    error = client.error("workorder.list", {"sort": "due_at", "cursor": "17"})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/cursor"
    by_reported = client.call("workorder.list", {"sort": "reported_at", "limit": 500})["items"]
    assert [o["id"] for o in by_reported] == [o["id"] for o in made]
    # Counts.
    client.call("workorder.assign", {"id": made[1]["id"], "technician_id": "T-1"})
    client.call("workorder.cancel", {"id": made[0]["id"], "reason": "duplicate"})
    counts = client.call("workorder.count", {})
    assert counts["total"] == 12 and counts["open"] == 11 and counts["overdue"] == 0
    assert {s["status"]: s["count"] for s in counts["by_status"]} == {
        "reported": 10, "assigned": 1, "cancelled": 1}
    assert counts["by_region"] == [{"region": "north", "open": 6, "waiting": 5, "overdue": 0},
                                   {"region": "south", "open": 5, "waiting": 5, "overdue": 0}]
    advance(client, 5 * HOUR_MS)  # past the urgent orders' 4 hours
    north = client.call("workorder.count", {"region": "north"})
    assert north["total"] == 6 and north["overdue"] == 3  # orders 3, 7 and 11
    assert [r["region"] for r in north["by_region"]] == ["north"]
    client.close()


def test_update_changes_an_open_order_step_by_step(dispatch):
    client = dispatch().client()
    technician(client, "T-1")
    made = order(client, priority="normal")
    wid = made["id"]
    now = clock_ms(client)
    updated = client.call("workorder.update", {
        "id": wid, "priority": "urgent", "address": "12 Nanjing Rd",
        "location": {"lat": 31.23, "lon": 121.47},
        "window": {"start": iso(now + HOUR_MS), "end": iso(now + 3 * HOUR_MS)},
        "required_level": 3, "note": "customer called twice"})
    assert updated["priority"] == "urgent" and updated["address"] == "12 Nanjing Rd"
    assert updated["due_at"] == made["due_at"]  # not asked to move
    notes = [(s["step"], s["note"]) for s in updated["steps"][1:]]
    assert notes[0] == ("updated", "priority: normal -> urgent")
    assert notes[1] == ("updated", "address: none -> 12 Nanjing Rd")
    assert notes[2] == ("updated", "location: none -> 31.230000,121.470000")
    assert notes[3][1].startswith("window: none -> ")
    assert notes[4] == ("updated", "required_level: 2 -> 3")
    assert notes[5] == ("noted", "customer called twice")
    # A new priority with recompute_due: due from the policy, from when it was reported.
    again = client.call("workorder.update", {"id": wid, "priority": "high", "recompute_due": True})
    assert again["steps"][-1]["note"].startswith("due_at: ")
    reported = client.call("workorder.get", {"id": wid})["times"]["reported_at"]
    assert again["due_at"] != made["due_at"] and reported
    (event, second) = [e for e in client.call("events.replay", {"from_seq": 1, "limit": 100})["events"]
                       if e["type"] == "workorder.updated"]
    assert [c["field"] for c in event["data"]["changes"]] == [
        "priority", "address", "location", "window", "required_level"]
    assert event["data"]["note"] == "customer called twice"
    assert [c["field"] for c in second["data"]["changes"]] == ["priority", "due_at"]
    # The same value again changes nothing and records nothing.
    same = client.call("workorder.update", {"id": wid, "priority": "high"})
    assert len(same["steps"]) == len(again["steps"])
    error = client.error("workorder.update", {"id": wid, "recompute_due": True})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/recompute_due"
    error = client.error("workorder.update", {"id": wid, "window": {"start": iso(now),
                                                                   "end": iso(now)}})
    assert error["field"] == "/body/window/end"
    client.call("workorder.cancel", {"id": wid, "reason": "moved away"})
    error = client.error("workorder.update", {"id": wid, "note": "too late"})
    assert error["code"] == "failed_precondition" and "it is cancelled" in error["message"]
    assert client.error("workorder.update", {"id": "WO-999999"})["code"] == "not_found"
    client.close()


def test_rework_carries_the_diagnosis_and_goes_to_someone_as_good(dispatch):
    client = dispatch().client()
    technician(client, "T-first", skills=(("hvac", 3),))
    technician(client, "T-junior", skills=(("hvac", 2),))
    technician(client, "T-senior", skills=(("hvac", 4),))
    wid = order(client)["id"]
    client.call("workorder.assign", {"id": wid, "technician_id": "T-first"})
    client.call("workorder.diagnose", {"id": wid, "text": "compressor relay", "by": "T-first",
                                       "parts_needed": [{"part_id": "RLY-40A", "qty": 1}]})
    client.call("workorder.start", {"id": wid})
    client.call("workorder.complete", {"id": wid, "labour_minutes": 30})
    rework_id = client.call("workorder.reject", {"id": wid, "reason": "still warm"})["rework_id"]
    rework = client.call("workorder.get", {"id": rework_id})
    assert [d["text"] for d in rework["diagnoses"]] == ["compressor relay"]
    assert rework["parts_needed"] == [{"part_id": "RLY-40A", "qty": 1}]
    # Not T-first again, nor T-junior below T-first's level: T-senior.
    planned = client.call("dispatch.run", {"dry_run": True})
    assert planned["assignments"] == [{"workorder_id": rework_id, "technician_id": "T-senior"}]
    assert client.call("workorder.assign", {"id": rework_id})["technician_id"] == "T-senior"
    client.close()


def test_time_standards_assign_by_and_the_pause_for_parts(dispatch):
    client = dispatch().client()
    technician(client, "T-1")
    policy = client.call("sla.policy.set", {"type": "repair", "priority": "normal",
                                            "resolve_within_s": 8 * 3600,
                                            "at_risk_before_s": 3600, "assign_within_s": 1800,
                                            "pause_waiting_parts": True})
    assert policy["assign_within_s"] == 1800 and policy["pause_waiting_parts"] is True
    default = client.call("sla.policy.set", {"type": "repair", "priority": "low",
                                             "resolve_within_s": 8 * 3600, "at_risk_before_s": 60})
    assert default["assign_within_s"] == 3600 and default["pause_waiting_parts"] is False
    error = client.error("sla.policy.set", {"type": "repair", "priority": "low",
                                            "resolve_within_s": 3600, "at_risk_before_s": 60,
                                            "assign_within_s": 7200})
    assert error["field"] == "/body/assign_within_s"
    paused, plain, late = (order(client, priority="normal"), order(client, priority="low"),
                           order(client, priority="normal"))
    assert paused["times"]["assign_by"] and paused["times"]["paused_s"] == 0
    for made in (paused, plain):
        client.call("workorder.assign", {"id": made["id"], "technician_id": "T-1"})
        client.call("workorder.start", {"id": made["id"]})
        client.call("workorder.wait_parts", {"id": made["id"]})
    # 31 minutes: the unassigned one is late for its assignment, once.
    advance(client, 31 * 60 * 1000)
    kinds = lambda wid: [s["step"] for s in client.call("workorder.get", {"id": wid})["steps"]]  # noqa: E731
    wait_until_step(client, late["id"], "assign_overdue")
    # 10 hours waiting for parts: the plain one is overdue, the paused one is not.
    advance(client, 10 * HOUR_MS)
    wait_until_step(client, plain["id"], "overdue")
    now = client.call("workorder.get", {"id": paused["id"]})
    assert "overdue" not in kinds(paused["id"]) and not now["overdue"]
    assert now["times"]["paused_s"] >= 10 * 3600 and now["due_at"] != paused["due_at"]
    resumed = client.call("workorder.resume", {"id": paused["id"]})
    paused_s = resumed["times"]["paused_s"]
    assert paused_s >= 10 * 3600 + 31 * 60 - 5
    moved = parse(resumed["due_at"]) - parse(paused["due_at"])
    assert abs(moved - paused_s) <= 1
    assert kinds(late["id"]).count("assign_overdue") == 1
    advance(client, 9 * HOUR_MS)  # past the moved due time
    wait_until_step(client, paused["id"], "overdue")
    events = client.call("events.replay", {"from_seq": 1, "limit": 1000})["events"]
    assert [e["key"] for e in events if e["type"] == "workorder.assign_overdue"] == [late["id"]]
    client.close()


def parse(text):
    import datetime
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def wait_until_step(client, wid, step):
    from harness import wait_until
    wait_until(lambda: step in [s["step"] for s in
                                client.call("workorder.get", {"id": wid})["steps"]],
               what="%s %s" % (wid, step))
