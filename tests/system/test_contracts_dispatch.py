"""Coverage decides warranty in dispatch, with contracts, complaints and
dispatch running: dispatch keeps contracts' cover of each serial from its
events; an order on a covered serial is in warranty and charged nothing, one
on a serial whose cover has ended is charged in full, a caller's explicit flag
wins and is recorded as such; an offer accepted in contracts becomes the cover
that puts a later order in warranty. Every reply and event is checked against
schemas/."""
import pytest

from harness import wait_until
from peers import peers  # noqa: F401  (a fixture: dispatch and contracts follow each other)
from test_contracts import DAY_MS, asset, day


@pytest.fixture
def platform(peers):
    started = peers(("dispatch", "complaints", "contracts"),
                    env={"dispatch": {"SHR_TEST_CLOCK": "1"}})
    dispatch, contracts = started["dispatch"], started["contracts"]
    started["complaints"].client().call(
        "customer.upsert", {"id": "C-1", "name": "Wang Fang", "region": "north", "consent": True})
    wait_until(lambda: contracts.query("SELECT count (*) FROM customer")[0][0] == 1,
               what="the customer's consent in contracts")
    desk = dispatch.client()
    desk.call("technician.upsert", {"id": "T-1", "name": "Li", "region": "north",
                                    "skills": [{"skill": "hvac", "level": 3}],
                                    "hourly_cost_cents": 6000, "max_jobs": 50})
    return dispatch, contracts


def repaired(desk, serial=None, **extra):
    """An order on serial, completed: 90 minutes and two parts of 50.00 (30.00 at cost)."""
    body = {"customer_id": "C-1", "type": "repair", "priority": "high", "channel": "phone",
            "region": "north", "description": "not cooling", "required_skill": "hvac"}
    if serial:
        body.update(product_model="AC-300", product_serial=serial)
    body.update(extra)
    order = desk.call("workorder.create", body)
    desk.call("workorder.assign", {"id": order["id"], "technician_id": "T-1"})
    desk.call("workorder.start", {"id": order["id"]})
    done = desk.call("workorder.complete", {"id": order["id"], "labour_minutes": 90, "parts_used": [
        {"part_id": "P-9", "qty": 2, "unit_price_cents": 5000, "unit_cost_cents": 3000}]})
    return order, done


def covers(dispatch, serial):
    return dispatch.query("SELECT kind, starts_on, ends_on, in_warranty FROM coverage"
                          " WHERE serial = ? ORDER BY n", (serial,))


def test_a_covered_serial_is_charged_nothing_and_an_expired_one_in_full(platform):
    dispatch, service = platform
    desk, client = dispatch.client(), service.client()
    asset(client, "SN-COV", installed=day(-100), ends=day(300))
    asset(client, "SN-OLD", installed=day(-800), ends=day(-10))
    wait_until(lambda: covers(dispatch, "SN-OLD"), what="dispatch's copy of the coverage")
    assert covers(dispatch, "SN-COV") == [("manufacturer", day(-100), day(300), 1)]

    order, done = repaired(desk, "SN-COV")
    assert (order["in_warranty"], order["warranty_basis"]) == (True, "coverage")
    assert done["money"]["total_charge_cents"] == 0
    assert done["money"]["margin_cents"] == -(9000 + 6000)   # what the warranty costs
    order, done = repaired(desk, "SN-OLD")
    assert (order["in_warranty"], order["warranty_basis"]) == (False, "coverage")
    # 90 minutes at the labour rate of 120.00 an hour, and the parts at their price.
    assert done["money"]["total_charge_cents"] == 18000 + 10000
    # The caller's word wins either way, recorded as such.
    order, done = repaired(desk, "SN-OLD", in_warranty=True)
    assert (order["in_warranty"], order["warranty_basis"]) == (True, "caller")
    assert done["money"]["total_charge_cents"] == 0
    order, done = repaired(desk, "SN-COV", in_warranty=False)
    assert (order["in_warranty"], order["warranty_basis"]) == (False, "caller")
    assert done["money"]["total_charge_cents"] == 28000
    # No serial, no cover to go by: not in warranty.
    order, _ = repaired(desk)
    assert (order["in_warranty"], order["warranty_basis"]) == (False, "default")
    # A serial contracts does not know: not covered.
    order, _ = repaired(desk, "SN-UNKNOWN")
    assert (order["in_warranty"], order["warranty_basis"]) == (False, "coverage")
    # dispatch follows contracts: its consumer of contracts is live.
    def follows():
        return {c["source"]: c["state"] for c in desk.call("sys.health")["consumers"]}
    wait_until(lambda: follows().get("contracts") == "live", what="dispatch following contracts")


def test_an_accepted_offer_becomes_the_cover_that_puts_an_order_in_warranty(platform):
    dispatch, service = platform
    desk, client = dispatch.client(), service.client()
    client.call("offering.upsert", {
        "id": "EW-AC300-24", "kind": "extended_warranty", "name": "AC-300 two more years",
        "model": "AC-300", "term_months": 24, "cost_cents": 20000, "price_cents": 25000})
    asset(client, "SN-DUE", installed=day(-700), ends=day(20))
    assert client.call("offer.campaign.run", {})["offers_made"] == 1
    offer = client.call("offer.list", {})["items"][0]
    wait_until(lambda: covers(dispatch, "SN-DUE"), what="dispatch's copy of SN-DUE's cover")
    # A month on, before the offer is accepted: the manufacturer's cover has ended.
    desk.call("test.clock.advance", {"by_ms": 30 * DAY_MS})
    order, done = repaired(desk, "SN-DUE")
    assert order["in_warranty"] is False and done["money"]["total_charge_cents"] == 28000
    contract = client.call("contract.get", {"id": client.call(
        "offer.accept", {"id": offer["id"]})["contract_id"]})
    assert contract["starts_on"] == day(21)
    wait_until(lambda: len(covers(dispatch, "SN-DUE")) == 2, what="the new cover in dispatch")
    assert covers(dispatch, "SN-DUE")[1] == ("extended_warranty", day(21), contract["ends_on"], 1)
    order, done = repaired(desk, "SN-DUE")
    assert (order["in_warranty"], order["warranty_basis"]) == (True, "coverage")
    assert done["money"]["total_charge_cents"] == 0
    # Cancelled, the cover ends on that day: dispatch's copy follows.
    client.call("contract.cancel", {"id": contract["id"], "on": day(25)})
    wait_until(lambda: covers(dispatch, "SN-DUE")[1][2] == day(25), what="the cover cut short")
    order, _ = repaired(desk, "SN-DUE")
    assert order["in_warranty"] is False


def test_a_part_replaced_under_cover_is_covered_on_its_own(platform):
    """CONTRACTS_PART_COVER_DAYS (90 by default): the part a repair under cover
    replaced is covered from the repair's day, past the product's own cover;
    a repair out of cover covers nothing."""
    dispatch, service = platform
    desk, client = dispatch.client(), service.client()
    unit = asset(client, "SN-PART", installed=day(-300), ends=day(20))
    gone = asset(client, "SN-GONE", installed=day(-800), ends=day(-10))
    wait_until(lambda: covers(dispatch, "SN-GONE"), what="dispatch's copy of the coverage")
    covered, _ = repaired(desk, "SN-PART")
    assert covered["in_warranty"]
    charged, _ = repaired(desk, "SN-GONE")
    assert not charged["in_warranty"]
    last = desk.call("events.replay", {"from_seq": 1, "limit": 1})["last_seq"]
    wait_until(lambda: [c["applied_seq"] for c in client.call("sys.health")["consumers"]
                        if c["source"] == "dispatch"] >= [last], what="contracts applied dispatch's")

    def parts(asset_id, on):
        return client.call("asset.get", {"id": asset_id, "on": on})["parts_covered"]
    own = [{"part_id": "P-9", "covered_until": day(90), "workorder_id": covered["id"]}]
    assert parts(unit["id"], day(0)) == own and parts(unit["id"], day(90)) == own
    assert client.call("asset.get", {"id": unit["id"], "on": day(60)})["covered_by"] == "none"
    assert parts(unit["id"], day(91)) == []
    assert parts(gone["id"], day(0)) == []
    # A second repair under cover of the same part, on the same day: the cover stays.
    again, _ = repaired(desk, "SN-PART")
    last = desk.call("events.replay", {"from_seq": 1, "limit": 1})["last_seq"]
    wait_until(lambda: [c["applied_seq"] for c in client.call("sys.health")["consumers"]
                        if c["source"] == "dispatch"] >= [last], what="contracts applied dispatch's")
    assert parts(unit["id"], day(0)) == own
