#!/usr/bin/python3
"""demo - the plan's year, simulated: make demo.

Starts the platform natively in a fresh data folder with the test clock (so a
simulated year passes in about a minute), loads a demo organisation (regions,
technicians with skills and costs, customers, a complaint team) and drives a
year of work orders through the services' public ops only, then prints the KPI
report of phase 4 against phase 1 with targets, and the profit breakdown, and
stops every process it started.

The simulator models the world: when orders arrive and of what type, how long
a repair takes (longer when the technician's skill does not match), how the
customer scores it (lower when it was late), whether they complain or reject
the work, whether they buy an extended warranty they are offered. The year follows the plan's phases: months 1-3 run as the
organisation works today (dispatch by hand: the desk picks any technician of
the region; half the customers give no score); from month 4 the service
assigns by skill and load (dispatch's policy) and every acceptance asks for a
score, and contracts offers extended warranties before covers end (its
campaign, its prices); the value-added share of the work orders grows phase by
phase as the plan's promotion would have it, and repairs get quicker as its
training takes effect (both assumptions about the world, not decisions). Every decision about an order is made by the
services; none is written into the simulator's numbers.

Deterministic for a given --seed, but for the few milliseconds of real time
between requests that the services' clocks also count.

Usage: tools/demo.py BIN_DIR [--seed N] [--orders N] [--technicians N] [--customers N]
                    [--tick-hours N]
"""
import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import zmq
import zmq.auth

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SERVICES = ("dispatch", "complaints", "inventory", "procurement", "contracts", "analytics")
CLOCKED = ("dispatch", "complaints", "contracts")
BASE_PORT = 7300       # demo ports: 7301/7302 dispatch, 7311/7312 complaints, ...
HOUR = 3600 * 1000
DAY = 24 * HOUR
REGIONS = ("north", "south", "east", "west", "central")
SKILLS = ("hvac", "electrical", "plumbing")
VALUE_ADDED = ("installation", "upgrade", "consulting")
# Per phase: share of value-added orders, hours a matching repair takes.
PHASES = {1: (0.12, 10), 2: (0.20, 8), 3: (0.28, 7), 4: (0.35, 6)}
TAKES_OFFER = 0.35     # a customer offered an extended warranty buys it this often


class Client:
    def __init__(self, context, endpoint, server_key, client_key):
        self.sock = context.socket(zmq.REQ)
        self.sock.curve_publickey, self.sock.curve_secretkey = client_key
        self.sock.curve_serverkey = server_key
        self.sock.rcvtimeo = 10000
        self.sock.connect(endpoint)
        self.n = 0

    def call(self, op, body=None):
        self.n += 1
        self.sock.send_json({"v": 1, "id": "d%d" % self.n, "op": op, "body": body or {}})
        reply = self.sock.recv_json()
        if not reply["ok"]:
            raise RuntimeError("%s: %s" % (op, reply["error"]))
        return reply["body"]


class Platform:
    def __init__(self, bin_dir, work):
        self.bin_dir, self.work, self.procs = bin_dir, work, []
        self.keys = os.path.join(work, "keys")
        subprocess.run([os.path.join(bin_dir, "asctl"), "keys", "init", "--dir", self.keys],
                       check=True, capture_output=True)
        # CONTRACTS_CAMPAIGN_MS: the offer campaign runs when the year says (phase 2 on).
        self.env = dict(os.environ, KEYS_DIR=self.keys, SHR_TEST_CLOCK="1", SHR_SYNC="normal",
                        CONTRACTS_CAMPAIGN_MS="86400000",
                        LOG_LEVEL="warn", DATA_DIR=os.path.join(work, "data"),
                        SHR_KEY=os.path.join(self.keys, "clients", "admin.key_secret"))
        for i, name in enumerate(SERVICES):
            key = name.upper()
            port = BASE_PORT + 10 * i + 1
            self.env[key + "_API"] = "tcp://127.0.0.1:%d" % port
            self.env[key + "_EVENTS"] = "tcp://127.0.0.1:%d" % (port + 1)
        self.context = zmq.Context()
        self.admin = zmq.auth.load_certificate(self.env["SHR_KEY"])

    def start(self):
        log = open(os.path.join(self.work, "services.log"), "ab")
        for name in SERVICES:
            self.procs.append(subprocess.Popen([os.path.join(self.bin_dir, name)], env=self.env,
                                               cwd=ROOT, stdout=log, stderr=log))
        self.c = {name: self.client(name) for name in SERVICES}
        for name in SERVICES:
            for _ in range(100):
                try:
                    self.c[name].sock.rcvtimeo = 200
                    self.c[name].call("sys.ping")
                    break
                except (zmq.Again, RuntimeError):
                    self.c[name].sock.close(0)
                    self.c[name] = self.client(name)
            self.c[name].sock.rcvtimeo = 10000

    def client(self, name):
        server = zmq.auth.load_certificate(os.path.join(self.keys, name + ".key"))[0]
        return Client(self.context, self.env[name.upper() + "_API"], server, self.admin)

    def advance(self, ms):
        for name in CLOCKED:
            self.c[name].call("test.clock.advance", {"by_ms": ms})

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(30)

    def ctl(self, *args):
        out = subprocess.run([os.path.join(self.bin_dir, "asctl")] + list(args), env=self.env,
                             capture_output=True, text=True)
        return out.stdout + out.stderr


def ms(text):
    when = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(when.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def organise(p, rng, technicians, customers):
    d, crm = p.c["dispatch"], p.c["complaints"]
    staff = {}
    for n in range(technicians):
        region = REGIONS[n % len(REGIONS)]
        skills = rng.sample(SKILLS, rng.choice((1, 2)))
        tid = "T-%03d" % (n + 1)
        d.call("technician.upsert", {
            "id": tid, "name": "Technician %d" % (n + 1), "region": region,
            "skills": [{"skill": s, "level": rng.randint(2, 5)} for s in skills],
            "hourly_cost_cents": rng.randrange(4000, 8001, 100), "max_jobs": 8})
        staff[tid] = (region, skills)
    for hid, level in (("A-1", "agent"), ("A-2", "agent"), ("A-3", "agent"),
                       ("S-1", "supervisor"), ("M-1", "manager")):
        crm.call("handler.upsert", {"id": hid, "name": hid, "level": level, "categories": [
            "service_quality", "repair_delay", "billing", "parts", "staff_attitude", "other"]})
    for n in range(customers):
        crm.call("customer.upsert", {"id": "C-%05d" % (n + 1), "name": "Customer %d" % (n + 1),
                                     "region": REGIONS[n % len(REGIONS)],
                                     "consent": rng.random() < 0.6})
    # Each customer's air conditioner, its two-year warranty ending some time in
    # the year or after; and the extended warranty contracts can sell for it.
    co = p.c["contracts"]
    today = datetime.date.fromisoformat(co.call("sys.ping")["ts"][:10])
    co.call("offering.upsert", {"id": "EW-AC300-12", "kind": "extended_warranty",
                                "name": "AC-300, one more year", "model": "AC-300",
                                "term_months": 12, "cost_cents": 20000, "price_cents": 36500})
    for n in range(customers):
        installed = today - datetime.timedelta(days=rng.randint(300, 720))
        co.call("asset.register", {
            "serial": "SN-%05d" % (n + 1), "model": "AC-300", "customer_id": "C-%05d" % (n + 1),
            "installed_on": installed.isoformat(), "warranty": {
                "ends_on": (installed + datetime.timedelta(days=730)).isoformat(),
                "parts": True, "labour": True}})
    return staff


def offer_warranties(co, rng):
    """From phase 2 on, the plan's value-added promotion: contracts offers an
    extended warranty to every consenting customer whose cover ends soon (its
    campaign, its quoted price); the customer buys or not. Returns how many
    bought."""
    co.call("offer.campaign.run")
    bought, cursor = 0, None
    while True:
        body = {"status": "made", "limit": 200}
        if cursor:
            body["cursor"] = cursor
        page = co.call("offer.list", body)
        for offer in page["items"]:
            if rng.random() < TAKES_OFFER:
                co.call("offer.accept", {"id": offer["id"]})
                bought += 1
            else:
                co.call("offer.decline", {"id": offer["id"], "reason": "not now"})
        cursor = page["next_cursor"]
        if not cursor:
            return bought


def assign(d, wid, pick):
    """Assigns wid to pick, or lets the service choose (also when pick is
    full); the technician, or None when nobody can take it now."""
    for body in ({"id": wid, "technician_id": pick}, {"id": wid}) if pick else ({"id": wid},):
        try:
            return d.call("workorder.assign", body)["technician_id"]
        except RuntimeError:
            continue
    return None


def begin(d, rng, staff, wid, tech, skill, phase, now, kind, reported):
    """Starts the work; it takes longer when the technician lacks the skill."""
    d.call("workorder.start", {"id": wid})
    hours = PHASES[phase][1] * (1 if skill in staff[tech][1] else 1.8)
    took = int(rng.expovariate(1 / hours) * HOUR)
    return (now + max(TICK, took), wid, phase, tech, kind, skill, reported)


def year(p, rng, staff, orders, customers, progress, tick_hours):
    global TICK
    TICK = tick_hours * HOUR   # the simulation's step
    d, crm, co = p.c["dispatch"], p.c["complaints"], p.c["contracts"]
    start = ms(d.call("sys.ping")["ts"])
    sold = 0
    per_tick = orders / (365 * DAY / TICK)
    open_orders = []   # (done_at_ms, id, phase, technician matched)
    made = completed = 0
    carry = 0.0
    now = start
    phase_days = {}
    for tick in range(int(365 * DAY / TICK)):
        day = tick * TICK // DAY
        phase = min(4, day // 91 + 1)
        phase_days.setdefault(phase, [now, now])[1] = now
        va_share, hours = PHASES[phase]
        hour = (tick * TICK // HOUR) % 24
        if phase >= 2 and hour == 0:
            sold += offer_warranties(co, rng)
        # Busier in working hours (10 of them at 1.6, 14 at 0.57: 1 on average).
        carry += per_tick * (1.6 if 8 <= hour < 18 else 0.57) if tick_hours < 24 else per_tick
        while carry >= 1:
            carry -= 1
            made += 1
            region = rng.choice(REGIONS)
            skill = rng.choice(SKILLS)
            kind = rng.choice(VALUE_ADDED) if rng.random() < va_share else rng.choice(
                ("repair", "repair", "maintenance", "inspection"))
            wid = d.call("workorder.create", {
                "customer_id": "C-%05d" % rng.randint(1, customers), "type": kind,
                "priority": rng.choice(("normal", "normal", "high", "low")),
                "channel": rng.choice(("phone", "wechat", "web")), "region": region,
                "description": "demo", "required_skill": skill,
                "in_warranty": kind == "repair" and rng.random() < 0.3})["id"]
            # Months 1-3 by hand: the desk picks anyone of the region; then the
            # service's policy (skill, level, load) picks.
            pick = rng.choice([t for t, (r, _) in staff.items() if r == region])
            tech = assign(d, wid, pick if phase == 1 else None)
            if tech is None:   # nobody free: the order waits
                open_orders.append((now + TICK, wid, phase, None, kind, skill, now))
                continue
            open_orders.append(begin(d, rng, staff, wid, tech, skill, phase, now, kind, now))
        p.advance(TICK)
        now += TICK
        due = [o for o in open_orders if o[0] <= now]
        open_orders = [o for o in open_orders if o[0] > now]
        for _, wid, ph, tech, kind, skill, reported in due:
            if tech is None:   # nobody was free: try again
                tech = assign(d, wid, None)
                open_orders.append(begin(d, rng, staff, wid, tech, skill, ph, now, kind, reported)
                                   if tech else (now + TICK, wid, ph, None, kind, skill, reported))
                continue
            minutes = rng.randint(30, 240)
            fees = 5000 if kind in VALUE_ADDED else 0
            done = d.call("workorder.complete", {
                "id": wid, "labour_minutes": minutes, "fees_cents": fees,
                "parts_used": [{"part_id": "P-%d" % rng.randint(1, 30), "qty": 1,
                                "unit_price_cents": 8000, "unit_cost_cents": 5000}]
                if rng.random() < 0.5 else []})
            completed += 1
            late = done["overdue"]
            if rng.random() < (0.10 if ph == 1 else 0.04):
                d.call("workorder.reject", {"id": wid, "reason": "not fixed"})
                continue
            # The customer's mood: the longer the wait, the lower; late, lower still.
            waited = (now - reported) / HOUR
            score = max(0, min(10, round(rng.gauss(9.4 - waited / 10 - (2.5 if late else 0), 1.2))))
            if ph == 1 and rng.random() < 0.5:
                d.call("workorder.accept", {"id": wid})   # no score asked
            else:
                d.call("workorder.accept", {"id": wid, "customer_score": score})
            if late and rng.random() < 0.25:
                crm.call("complaint.create", {
                    "customer_id": done["customer_id"], "kind": "complaint",
                    "channel": rng.choice(("phone", "email", "wechat", "web")),
                    "category": "repair_delay", "severity": "medium",
                    "text": "took too long", "workorder_id": wid})
        if tick % (720 // tick_hours) == 0:
            progress("day %3d (phase %d): %6d orders made, %6d completed, %d warranties sold" % (
                day, phase, made, completed, sold))
    return start, phase_days, made, completed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bin_dir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--technicians", type=int, default=50)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--tick-hours", type=int, default=2, choices=(1, 2, 3, 4, 6, 8, 12, 24),
                        help="the simulation's step (default 2)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="aftersales-demo-")
    began = time.time()
    say = lambda text: print("demo: %s (%.0f s)" % (text, time.time() - began), flush=True)
    p = Platform(os.path.abspath(args.bin_dir), work)
    try:
        p.start()
        say("platform started in %s" % work)
        staff = organise(p, rng, args.technicians, args.customers)
        say("%d technicians, %d customers, a complaint team" % (len(staff), args.customers))
        start, phases, made, completed = year(p, rng, staff, args.orders, args.customers, say,
                                              args.tick_hours)
        say("the year is over: %d orders, %d completed" % (made, completed))
        p.c["analytics"].call("kpi.targets.set", {"targets": [
            {"kpi": "avg_repair_time", "target": 20}, {"kpi": "on_time_rate", "target": 85},
            {"kpi": "complaint_rate", "target": 30}, {"kpi": "satisfaction_score", "target": 8},
            {"kpi": "labour_cost_growth", "target": 10}, {"kpi": "profit_growth", "target": 10},
            {"kpi": "value_added_share", "target": 30}]})
        last = {n: p.c[n].call("events.replay", {"from_seq": 1, "limit": 1})["last_seq"]
                for n in CLOCKED}
        while not all(c["applied_seq"] >= last.get(c["source"], 0)
                      for c in p.c["analytics"].call("sys.health")["consumers"]):
            time.sleep(0.2)
        time.sleep(0.3)
        day = lambda t: datetime.datetime.utcfromtimestamp(t / 1000).strftime("%Y-%m-%d")
        print()
        print(p.ctl("kpi", "--from", day(phases[4][0]), "--to", day(phases[4][1]),
                    "--baseline-from", day(phases[1][0]), "--baseline-to", day(phases[1][1])))
        print(p.ctl("profit", "--by", "type", "--from", day(start), "--to", day(phases[4][1])))
        say("done")
    finally:
        p.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
