#!/usr/bin/python3
"""demo - the plan's year, simulated: make demo.

Starts the platform natively in a fresh data folder with the test clock (so a
simulated year passes in about two minutes), loads a demo organisation
(tools/sim/organisation.py: regions, technicians with skills and costs, a
complaint team, customers with their air conditioners and warranties, parts in
a store per region, suppliers with price lists, the value-added catalogue) and
drives a year of operations through the services' public ops only, then prints
the KPI report of phase 4 against phase 1 with targets, and the profit
breakdown, and stops every process it started.

The simulator models the world: when orders arrive and of what type, how long
a job takes (the more skilled the technician, the quicker), which parts
a job needs, how suppliers deliver (late, with rejects), how the customer
scores a job (lower when they waited, lower still when it was late), whether
they reject the work, complain, write in, answer a follow-up call, buy what
they are offered. The year follows the plan's phases: months 1-3 run as the
organisation works today (the desk assigns any technician of the region with
the skill; half the customers are never asked for a score; feedback only by
phone and at the desk; no follow-up calls; no reorder points, parts bought by
hand from any supplier once a job waits; installations, upgrades and advice
are work orders charged at dispatch's labour rate); from month 4 dispatch
assigns by skill, level and load, every acceptance asks for a score, every
channel is open, the team makes complaints' follow-up calls, inventory's
reorder points and procurement's supplier evaluation buy the parts, contracts'
catalogue sells the value-added services and its campaign offers extended
warranties before covers end; from month 7 dispatch plans the waiting orders
together (its optimiser), and care plans, upgrades and loan units are offered
too. Every decision about an order, a case, a purchase, an offer and its price
is the services'; none is written into the simulator's numbers.

Deterministic for a given --seed, but for the few milliseconds of real time
between requests that the services' timers also count.

Usage: tools/demo.py BIN_DIR [--seed N] [--orders N] [--technicians N] [--customers N]
                    [--tick-hours N]
"""
import argparse
import os
import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sim.platform import DAY, HOUR, Platform, Refused, day_of   # noqa: E402
from sim.organisation import MODEL, REGIONS, SKILLS, organise, serial   # noqa: E402
from sim.stockroom import Stockroom   # noqa: E402
from sim.care import Care   # noqa: E402
from sim.sales import Sales   # noqa: E402

VALUE_ADDED = ("installation", "upgrade", "consulting")
VALUE_ADDED_SHARE = 0.12   # of the orders customers ask for
# By the technician's level in the job's skill: its mean hours, and how often
# the customer rejects the work.
HOURS_AT_LEVEL = {2: 9, 3: 7.5, 4: 6, 5: 5}
REJECTED_AT_LEVEL = {2: 0.10, 3: 0.07, 4: 0.05, 5: 0.03}
# The services' timers run on real time: procurement's run and contracts'
# campaign are made on the demo's days (never by their timers); contracts'
# visits go to dispatch on the day they fall.
ENV = {"CONTRACTS_CAMPAIGN_MS": "86400000", "CONTRACTS_VISIT_LEAD_DAYS": "0",
       "CONTRACTS_ORDERS_MS": "100", "COMPLAINTS_FOLLOWUP_DELAY_S": "86400",
       "PROCUREMENT_RUN_MS": "86400000"}


class Job:
    """A work order as the world sees it."""

    def __init__(self, wid, customer, region, kind, skill, reported):
        self.wid, self.customer, self.region, self.kind = wid, customer, region, kind
        self.skill = skill
        self.reported = reported
        self.tech, self.level, self.due, self.needs, self.waited = None, 2, reported, [], False
        self.given = None      # a rework's parts, carried from the order it redoes


class Year:
    def __init__(self, p, rng, org, tick_hours, progress):
        self.p, self.rng, self.org, self.say = p, rng, org, progress
        self.d = p.c["dispatch"]
        self.stock, self.care, self.sales = Stockroom(p, rng, org), Care(p, rng, org), Sales(
            p, rng, org)
        self.tick = tick_hours * HOUR
        self.jobs, self.known = [], set()
        self.made = self.completed = 0

    def run(self, orders):
        start = now = self.p.now()
        per_tick, carry, phases = orders / (365 * DAY / self.tick), 0.0, {}
        for tick in range(int(365 * DAY / self.tick)):
            day, hour = tick * self.tick // DAY, (tick * self.tick // HOUR) % 24
            phase = min(4, day // 91 + 1)
            phases.setdefault(phase, [now, now])[1] = now
            today = day_of(now)
            if hour == 0:              # the day's rounds, whatever the step
                self._day(phase, now, today)
            # Busier in working hours (10 of them at 1.6, 14 at 0.57: 1 on average).
            carry += per_tick * (1.6 if 8 <= hour < 18 else 0.57) if self.tick < DAY else per_tick
            while carry >= 1:
                carry -= 1
                self._arrive(phase, now)
            if phase >= 3:
                self._plan(now)
            self.p.advance(self.tick)
            now += self.tick
            self.care.tick(phase, now, self.tick)
            if hour % 4 == 0:
                self.care.team(phase, now)
            self._work(phase, now, day_of(now))
            if tick % (720 * HOUR // self.tick) == 0:
                self._progress(day, phase)
        return start, phases

    def _day(self, phase, now, today):
        self.stock.day(phase, today)
        self._pick_up(phase, now)
        if phase >= 2:
            self.sales.campaign()
            for customer in self.care.follow_ups(now):
                if phase >= 3 and customer in self.org.assets:
                    self.sales.offer_upgrade(customer, today)

    def _progress(self, day, phase):
        self.say("day %3d (phase %d): %d orders, %d completed, %d unassigned, %d waiting for "
                 "parts; %d parts received; %d complaints and feedback; %d warranties, %d plans, "
                 "%d loans" % (
                     day, phase, self.made, self.completed,
                     sum(j.tech is None for j in self.jobs), sum(j.waited for j in self.jobs),
                     self.stock.received, self.care.n, self.sales.warranties, self.sales.plans,
                     self.sales.loans))

    def _arrive(self, phase, now):
        self.made += 1
        n = self.rng.randrange(len(self.org.customers))
        customer, region = self.org.customers[n]
        kind = self.rng.choice(VALUE_ADDED) if self.rng.random() < VALUE_ADDED_SHARE else \
            self.rng.choice(("repair", "repair", "maintenance", "inspection"))
        if kind in VALUE_ADDED and phase >= 2:
            # From month 4 the catalogue sells it, at contracts' price; its
            # job comes to dispatch as the contract's visit.
            self.sales.sell_service(kind, customer, day_of(now))
            return
        body = {"customer_id": customer, "type": kind,
                "priority": self.rng.choice(("normal", "normal", "high", "low")),
                "channel": self.rng.choice(("phone", "wechat", "web")), "region": region,
                "description": "demo", "required_skill": self.rng.choice(SKILLS),
                "product_model": MODEL, "product_serial": serial(n + 1)}
        if kind not in ("repair", "inspection"):
            body["in_warranty"] = False   # paid work; a repair's cover is dispatch's to know
        job = Job(self.d.call("workorder.create", body)["id"], customer, region, kind,
                  body["required_skill"], now)
        self.known.add(job.wid)
        self.jobs.append(job)
        if phase < 3:
            self._assign(job, now, by_hand_first=phase == 1)

    def _pick_up(self, phase, now):
        """Orders the services made (contracts' visits, dispatch's rework)."""
        for order in list(self.d.pages("workorder.list", {"status": ["reported"]})):
            if order["id"] not in self.known:
                job = self._adopt(order, now)
                if phase < 3:
                    self._assign(job, now, by_hand_first=phase == 1)

    def _adopt(self, order, now):
        job = Job(order["id"], order["customer_id"], order["region"], order["type"],
                  order.get("required_skill") or self.rng.choice(SKILLS), now)
        if order.get("rework_of"):
            parts = self.d.call("workorder.get", {"id": job.wid})["parts_needed"]
            job.given = [{"part_id": n["part_id"], "qty": n["qty"]} for n in parts]
        self.known.add(job.wid)
        self.jobs.append(job)
        return job

    def _assign(self, job, now, by_hand_first):
        """Months 1-3 by hand: the desk picks anyone of the region with the skill,
        whatever their level and load (the service when that one is full); then
        the service's policy (skill, level, load), and the desk only for what
        the service finds nobody for (a rework whose technician was the
        region's only one with the skill)."""
        choices = [{"id": job.wid}, self._by_hand(job)]
        for body in reversed(choices) if by_hand_first else choices:
            if body:
                try:
                    self._begin(job, self.d.call("workorder.assign", body)["technician_id"], now)
                    return
                except Refused:
                    continue

    def _by_hand(self, job):
        hand = [t for t, (r, levels) in self.org.staff.items()
                if r == job.region and job.skill in levels]
        return {"id": job.wid, "technician_id": self.rng.choice(hand)} if hand else None

    def _plan(self, now):
        """Months 7-12: dispatch's optimiser assigns every waiting order together,
        the services' own among them (contracts' visits, rework)."""
        waiting = {j.wid: j for j in self.jobs if j.tech is None}
        plan = self.d.call("dispatch.run")
        for a in plan["assignments"]:
            job = waiting.get(a["workorder_id"])
            if job is None:
                job = self._adopt(self.d.call("workorder.get", {"id": a["workorder_id"]}), now)
            self._begin(job, a["technician_id"], now)
        for w in plan["waiting"]:
            if w["reason"] == "no_skill" and w["workorder_id"] in waiting:
                self._assign(waiting[w["workorder_id"]], now, by_hand_first=True)

    def _begin(self, job, tech, now):
        """The technician starts and finds what parts it needs; the more skilled, the quicker."""
        job.tech = tech
        self.d.call("workorder.start", {"id": job.wid})
        if job.given is not None:
            job.needs = job.given
        else:
            job.needs = self.stock.needs(job.kind)
            if job.needs:
                self.d.call("workorder.diagnose", {"id": job.wid, "text": "on site",
                                                   "parts_needed": job.needs})
        job.level = self.org.staff[tech][1].get(job.skill, 2)
        hours = HOURS_AT_LEVEL[job.level]
        job.due = now + max(self.tick, int(self.rng.expovariate(1 / hours) * HOUR))

    def _work(self, phase, now, today):
        due = [j for j in self.jobs if j.due <= now]
        self.jobs = [j for j in self.jobs if j.due > now]
        held = self.stock.waiting(self.d) if any(j.waited for j in due) else set()
        for job in due:
            job.due = now + self.tick          # if it cannot be done now: the next step
            if job.tech is None:
                if phase < 3:
                    self._assign(job, now, by_hand_first=phase == 1)
                self.jobs.append(job)
                continue
            # Parts: asked of inventory once; then dispatch's waiting_parts says.
            if job.needs and (job.wid in held if job.waited else not self.stock.parts_in(job.wid)):
                job.waited = True
                if phase >= 3:
                    self.sales.offer_loan(job.wid, job.customer, today)
                self.jobs.append(job)
                continue
            try:
                done = self.d.call("workorder.complete", {
                    "id": job.wid, "labour_minutes": self.rng.randint(30, 240),
                    "parts_used": self.stock.used(job.needs)})
            except Refused as refused:         # not resumed yet: dispatch does it soon
                if refused.code != "failed_precondition":
                    raise
                job.waited = False             # ask inventory again next time
                self.jobs.append(job)
                continue
            self.completed += 1
            self._accept(job, done, phase, now, today)

    def _accept(self, job, done, phase, now, today):
        self.sales.job_done(job.wid, today)
        if self.rng.random() < REJECTED_AT_LEVEL[job.level]:
            self.d.call("workorder.reject", {"id": job.wid, "reason": "not fixed"})
            return
        # The customer's mood: the longer the wait, the lower; late, lower still.
        waited = (now - job.reported) / HOUR
        score = max(0, min(10, round(self.rng.gauss(
            9.4 - waited / 10 - (2.5 if done["overdue"] else 0), 1.2))))
        if phase == 1 and self.rng.random() < 0.5:
            self.d.call("workorder.accept", {"id": job.wid})   # no score asked
            score = None
        else:
            self.d.call("workorder.accept", {"id": job.wid, "customer_score": score})
        self.care.after_job(now, job.customer, job.wid, done["overdue"], score, job.waited)
        if phase >= 3 and job.kind in ("repair", "maintenance") and job.customer in self.org.assets:
            self.sales.offer_plan(job.customer, today)


TARGETS = [{"kpi": "avg_repair_time", "target": 20}, {"kpi": "on_time_rate", "target": 85},
           {"kpi": "complaint_rate", "target": 30}, {"kpi": "satisfaction_score", "target": 8},
           {"kpi": "parts_cost_reduction", "target": 10},
           {"kpi": "inventory_turnover", "target": 1},
           {"kpi": "labour_cost_growth", "target": 10}, {"kpi": "profit_growth", "target": 10},
           {"kpi": "value_added_share", "target": 30}]


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
    p = Platform(os.path.abspath(args.bin_dir), work, ENV)
    ok = False
    try:
        p.start()
        say("platform started in %s" % work)
        org = organise(p, rng, args.technicians, args.customers)
        say("%d technicians, %d customers, %d parts in %d stores, %d suppliers, a complaint team"
            % (len(org.staff), len(org.customers), len(org.parts), len(REGIONS),
               len(org.suppliers)))
        year = Year(p, rng, org, args.tick_hours, say)
        start, phases = year.run(args.orders)
        say("the year is over: %d orders, %d completed, %d parts received (%d rejected), "
            "%d follow-up calls answered, %d warranties, %d care plans, %d upgrades, %d loans" % (
                year.made, year.completed, year.stock.received, year.stock.rejected,
                year.care.heard, year.sales.warranties, year.sales.plans, year.sales.upgrades,
                year.sales.loans))
        p.c["analytics"].call("kpi.targets.set", {"targets": TARGETS})
        while not p.caught_up():
            time.sleep(0.2)
        time.sleep(0.3)
        day = lambda t: day_of(t).isoformat()
        print()
        print(p.ctl("kpi", "--from", day(phases[4][0]), "--to", day(phases[4][1]),
                    "--baseline-from", day(phases[1][0]), "--baseline-to", day(phases[1][1])))
        print(p.ctl("profit", "--by", "type", "--from", day(start), "--to", day(phases[4][1])))
        print(p.ctl("procurement", "supplier.scorecard"))
        say("done")
        ok = True
    finally:
        p.stop()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("demo: failed; the services' log is kept in %s" % os.path.join(
                work, "services.log"), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
