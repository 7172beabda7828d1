"""dispatch.run's optimiser over real sockets: the scarce skill that the greedy
policy starves, tight shifts against a brute-force optimum, why orders wait,
dry runs that change nothing, and travel from locations or a supplied matrix."""
import datetime
import itertools

from test_dispatch import advance, dispatch, order, technician  # noqa: F401 (fixture)

HOUR_MS = 3600 * 1000
# The service's defaults: minutes of each type, and the percentage of each level.
TYPE_MIN = {"repair": 120, "maintenance": 90, "installation": 180, "upgrade": 60,
            "inspection": 60, "consulting": 60}
LEVEL_PERCENT = {1: 130, 2: 115, 3: 100, 4: 90, 5: 80}


def duration(kind, level):
    return -(-TYPE_MIN[kind] * LEVEL_PERCENT[level] // 100)


def to_hour(client):
    """Moves the test clock to the next whole hour (UTC); returns that hour. The
    clock runs on from there: the test has a minute before shifts shrink."""
    now = client.call("sys.ping")["ts"]
    minute, second, ms = int(now[14:16]), int(now[17:19]), int(now[20:23])
    advance(client, HOUR_MS - (minute * 60 + second) * 1000 - ms)
    now = client.call("sys.ping")["ts"]
    assert now[14:16] == "00", now
    return int(now[11:13])


def iso(ms):
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def clock_ms(client):
    moment = datetime.datetime.strptime(client.call("sys.ping")["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(moment.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def shift(hour, hours_left, before=1):
    """Working hours, every day, from `before` hours ago until hours_left from hour."""
    return {"days": [1, 2, 3, 4, 5, 6, 7], "start": "%02d:00" % ((hour - before) % 24),
            "end": "%02d:00" % ((hour + hours_left) % 24), "utc_offset": "+00:00"}


def statuses(client, ids):
    return {wid: client.call("workorder.get", {"id": wid})["status"] for wid in ids}


def test_greedy_starves_the_scarce_skill_the_optimiser_does_not(dispatch):
    """The issue's case: the region's only electrician, who can also do air
    conditioning, gets the early air-conditioning jobs one at a time, and the
    electrical orders behind them wait. Planned together, the other technician
    takes the air conditioning and every order is assigned."""
    client = dispatch().client()
    technician(client, "T-elec", skills=(("electrical", 3), ("hvac", 1)), max_jobs=2)
    technician(client, "T-hvac", skills=(("hvac", 3),), max_jobs=5)
    for _ in range(3):  # the hvac technician is busy already: 3 of 5 jobs open
        client.call("workorder.assign", {"id": order(client, required_level=1)["id"],
                                         "technician_id": "T-hvac"})
    hvac = [order(client, priority="urgent", required_level=1)["id"] for _ in range(2)]
    electrical = [order(client, required_skill="electrical", required_level=2)["id"]
                  for _ in range(2)]
    waiting = hvac + electrical

    greedy = client.call("dispatch.run", {"dry_run": True, "policy": "greedy"})
    assert greedy["dry_run"] and greedy["policy"] == "greedy"
    assert {a["workorder_id"]: a["technician_id"] for a in greedy["assignments"]} == {
        hvac[0]: "T-elec", hvac[1]: "T-elec"}
    assert greedy["waiting"] == [{"workorder_id": w, "reason": "at_limit"} for w in electrical]

    planned = client.call("dispatch.run", {"dry_run": True})
    assert planned["policy"] == "optimiser" and planned["assigned"] == 4
    assert planned["waiting"] == []
    assert statuses(client, waiting) == {w: "reported" for w in waiting}  # a dry run

    result = client.call("dispatch.run", {})
    assert not result["dry_run"] and result["assignments"] == planned["assignments"]
    assert result["cost"] == planned["cost"]
    assigned = {a["workorder_id"]: a["technician_id"] for a in result["assignments"]}
    assert assigned == {hvac[0]: "T-hvac", hvac[1]: "T-hvac",
                        electrical[0]: "T-elec", electrical[1]: "T-elec"}
    assert statuses(client, waiting) == {w: "assigned" for w in waiting}
    step = client.call("workorder.get", {"id": electrical[0]})["steps"][-1]
    assert step["step"] == "assigned" and step["note"] == "chosen by the service"
    client.close()


def test_tight_shifts_reach_the_most_orders_that_fit(dispatch):
    """Three technicians with 4, 3 and 2 hours of shift left and more work than
    that: the plan keeps every shift, assigns as many orders as the best
    assignment a brute force finds, at least as many as the greedy policy."""
    client = dispatch().client()
    hour = to_hour(client)
    techs = {"T-a": (240, 3), "T-b": (180, 3), "T-c": (120, 5)}  # minutes left, level
    for tid, (left, level) in techs.items():
        technician(client, tid, region="west", skills=(("hvac", level),), max_jobs=5,
                   working_hours=shift(hour, left // 60))
    kinds = ["installation", "repair", "repair", "maintenance", "upgrade", "inspection",
             "maintenance"]
    ids = [order(client, region="west", type=kind, required_level=1)["id"] for kind in kinds]

    best = 0
    for choice in itertools.product([None] + list(techs), repeat=len(kinds)):
        used = {tid: 0 for tid in techs}
        for kind, tid in zip(kinds, choice):
            if tid:
                used[tid] += duration(kind, techs[tid][1])
        if all(used[tid] <= techs[tid][0] for tid in techs):
            best = max(best, sum(1 for tid in choice if tid))

    greedy = client.call("dispatch.run", {"dry_run": True, "policy": "greedy"})
    again = client.call("dispatch.run", {"dry_run": True})
    result = client.call("dispatch.run", {})
    assert result["assignments"] == again["assignments"]  # deterministic
    assert result["assigned"] == best and greedy["assigned"] < best  # greedy: one fewer here
    assert "lower_bound" not in result or result["lower_bound"] <= result["cost"]
    used = {tid: 0 for tid in techs}
    for a in result["assignments"]:
        kind = kinds[ids.index(a["workorder_id"])]
        used[a["technician_id"]] += duration(kind, techs[a["technician_id"]][1])
    assert all(used[tid] <= techs[tid][0] for tid in techs), used
    assert {w["reason"] for w in result["waiting"]} == {"at_limit"}
    assert len(result["waiting"]) == len(kinds) - best
    client.close()


def test_each_waiting_order_says_why(dispatch):
    client = dispatch().client()
    hour = to_hour(client)
    technician(client, "T-north", max_jobs=1)
    technician(client, "T-late", region="east",
               working_hours={"days": [1, 2, 3, 4, 5, 6, 7], "start": "%02d:00" % ((hour + 2) % 24),
                              "end": "%02d:00" % ((hour + 8) % 24), "utc_offset": "+00:00"})
    technician(client, "T-south", region="south", max_jobs=1)
    client.call("workorder.assign", {"id": order(client, region="south")["id"],
                                     "technician_id": "T-south"})
    now_ms = clock_ms(client)
    no_skill = order(client, required_skill="plumbing")["id"]
    off_shift = order(client, region="east")["id"]
    at_limit = order(client, region="south")["id"]
    # Two hours of work in a window that closes in one.
    window = order(client, window={"start": iso(now_ms), "end": iso(now_ms + HOUR_MS)})["id"]
    fits = order(client, window={"start": iso(now_ms + HOUR_MS), "end": iso(now_ms + 4 * HOUR_MS)})
    assert fits["window"] == {"start": iso(now_ms + HOUR_MS), "end": iso(now_ms + 4 * HOUR_MS)}
    result = client.call("dispatch.run", {})
    assert result["assignments"] == [{"workorder_id": fits["id"], "technician_id": "T-north"}]
    reasons = {w["workorder_id"]: w["reason"] for w in result["waiting"]}
    assert reasons == {no_skill: "no_skill", off_shift: "off_shift", at_limit: "at_limit",
                       window: "outside_window"}
    error = client.error("workorder.create", {
        "customer_id": "C-1", "type": "repair", "priority": "normal", "channel": "phone",
        "region": "north", "description": "d",
        "window": {"start": iso(now_ms + HOUR_MS), "end": iso(now_ms)}})
    assert error["code"] == "invalid_argument" and error["field"] == "/body/window/end"
    client.close()


def test_travel_from_distance_or_from_the_supplied_matrix(dispatch):
    client = dispatch().client()
    # Shanghai's centre, a technician 2 km away and one 30 km away.
    near = technician(client, "T-near", home={"lat": 31.2400, "lon": 121.4900})
    assert near["home"] == {"lat": 31.24, "lon": 121.49}
    technician(client, "T-far", home={"lat": 31.0000, "lon": 121.3000})
    job = order(client, location={"lat": 31.2304, "lon": 121.4737})
    assert job["location"] == {"lat": 31.2304, "lon": 121.4737}
    planned = client.call("dispatch.run", {"dry_run": True})
    assert planned["assignments"] == [{"workorder_id": job["id"], "technician_id": "T-near"}]
    # A routing engine knows better: the near one is across the river, an hour away.
    stored = client.call("travel.times.set", {"times": [
        {"technician_id": "T-near", "workorder_id": job["id"], "minutes": 90},
        {"technician_id": "T-far", "workorder_id": job["id"], "minutes": 20}]})
    assert stored == {"stored": 2}
    result = client.call("dispatch.run", {})
    assert result["assignments"] == [{"workorder_id": job["id"], "technician_id": "T-far"}]
    # The rework of a rejected order keeps where it is.
    client.call("workorder.start", {"id": job["id"]})
    client.call("workorder.complete", {"id": job["id"], "labour_minutes": 30})
    rework = client.call("workorder.reject", {"id": job["id"], "reason": "still warm"})["rework_id"]
    assert client.call("workorder.get", {"id": rework})["location"] == job["location"]
    client.close()


def test_travel_starts_where_a_technician_says_they_are(dispatch):
    client = dispatch().client()
    technician(client, "T-home-near", home={"lat": 31.2400, "lon": 121.4900})
    technician(client, "T-out", home={"lat": 31.0000, "lon": 121.3000})
    job = order(client, location={"lat": 31.2304, "lon": 121.4737})
    assert client.call("dispatch.run", {"dry_run": True})["assignments"][0]["technician_id"] == \
        "T-home-near"
    # T-out's app reports they are at the next building: they are nearer now.
    moved = client.call("technician.upsert", {"id": "T-out",
                                              "location": {"lat": 31.2310, "lon": 121.4740}})
    assert moved["location"] == {"lat": 31.231, "lon": 121.474}
    assert moved["home"] == {"lat": 31.0, "lon": 121.3}
    result = client.call("dispatch.run", {})
    assert result["assignments"] == [{"workorder_id": job["id"], "technician_id": "T-out"}]
    client.close()
