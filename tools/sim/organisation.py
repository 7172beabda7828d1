"""The demo organisation, loaded through the public ops: technicians, the
complaint team, customers with their air conditioners and warranties, the
value-added catalogue, parts in a warehouse per region, and suppliers with
their price lists. What the world is like beyond the services (how reliable a
supplier is, what a part sells for) is kept here, in the returned Org."""
import datetime

REGIONS = ("north", "south", "east", "west", "central")
SKILLS = ("hvac", "electrical", "plumbing")
MODEL = "AC-300"
PARTS = 30
# id, name, price factor on a part's cost, lead days, and the world's truth the
# platform only learns from receipts: chance on time, days late otherwise, rejects.
SUPPLIERS = (
    ("S-1", "Dongfang Parts", 0.88, 5, 0.70, (2, 8), 0.05),
    ("S-2", "Huaxin Supply", 0.95, 4, 0.95, (1, 3), 0.01),
    ("S-3", "City Dealer", 1.30, 2, 0.90, (1, 3), 0.02),
    ("S-4", "Budget Trading", 0.80, 6, 0.35, (5, 20), 0.30),
)


class Org:
    """What the simulator knows of the organisation and its world."""

    def __init__(self):
        self.staff = {}        # technician id: (region, {skill: level})
        self.customers = []    # (id, region)
        self.parts = {}        # sku: (cost cents, list price cents, popularity)
        self.suppliers = {}    # id: (on-time chance, (late min, max), reject rate, skus)
        self.assets = {}       # customer id: their air conditioner's asset id


def organise(p, rng, technicians, customers):
    org = Org()
    d, crm, co, inv, pro = (p.c[n] for n in
                            ("dispatch", "complaints", "contracts", "inventory", "procurement"))
    now = co.call("sys.ping")["ts"]
    today = datetime.date.fromisoformat(now[:10])
    for n in range(technicians):
        # Some technicians have a second skill; then every region gets every skill.
        region = REGIONS[n % len(REGIONS)]
        first = SKILLS[n // len(REGIONS) % len(SKILLS)]
        skills = [first] + ([rng.choice([s for s in SKILLS if s != first])]
                            if rng.random() < 0.5 else [])
        org.staff["T-%03d" % (n + 1)] = (region, {s: rng.randint(2, 5) for s in skills})
    for region in REGIONS:
        team = [levels for r, levels in org.staff.values() if r == region]
        for skill in SKILLS:
            if team and not any(skill in levels for levels in team):
                rng.choice(team)[skill] = rng.randint(2, 5)
    for n, (tid, (region, levels)) in enumerate(sorted(org.staff.items())):
        d.call("technician.upsert", {
            "id": tid, "name": "Technician %d" % (n + 1), "region": region,
            "skills": [{"skill": s, "level": level} for s, level in levels.items()],
            "hourly_cost_cents": rng.randrange(4000, 8001, 100), "max_jobs": 8})
    for hid, level in (("A-1", "agent"), ("A-2", "agent"), ("A-3", "agent"),
                       ("S-1", "supervisor"), ("M-1", "manager")):
        crm.call("handler.upsert", {"id": hid, "name": hid, "level": level, "categories": [
            "service_quality", "repair_delay", "billing", "parts", "staff_attitude",
            "product_quality", "other"]})
    for n in range(customers):
        cid, region, consents = "C-%05d" % (n + 1), REGIONS[n % len(REGIONS)], rng.random() < 0.6
        crm.call("customer.upsert", {
            "id": cid, "name": "Customer %d" % (n + 1), "region": region, "consent": consents,
            "contacts": [{"channel": "phone", "value": "+86 10 %08d" % (n + 1)}]})
        org.customers.append((cid, region))
    _catalogue(co)
    # Each customer's air conditioner, its two-year warranty ending some time in
    # the year or after (dispatch learns every cover and decides an order's
    # warranty from its serial).
    for n in range(customers):
        installed = today - datetime.timedelta(days=rng.randint(300, 720))
        cid = "C-%05d" % (n + 1)
        org.assets[cid] = co.call("asset.register", {
            "serial": serial(n + 1), "model": MODEL, "customer_id": cid,
            "installed_on": installed.isoformat(), "warranty": {
                "ends_on": (installed + datetime.timedelta(days=730)).isoformat(),
                "parts": True, "labour": True}})["id"]
    _parts(org, inv, rng)
    _suppliers(org, pro, rng, now)
    return org


def serial(n):
    return "SN-%05d" % n


def _catalogue(co):
    co.call("offering.upsert", {"id": "EW-AC300-12", "kind": "extended_warranty",
                                "name": "AC-300, one more year", "model": MODEL,
                                "term_months": 12, "cost_cents": 20000, "price_cents": 36500,
                                "competitor_price_cents": 39000, "band_bp": 1500})
    co.call("offering.upsert", {"id": "MP-AC300", "kind": "maintenance_plan",
                                "name": "AC-300 care: two visits a year", "model": MODEL,
                                "term_months": 12, "visits_per_year": 2, "cost_cents": 18000,
                                "price_cents": 48000, "target_margin_bp": 6000})
    co.call("offering.upsert", {"id": "UP-SMART", "kind": "upgrade",
                                "name": "AC-300 smart control, fitted", "model": MODEL,
                                "cost_cents": 30000, "price_cents": 88000,
                                "competitor_price_cents": 95000, "band_bp": 1000})
    co.call("offering.upsert", {"id": "INST-AC", "kind": "installation",
                                "name": "installation and commissioning", "cost_cents": 25000,
                                "price_cents": 60000, "competitor_price_cents": 65000,
                                "band_bp": 1500})
    co.call("offering.upsert", {"id": "CONS-AC", "kind": "consulting",
                                "name": "an engineer's advice on site", "cost_cents": 15000,
                                "price_cents": 40000})
    co.call("offering.upsert", {"id": "RENT-AC", "kind": "rental",
                                "name": "a portable air conditioner, per day",
                                "cost_cents": 1500, "price_cents": 4500, "target_margin_bp": 20000})


def _parts(org, inv, rng):
    for region in REGIONS:
        inv.call("warehouse.upsert", {"id": "W-" + region, "name": region.title() + " store",
                                      "regions": [region]})
    for n in range(1, PARTS + 1):
        sku = "P-%02d" % n
        cost = rng.randrange(2000, 30001, 100)
        # Few parts are most of the demand (1/n^0.8).
        org.parts[sku] = (cost, cost * 8 // 5, 1 / n ** 0.8)
        inv.call("part.upsert", {"sku": sku, "name": "AC-300 part %d" % n, "unit": "pcs",
                                 "category": "AC-300"})
    # The opening count: one or a few of each in every store, no reorder points
    # (the plan's first months order when a job is already waiting).
    for sku, (cost, _, weight) in org.parts.items():
        for region in REGIONS:
            inv.call("stock.adjust", {"sku": sku, "warehouse_id": "W-" + region,
                                      "counted": 1 + int(4 * weight), "reason": "opening count",
                                      "unit_cost_cents": cost})


def _suppliers(org, pro, rng, now):
    for sid, name, factor, lead, on_time, late, rejects in SUPPLIERS:
        pro.call("supplier.upsert", {"id": sid, "name": name, "lead_time_days": lead})
        # The local dealer has everything; the others most of it.
        skus = [s for s in org.parts if sid == "S-3" or rng.random() < 0.8]
        for sku in skus:
            price = int(org.parts[sku][0] * factor)
            pro.call("supplier.price.set", {"supplier_id": sid, "sku": sku, "valid_from": now,
                                            "breaks": [{"min_qty": 1, "unit_price_cents": price},
                                                       {"min_qty": 10,
                                                        "unit_price_cents": price * 95 // 100}]})
        org.suppliers[sid] = (on_time, late, rejects, skus)
