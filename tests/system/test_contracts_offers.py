"""Contracts' pricing, rentals and offers over real sockets, with dispatch and
complaints running: a quote whose cost basis comes from dispatch's completed
in-warranty orders, checked against each term worked by hand; a rental
returned late and one returned early; an offer campaign run twice (and on its
timer) making each offer once, an offer accepted into a contract that changes
the coverage, one declined. Every reply and event is checked against schemas/."""
import pytest

from harness import wait_until
from peers import peers  # noqa: F401  (a fixture: dispatch and contracts follow each other)
from test_contracts import asset, day, events


@pytest.fixture
def platform(peers):
    """dispatch, complaints with a consenting C-1 and a C-2 who does not, and contracts."""
    def start(**env):
        settings = {"SHR_TEST_CLOCK": "1", "CONTRACTS_CAMPAIGN_MS": "3600000"}
        settings.update(env)
        started = peers(("dispatch", "complaints", "contracts"), env={"contracts": settings})
        dispatch, complaints, contracts = (started[name] for name in (
            "dispatch", "complaints", "contracts"))
        people = complaints.client()
        for cid, consent in (("C-1", True), ("C-2", False)):
            people.call("customer.upsert", {"id": cid, "name": "Customer " + cid,
                                            "region": "north", "consent": consent})
        wait_until(lambda: contracts.query("SELECT count (*) FROM customer")[0][0] == 2,
                   what="contracts has both customers' consent")
        return dispatch, contracts
    return start


def repair(desk, model, in_warranty):
    """A work order on a product of model, completed: labour 9,000 and parts 6,000 at cost."""
    wid = desk.call("workorder.create", {
        "customer_id": "C-1", "type": "repair", "priority": "high", "channel": "phone",
        "region": "north", "description": "not cooling", "required_skill": "hvac",
        "product_model": model, "product_serial": "SN-R-" + model,
        "in_warranty": in_warranty})["id"]
    desk.call("workorder.assign", {"id": wid, "technician_id": "T-1"})
    desk.call("workorder.start", {"id": wid})
    desk.call("workorder.complete", {"id": wid, "labour_minutes": 90, "parts_used": [
        {"part_id": "P-9", "qty": 2, "unit_price_cents": 5000, "unit_cost_cents": 3000}]})
    return wid


def test_a_quote_from_the_repair_history_term_by_term(platform):
    dispatch, service = platform()
    desk, client = dispatch.client(), service.client()
    desk.call("technician.upsert", {"id": "T-1", "name": "Li", "region": "north",
                                    "skills": [{"skill": "hvac", "level": 3}],
                                    "hourly_cost_cents": 6000, "max_jobs": 10})
    for model, in_warranty in (("AC-300", True), ("AC-300", True), ("AC-300", False),
                               ("FR-1", True)):
        repair(desk, model, in_warranty)
    # Three AC-300 under warranty today: 366 + 101 + 701 days from installation to today.
    asset(client, "SN-A", installed=day(-365), ends=day(365))
    asset(client, "SN-B", installed=day(-100), ends=day(900))
    due = asset(client, "SN-C", installed=day(-700), ends=day(30))
    client.call("offering.upsert", {
        "id": "EW-AC300-24", "kind": "extended_warranty", "name": "AC-300 two more years",
        "model": "AC-300", "term_months": 24, "cost_cents": 20000, "price_cents": 25000,
        "competitor_price_cents": 18000, "target_margin_bp": 3000, "band_bp": 1500,
        "uptake_target_bp": 2000, "demand_discount_bp": 1000})
    in_history = "SELECT count (*) FROM repair WHERE model = 'AC-300'"
    wait_until(lambda: service.query(in_history)[0][0] == 2,
               what="the two in-warranty AC-300 repairs in contracts' history")
    # One offer made and declined over the period: uptake 0, under the 20 % target.
    made = client.call("offer.campaign.run", {})
    assert made["offers_made"] == 1 and made["within_days"] == 60
    offer = client.call("offer.list", {"asset_id": due["id"]})["items"][0]
    client.call("offer.decline", {"id": offer["id"], "reason": "not now"})

    quote = client.call("offering.quote", {"offering_id": "EW-AC300-24", "asset_id": due["id"],
                                           "customer_id": "C-1"})
    repair_cost = 2 * (90 * 6000 // 60 + 2 * 3000)           # 30,000: labour and parts at cost
    unit_days = 366 + 101 + 701                              # 1,168
    per_unit_year = (repair_cost * 365 + unit_days // 2) // unit_days   # 9,375
    cost_basis = (per_unit_year * 24 + 6) // 12              # 18,750 for 24 months
    with_margin = (cost_basis * 13000 + 5000) // 10000       # 24,375 at 30 %
    after_demand = (with_margin * 9000 + 5000) // 10000      # 21,938: 10 % off, uptake under target
    low, high = 18000 * 8500 // 10000, 18000 * 11500 // 10000  # 15,300 - 20,700 around 18,000
    assert (repair_cost, unit_days, per_unit_year, cost_basis, with_margin, after_demand) == (
        30000, 1168, 9375, 18750, 24375, 21938)
    assert quote["cost_source"] == "history"
    assert quote["history"] == {"orders": 2, "repair_cost_cents": repair_cost,
                                "unit_days": unit_days, "per_unit_year_cents": per_unit_year}
    assert (quote["term_months"], quote["cost_basis_cents"], quote["target_margin_bp"],
            quote["with_margin_cents"]) == (24, cost_basis, 3000, with_margin)
    assert (quote["uptake_offers"], quote["uptake_accepted"], quote["uptake_bp"],
            quote["uptake_target_bp"], quote["demand_discount_bp"],
            quote["after_demand_cents"]) == (1, 0, 0, 2000, 1000, after_demand)
    assert (quote["competitor_price_cents"], quote["band_bp"], quote["band_low_cents"],
            quote["band_high_cents"]) == (18000, 1500, low, high)
    assert quote["price_cents"] == high == 20700      # kept within the band
    assert quote["model"] == "AC-300" and quote["asset_id"] == due["id"]
    # The offer was priced the same way before its uptake counted: no demand step then.
    assert offer["cost_basis_cents"] == cost_basis and offer["price_cents"] == 20700

    # Without history: the configured cost; no offers, no step; no competitor, no band.
    client.call("offering.upsert", {"id": "INST", "kind": "installation", "name": "Install",
                                    "cost_cents": 8000, "price_cents": 12000})
    plain = client.call("offering.quote", {"offering_id": "INST"})
    assert (plain["cost_source"], plain["history"], plain["cost_basis_cents"],
            plain["with_margin_cents"], plain["uptake_bp"], plain["demand_discount_bp"],
            plain["band_low_cents"], plain["price_cents"]) == (
        "configured", None, 8000, 10400, None, 0, None, 10400)
    error = client.error("offering.quote", {"offering_id": "EW-AC300-24", "asset_id": due["id"],
                                            "customer_id": "C-2"})
    assert (error["code"], error["field"]) == ("invalid_argument", "/body/customer_id")
    # A sale without a price takes the quote's.
    sold = client.call("contract.create", {"customer_id": "C-1", "offering_id": "INST",
                                           "starts_on": day(3), "ends_on": day(3)})
    assert (sold["price_cents"], sold["cost_basis_cents"]) == (10400, 8000)


def test_rentals_returned_late_and_early(platform):
    _, service = platform(CONTRACTS_LATE_RATE_BP="15000")
    client = service.client()
    late = client.call("rental.start", {"item": "dehumidifier D-7", "customer_id": "C-1",
                                        "daily_rate_cents": 1000, "deposit_cents": 5000,
                                        "starts_on": day(-10), "due_on": day(-3)})
    assert (late["id"], late["status"], late["late_rate_bp"]) == ("RN-000001", "out", 15000)
    back = client.call("rental.return", {"id": late["id"]})
    # 10 days out, 3 of them late: 7 x 1,000 rent + 3 x 1,000 x 1.5 late = 11,500 against 5,000.
    assert (back["returned_on"], back["days"], back["late_days"], back["rent_cents"],
            back["late_fee_cents"], back["deposit_refund_cents"], back["balance_due_cents"]) == (
        day(0), 10, 3, 7000, 4500, 0, 6500)
    error = client.error("rental.return", {"id": late["id"]})
    assert error["code"] == "failed_precondition" and day(0) in error["message"]
    early = client.call("rental.start", {"item": "scaffold", "customer_id": "C-2",
                                         "daily_rate_cents": 1000, "deposit_cents": 5000,
                                         "due_on": day(5)})
    assert early["starts_on"] == day(0)
    came = client.call("rental.return", {"id": early["id"], "returned_on": day(2)})
    assert (came["days"], came["late_days"], came["rent_cents"], came["late_fee_cents"],
            came["deposit_refund_cents"], came["balance_due_cents"]) == (2, 0, 2000, 0, 3000, 0)
    returned = events(client, {"rental.returned"})
    assert [e["data"]["revenue_cents"] for e in returned] == [11500, 2000]
    assert [r["id"] for r in client.call("rental.list", {"status": "returned"})["items"]] == [
        late["id"], early["id"]]
    error = client.error("rental.start", {"item": "x", "customer_id": "C-1",
                                          "daily_rate_cents": 1, "deposit_cents": 0,
                                          "starts_on": day(0), "due_on": day(-1)})
    assert (error["code"], error["field"]) == ("invalid_argument", "/body/due_on")


def test_an_offer_campaign_run_twice_offers_once_and_an_accepted_offer_is_a_contract(platform):
    _, service = platform()
    client = service.client()
    client.call("offering.upsert", {
        "id": "EW-AC300-24", "kind": "extended_warranty", "name": "AC-300 two more years",
        "model": "AC-300", "term_months": 24, "cost_cents": 20000, "price_cents": 25000})
    soon = asset(client, "SN-1", installed=day(-700), ends=day(20))
    later = asset(client, "SN-2", installed=day(-700), ends=day(45))
    asset(client, "SN-3", installed=day(-700), ends=day(200))                 # not yet
    asset(client, "SN-4", customer="C-2", installed=day(-700), ends=day(10))  # no consent
    asset(client, "SN-5", model="FR-1", installed=day(-700), ends=day(10))    # nothing fits
    first = client.call("offer.campaign.run", {})
    assert (first["on"], first["within_days"], first["offers_made"]) == (day(0), 60, 2)
    again = client.call("offer.campaign.run", {})
    assert again["offers_made"] == 0
    offers = client.call("offer.list", {})["items"]
    assert [(o["asset_id"], o["cover_ends_on"], o["status"], o["price_cents"]) for o in offers] == [
        (soon["id"], day(20), "made", 26000), (later["id"], day(45), "made", 26000)]
    assert len(events(client, {"offer.made"})) == 2

    accepted = client.call("offer.accept", {"id": offers[0]["id"]})
    assert accepted["status"] == "accepted" and accepted["contract_id"]
    contract = client.call("contract.get", {"id": accepted["contract_id"]})
    assert (contract["offer_id"], contract["asset_id"], contract["starts_on"],
            contract["price_cents"], contract["kind"]) == (
        offers[0]["id"], soon["id"], day(21), 26000, "extended_warranty")
    covered = client.call("asset.get", {"id": soon["id"], "on": day(21)})
    assert covered["covered_by"] == "extended_warranty"
    assert covered["asset"]["covered_until"] == contract["ends_on"]
    changed = [e for e in events(client, {"asset.coverage_changed"}) if e["key"] == soon["id"]]
    assert changed[-1]["data"]["because"] == contract["id"]
    declined = client.call("offer.decline", {"id": offers[1]["id"], "reason": "too dear"})
    assert (declined["status"], declined["reason"]) == ("declined", "too dear")
    error = client.error("offer.accept", {"id": offers[1]["id"]})
    assert error["code"] == "failed_precondition" and "declined" in error["message"]
    assert [e["data"]["contract_id"] for e in events(client, {"offer.accepted"})] == [
        contract["id"]]
    # The accepted asset's cover now ends in two years; the declined one's cover is the same one.
    assert client.call("offer.campaign.run", {"within_days": 100})["offers_made"] == 0
    assert client.call("offer.campaign.run", {"within_days": 250})["offers_made"] == 1  # SN-3


def test_the_campaign_on_its_timer_offers_once_across_a_restart(platform):
    _, service = platform(CONTRACTS_CAMPAIGN_MS="50")
    client = service.client()
    client.call("offering.upsert", {
        "id": "EW-AC300-24", "kind": "extended_warranty", "name": "AC-300 two more years",
        "model": "AC-300", "term_months": 24, "cost_cents": 20000, "price_cents": 25000})
    asset(client, "SN-1", installed=day(-700), ends=day(20))
    wait_until(lambda: len(client.call("offer.list", {})["items"]) == 1, what="the timer's offer")
    service.stop()
    service.start()
    client = service.client()
    asset(client, "SN-2", installed=day(-700), ends=day(30))
    wait_until(lambda: len(client.call("offer.list", {})["items"]) == 2, what="the second offer")
    assert client.call("offer.campaign.run", {})["offers_made"] == 0
    made = events(client, {"offer.made"})
    assert len(made) == 2 and {e["actor"] for e in made} == {"contracts"}
