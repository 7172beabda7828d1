"""Analytics over contracts: what contracts sells (a contract, a renewal,
a cancellation's refund, a rental returned late) is value-added revenue
beside dispatch's installation, upgrade and consulting charges, and shows in
the profit breakdown under its kind. Each amount is the services' own reply;
the sums and the share are computed here."""
from datetime import date, timedelta

from harness import wait_until
from peers import peers  # noqa: F401  (peers is a fixture)
from test_analytics import kpis

SERVICES = ("dispatch", "contracts", "analytics")


def day(offset):
    return (date.today() + timedelta(days=offset)).isoformat()


def test_contract_sales_refunds_and_rentals_are_value_added_revenue(peers):  # noqa: F811
    services = peers(SERVICES)
    d, c, an = (services[name].client() for name in SERVICES)
    d.call("technician.upsert", {"id": "T-1", "name": "Li Wei", "region": "north",
                                 "skills": [{"skill": "hvac", "level": 3}],
                                 "hourly_cost_cents": 6000, "max_jobs": 10})
    charged = {}
    for type_, charge in (("repair", 10000), ("installation", 5000)):
        wid = d.call("workorder.create", {
            "customer_id": "C-1", "type": type_, "priority": "normal", "channel": "phone",
            "region": "north", "description": type_, "required_skill": "hvac"})["id"]
        d.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
        d.call("workorder.start", {"id": wid})
        done = d.call("workorder.complete", {"id": wid, "labour_minutes": 60,
                                             "labour_charge_cents": charge})
        charged[type_] = done["money"]
    c.call("asset.register", {"serial": "SN-1", "model": "AC-300", "customer_id": "C-1",
                              "installed_on": day(-400),
                              "warranty": {"ends_on": day(30), "parts": True, "labour": True}})
    c.call("offering.upsert", {"id": "EW-12", "kind": "extended_warranty", "name": "one more year",
                               "model": "AC-300", "term_months": 12, "cost_cents": 20000,
                               "price_cents": 36500})
    kept = c.call("contract.create", {"customer_id": "C-1", "asset_id": "AS-000001",
                                      "offering_id": "EW-12", "starts_on": day(31),
                                      "price_cents": 36500})
    renewed = c.call("contract.renew", {"id": kept["id"]})
    dropped = c.call("contract.create", {"customer_id": "C-1", "asset_id": "AS-000001",
                                         "offering_id": "EW-12", "starts_on": day(1200),
                                         "price_cents": 30000})
    refund = c.call("contract.cancel", {"id": dropped["id"], "on": day(1100)})["refund_cents"]
    assert refund == 30000  # cancelled before it began: all of it back
    c.call("rental.start", {"item": "dehumidifier", "customer_id": "C-1",
                            "daily_rate_cents": 1000, "deposit_cents": 5000,
                            "starts_on": day(-10), "due_on": day(-3)})
    rent = c.call("rental.return", {"id": "RN-000001"})
    rented = rent["rent_cents"] + rent["late_fee_cents"]
    assert rented == 11500  # 7 days and 3 late at 1.5 times

    warranties = kept["price_cents"] + renewed["price_cents"] + dropped["price_cents"] - refund
    orders = sum(m["total_charge_cents"] for m in charged.values())
    value_added = charged["installation"]["total_charge_cents"] + warranties + rented
    today = {"from": day(0), "to": day(0)}
    last = {name: services[name].client().call("events.replay", {"from_seq": 1, "limit": 1})[
        "last_seq"] for name in ("dispatch", "contracts")}

    def caught_up():
        return all(x["applied_seq"] >= last[x["source"]]
                   for x in an.call("sys.health")["consumers"] if x["source"] in last)
    wait_until(caught_up, timeout=30, what="analytics caught up with dispatch and contracts")

    def share():
        return kpis(an.call("kpi.report", today)["groups"][0])["value_added_share"]
    wait_until(lambda: share().get("value") == 100.0 * value_added / (orders + warranties + rented),
               timeout=10, what="the value-added share with contracts' sales")
    profit = {(i["group"], i["currency"]): i for i in an.call(
        "profit.breakdown", dict(today, by="type"))["items"]}
    ew, rental = profit[("extended_warranty", "CNY")], profit[("rental", "CNY")]
    assert (ew["revenue_cents"], ew["margin_cents"], ew["labour_cost_cents"]) == (
        warranties, warranties, 0)
    assert ew["jobs"] == 4  # two sales, a renewal, a refund
    assert (rental["revenue_cents"], rental["margin_cents"]) == (rented, rented)
    assert profit[("repair", "CNY")]["revenue_cents"] == charged["repair"]["total_charge_cents"]

    # kpi.explain pages through both kinds of facts, dispatch's completions and
    # contracts' amounts, by metric, day and arrival: a page of one at a time
    # gives what one page of all gives.
    body = dict(today, kpi="value_added_share")
    whole = an.call("kpi.explain", dict(body, limit=1000))
    assert whole["next_cursor"] is None
    paged, cursor = [], None
    while True:
        page = an.call("kpi.explain", dict(body, limit=1, **({"cursor": cursor} if cursor else {})))
        paged += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == whole["items"]
    sold = [kept["price_cents"], renewed["price_cents"], dropped["price_cents"], -refund, rented]
    assert sorted((f["metric"], f["source"], f["value"]) for f in paged) == sorted(
        [("revenue", "dispatch", m["total_charge_cents"]) for m in charged.values()]
        + [("va_revenue", "dispatch", charged["installation"]["total_charge_cents"])]
        + [(metric, "contracts", v) for metric in ("revenue", "va_revenue") for v in sold])
    assert [f["metric"] for f in paged] == sorted(f["metric"] for f in paged)
