"""What contracts sells, and who buys.

The organisation's part, by the plan's phases: from month 4 the catalogue
sells the installations, upgrades and advice customers ask for (before, the
desk made a work order charged at dispatch's labour rate), and contracts' own
campaign offers an extended warranty, at its quoted price, to every
consenting customer whose cover ends soon (the plan's first value-added
services and their promotion); from month 7 (more of them, promoted harder)
the technician offers the care plan after a job, the follow-up call offers a
content customer the smart-control upgrade, and the desk offers a loan unit
to a customer whose job waits for parts, each at contracts' quoted price.
The world's part: whether the customer buys. The care plan's visits and the
upgrade's job become work orders in dispatch by contracts' own timer."""
TAKES_OFFER = 0.35     # an extended warranty offered before the cover ends
TAKES_PLAN = 0.12      # the care plan, offered after a job
TAKES_LOAN = 0.5       # a loan unit while the job waits for parts
TAKES_UPGRADE = 0.06   # the smart-control upgrade, offered to a content customer
LOAN_DAYS = 7
SERVICES = {"installation": "INST-AC", "upgrade": "UP-SMART", "consulting": "CONS-AC"}


class Sales:
    def __init__(self, p, rng, org):
        self.co, self.rng, self.org = p.c["contracts"], rng, org
        self.warranties = self.plans = self.loans = self.upgrades = self.services = 0
        self.planned = set()   # customers with a care plan
        self.on_loan = {}      # work order id: rental id

    def campaign(self):
        """The day's offers: the customer buys or not."""
        self.co.call("offer.campaign.run")
        for offer in list(self.co.pages("offer.list", {"status": "made"})):
            if self.rng.random() < TAKES_OFFER:
                self.co.call("offer.accept", {"id": offer["id"]})
                self.warranties += 1
            else:
                self.co.call("offer.decline", {"id": offer["id"], "reason": "not now"})

    def offer_plan(self, customer, today):
        if customer in self.planned or self.rng.random() >= TAKES_PLAN:
            return
        # The price is contracts' quote; the customer takes it or leaves it.
        self.co.call("contract.create", {"customer_id": customer, "offering_id": "MP-AC300",
                                         "asset_id": self.org.assets[customer],
                                         "starts_on": today.isoformat()})
        self.planned.add(customer)
        self.plans += 1

    def sell_service(self, kind, customer, today):
        """A customer asks for an installation, an upgrade or advice: one day's job."""
        body = {"customer_id": customer, "offering_id": SERVICES[kind],
                "starts_on": today.isoformat(), "ends_on": today.isoformat()}
        if kind == "upgrade":
            body["asset_id"] = self.org.assets[customer]
        self.co.call("contract.create", body)
        self.services += 1

    def offer_upgrade(self, customer, today):
        if self.rng.random() < TAKES_UPGRADE:
            self.co.call("contract.create", {"customer_id": customer, "offering_id": "UP-SMART",
                                             "asset_id": self.org.assets[customer],
                                             "starts_on": today.isoformat(),
                                             "ends_on": today.isoformat()})   # one job
            self.upgrades += 1

    def offer_loan(self, wid, customer, today):
        if wid in self.on_loan:
            return
        self.on_loan[wid] = None           # offered once
        if self.rng.random() >= TAKES_LOAN:
            return
        rate = self.co.call("offering.quote", {"offering_id": "RENT-AC",
                                               "customer_id": customer})["price_cents"]
        due = today.fromordinal(today.toordinal() + LOAN_DAYS)
        self.on_loan[wid] = self.co.call("rental.start", {
            "item": "portable AC", "customer_id": customer, "offering_id": "RENT-AC",
            "daily_rate_cents": rate, "deposit_cents": rate * LOAN_DAYS,
            "starts_on": today.isoformat(), "due_on": due.isoformat()})["id"]
        self.loans += 1

    def job_done(self, wid, today):
        """The loan unit comes back when the job is done."""
        rental = self.on_loan.pop(wid, None)
        if rental:
            self.co.call("rental.return", {"id": rental, "returned_on": today.isoformat()})
