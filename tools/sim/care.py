"""Customers' feedback and the complaint team.

The world's part: a customer whose job was late or who scored it low may
complain a few days later; now and then anyone writes in (billing, a
technician's manner, the product, a suggestion, praise, a question), by the
channel they prefer. The organisation's part: the complaint team works its
cases (acknowledge, investigate, resolve, the customer confirms, stays silent
or reopens); in months 1-3 only the phone and the front desk take feedback, so
whoever prefers another channel calls to complain and keeps the rest to
themselves; from month 4 every channel is open, and the team makes the
follow-up calls complaints schedules after each job: an unhappy customer
heard before they complain is often put right, and one the platform never
reached may complain. Who handles a case, its deadlines and escalations, when
a follow-up is due and which low survey score opens a recovery case are the
services' decisions."""
from sim.platform import HOUR, DAY

CHANNELS = ("phone", "walk_in", "wechat", "online_chat", "email", "web", "forum")
TODAY = ("phone", "walk_in")           # the channels of months 1-3
# Unprompted feedback per customer and day, by kind and category.
WRITES_IN = 0.0008
FEEDBACK = (("complaint", "billing", 0.20), ("complaint", "staff_attitude", 0.15),
            ("complaint", "product_quality", 0.15), ("suggestion", "other", 0.2),
            ("praise", "service_quality", 0.15), ("inquiry", "other", 0.15))
SEVERITY = ("low", "medium", "medium", "high")


class Care:
    def __init__(self, p, rng, org):
        self.crm, self.rng, self.org = p.c["complaints"], rng, org
        self.grievances = []   # (when, customer, work order, category)
        self.cases = {}        # complaint id: when its handler resolves it
        self.answers = {}      # resolved complaint id: (when, "confirm" | "reopen" | None)
        self.n = 0
        self.heard = 0

    def after_job(self, now, customer, wid, late, score, parts_wait):
        """A customer may hold the job against us: late, scored low, waited for parts."""
        chance = (0.30 if late else 0) + (0.15 if score is not None and score <= 5 else 0) + (
            0.10 if parts_wait else 0)
        if self.rng.random() < chance:
            category = "repair_delay" if late else "parts" if parts_wait else "service_quality"
            self.grievances.append((now + self.rng.randint(1, 4) * DAY, customer, wid, category))

    def tick(self, phase, now, step):
        """The grievances due now, and the feedback written in the last step (ms)."""
        due = [g for g in self.grievances if g[0] <= now]
        self.grievances = [g for g in self.grievances if g[0] > now]
        for _, customer, wid, category in due:
            self._write(phase, customer, "complaint", category, wid)
        for _ in range(self._poisson(len(self.org.customers) * WRITES_IN * step / DAY)):
            kind, category = self._pick_feedback()
            self._write(phase, self.rng.choice(self.org.customers)[0], kind, category, None)

    def _pick_feedback(self):
        r, acc = self.rng.random(), 0
        for kind, category, share in FEEDBACK:
            acc += share
            if r < acc:
                return kind, category
        return FEEDBACK[-1][:2]

    def _poisson(self, mean):
        n, total = 0, self.rng.expovariate(1)
        while total < mean:
            n += 1
            total += self.rng.expovariate(1)
        return n

    def _write(self, phase, customer, kind, category, wid):
        channel = self.rng.choice(CHANNELS)
        if phase == 1 and channel not in TODAY:
            if kind != "complaint":
                return                 # no channel for it: kept to themselves
            channel = "phone"
        self.n += 1
        body = {"customer_id": customer, "kind": kind, "channel": channel,
                "channel_ref": "demo-%d" % self.n, "category": category,
                "severity": self.rng.choice(SEVERITY), "text": "demo feedback"}
        if wid:
            body["workorder_id"] = wid
        self.crm.call("complaint.create", body)

    def team(self, phase, now):
        """The team's round (every few hours): each open case one step on."""
        for case in self.crm.pages("complaint.list", {"open": True}):
            cid, status = case["id"], case["status"]
            if status == "received":
                self.crm.call("complaint.acknowledge", {"id": cid})
            elif status in ("acknowledged", "reopened"):
                self.crm.call("complaint.investigate", {"id": cid})
                self.cases[cid] = now + self.rng.randint(4, 72) * HOUR
            elif status == "investigating" and self.cases.get(cid, 0) <= now:
                self.cases.pop(cid, None)
                body = {"id": cid, "resolution": "put right"}
                if case["category"] == "billing":
                    body["compensation_cents"] = 5000
                self.crm.call("complaint.resolve", body)
                r = self.rng.random()
                self.answers[cid] = (now + self.rng.randint(6, 48) * HOUR,
                                     "confirm" if r < 0.7 else "reopen" if r < 0.78 else None)
        for cid, (when, answer) in list(self.answers.items()):
            if when > now:
                continue
            del self.answers[cid]
            if answer == "confirm":
                self.crm.call("complaint.confirm", {"id": cid})
                if phase >= 2:
                    self._survey(cid)
            elif answer == "reopen":
                self.crm.call("complaint.reopen", {"id": cid, "reason": "not put right"})

    def _survey(self, cid):
        for survey in self.crm.pages("survey.list", {"complaint_id": cid, "status": "open"}):
            score = max(0, min(10, round(self.rng.gauss(7.8, 1.3))))
            self.crm.call("survey.answer", {"id": survey["id"], "score": score})

    def follow_ups(self, now):
        """From month 4: the day's follow-up calls. Returns the customers who
        were reached and are content."""
        upset, content = {g[1]: g for g in self.grievances}, []
        for fu in self.crm.pages("followup.list", {"status": "scheduled", "due": True}):
            if self.rng.random() < 0.2:
                self.crm.call("followup.unreachable", {"id": fu["id"]})
                continue
            grievance = upset.get(fu["customer_id"])
            outcome = "dissatisfied" if grievance else self.rng.choice(
                ("satisfied", "satisfied", "satisfied", "neutral"))
            self.crm.call("followup.complete", {"id": fu["id"], "outcome": outcome})
            self.heard += 1
            if outcome == "satisfied":
                content.append(fu["customer_id"])
            if grievance and self.rng.random() < 0.6:   # put right on the call
                self.grievances.remove(grievance)
                del upset[fu["customer_id"]]
        return content
