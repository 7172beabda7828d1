"""Parts: what a job needs, how the stores buy, and how suppliers deliver.

The world's part: a repair needs a part about half the time (the popular ones
most), and each supplier delivers on time, late or with rejects as its nature
(organisation.SUPPLIERS) says; the platform learns that only from receipts.
The organisation's part, by phase: in months 1-3 a store clerk buys by hand
when a job already waits for a part, from whichever supplier has it (the
plan's "scattered channels"); from month 4 inventory's reorder points (auto,
from demand and lead time) raise requisitions and procurement's daily run
picks the supplier by price, on-time delivery and quality, its scorecard
blocking the very poor ones. Which supplier, how much and when is then the
services' decision."""
import datetime

from sim.platform import Refused

NEEDS = {"repair": 0.55, "maintenance": 0.25, "inspection": 0.10}


class Stockroom:
    def __init__(self, p, rng, org):
        self.inv, self.pro = p.c["inventory"], p.c["procurement"]
        self.rng, self.org = rng, org
        self.arrives = {}      # PO id: the day it comes (the supplier's nature)
        self.policies = False
        self.received = self.rejected = 0
        skus = list(org.parts)
        self.skus, self.weights = skus, [org.parts[s][2] for s in skus]

    def needs(self, kind):
        """The parts a job turns out to need on site ([] for none)."""
        if self.rng.random() >= NEEDS.get(kind, 0):
            return []
        sku = self.rng.choices(self.skus, self.weights)[0]
        return [{"part_id": sku, "qty": self.rng.choice((1, 1, 1, 2))}]

    def used(self, needs):
        """The completion's parts_used: each at its list price and cost."""
        return [{"part_id": n["part_id"], "qty": n["qty"],
                 "unit_price_cents": self.org.parts[n["part_id"]][1],
                 "unit_cost_cents": self.org.parts[n["part_id"]][0]} for n in needs]

    def parts_in(self, wid):
        """True once inventory holds everything the order needs."""
        try:
            return self.inv.call("reservation.get", {"workorder_id": wid})["complete"]
        except Refused as refused:
            if refused.code == "not_found":   # inventory has not read the diagnosis yet
                return False
            raise

    def waiting(self, d):
        """The orders dispatch holds in waiting_parts (it resumes each by itself
        when inventory has filled its back-orders): one list, not a call per job."""
        return {o["id"] for o in d.pages("workorder.list", {"status": ["waiting_parts"]})}

    def day(self, phase, today):
        if phase == 1:
            self._buy_by_hand()
        else:
            if not self.policies:
                self._reorder_points()
            self.pro.call("procurement.run")
            # The manager's round: orders over the approval limit wait for it.
            for po in list(self.pro.pages("po.list", {"status": "draft"})):
                self.pro.call("po.approve", {"id": po["id"]})
        self._deliver(today)

    def _buy_by_hand(self):
        """The clerk's round: a part a job waits for and nobody has ordered."""
        for stock in self.inv.pages("stock.list", {}):
            if stock["backordered"] > 0 and stock["on_order"] == 0:
                offering = [s for s, (_, _, _, skus) in self.org.suppliers.items()
                            if stock["sku"] in skus]
                qty = stock["backordered"] + self.rng.randint(1, 4)
                self.pro.call("po.create", {
                    "supplier_id": self.rng.choice(offering), "warehouse_id": stock["warehouse_id"],
                    "lines": [{"sku": stock["sku"], "qty": qty}]})

    def _reorder_points(self):
        """Month 4: the plan's inventory system, a reorder point per store."""
        stores = [w["id"] for w in self.inv.call("warehouse.list")["items"]]
        for sku in self.org.parts:
            self.inv.call("part.upsert", {"sku": sku, "name": "AC-300 part " + sku[2:],
                                          "policies": [{"warehouse_id": store, "kind": "auto",
                                                        "lead_time_days": 7, "cover_days": 30}
                                                       for store in stores]})
        self.policies = True

    def _deliver(self, today):
        for summary in self.pro.pages("po.list", {"status": "approved"}):
            po = summary["id"]
            if po not in self.arrives:
                on_time, late, _, _ = self.org.suppliers[summary["supplier_id"]]
                promised = datetime.date.fromisoformat(summary["promised_at"][:10])
                self.arrives[po] = promised + datetime.timedelta(
                    days=0 if self.rng.random() < on_time else self.rng.randint(*late))
            if self.arrives[po] <= today:
                self._receive(po, summary["supplier_id"])

    def _receive(self, po, supplier):
        reject_rate = self.org.suppliers[supplier][2]
        lines = []
        for line in self.pro.call("po.get", {"id": po})["lines"]:
            qty = line["qty"] - line["accepted"] - line["rejected"]
            bad = sum(self.rng.random() < reject_rate for _ in range(qty))
            lines.append({"sku": line["sku"], "accepted": qty - bad, "rejected": bad})
            self.received += qty - bad
            self.rejected += bad
        self.pro.call("po.receive", {"id": po, "lines": lines})
