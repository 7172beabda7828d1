"""Contracts over real sockets: the installed base and its coverage by date,
the catalogue, contracts sold, renewed, cancelled with their pro-rata refund
and expired once, the customer's consent followed from complaints, bad input
and roles. Every reply and event is checked against schemas/."""
from datetime import date, timedelta

import pytest

import harness
from harness import wait_until
from test_complaints import events  # every stored event of a service, by events.replay

DAY_MS = 86400 * 1000
TODAY = date.today()


def day(offset):
    """The day offset days from today, as the wire writes it."""
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def contracts(start_service):
    def start(**env):
        settings = {"SHR_TEST_CLOCK": "1", "CONTRACTS_SCAN_MS": "50"}
        settings.update(env)
        return start_service("contracts", env=settings)
    return start


def asset(client, serial="SN-1", model="AC-300", customer="C-1", installed="2025-03-01",
          ends="2027-02-28", parts=True, labour=True):
    return client.call("asset.register", {
        "serial": serial, "model": model, "customer_id": customer, "installed_on": installed,
        "warranty": {"ends_on": ends, "parts": parts, "labour": labour}})


def warranty_offering(client, oid="EW-AC300-24", **extra):
    body = {"id": oid, "kind": "extended_warranty", "name": "AC-300 two more years",
            "model": "AC-300", "term_months": 24, "cost_cents": 20000, "price_cents": 36500}
    body.update(extra)
    return client.call("offering.upsert", body)


def test_coverage_by_date_across_the_manufacturers_warranty_then_an_extended_one(contracts):
    client = contracts().client()
    unit = asset(client)
    assert unit["id"] == "AS-000001" and unit["covered_until"] == "2027-02-28"
    assert unit["warranty"] == {"ends_on": "2027-02-28", "parts": True, "labour": True}
    warranty_offering(client)
    sold = client.call("contract.create", {"customer_id": "C-1", "asset_id": unit["id"],
                                           "offering_id": "EW-AC300-24",
                                           "starts_on": "2027-03-01"})
    # The term: 24 months from 1 March 2027, its last day 28 February 2029. The price is
    # the quote's: the configured cost (no repair history) and 30 % margin.
    assert (sold["starts_on"], sold["ends_on"], sold["price_cents"], sold["status"]) == (
        "2027-03-01", "2029-02-28", 26000, "active")
    assert sold["cost_basis_cents"] == 20000 and sold["kind"] == "extended_warranty"

    def cover(on):
        got = client.call("asset.get", {"id": unit["id"], "on": on})
        assert got["on"] == on
        return got["covered_by"], [(c["kind"], c["ends_on"]) for c in got["covers"]]
    assert cover("2025-02-28") == ("none", [])
    assert cover("2025-03-01") == ("manufacturer", [("manufacturer", "2027-02-28")])
    assert cover("2027-02-28") == ("manufacturer", [("manufacturer", "2027-02-28")])
    assert cover("2027-03-01") == ("extended_warranty", [("extended_warranty", "2029-02-28")])
    assert cover("2029-02-28") == ("extended_warranty", [("extended_warranty", "2029-02-28")])
    assert cover("2029-03-01") == ("none", [])
    by_serial = client.call("asset.get", {"serial": "SN-1", "on": "2028-01-01"})
    assert by_serial["asset"]["covered_until"] == "2029-02-28"
    assert [(p["kind"], p["contract_id"], p["starts_on"], p["ends_on"], p["in_warranty"])
            for p in by_serial["periods"]] == [
        ("manufacturer", None, "2025-03-01", "2027-02-28", True),
        ("extended_warranty", sold["id"], "2027-03-01", "2029-02-28", True)]
    # Without a day: today's answer.
    today = client.call("asset.get", {"id": unit["id"]})
    assert today["on"] == date.today().isoformat() or today["on"] == (
        date.today() + timedelta(days=1)).isoformat()

    found = events(client)
    assert [e["type"] for e in found] == ["asset.registered", "offering.updated",
                                          "asset.coverage_changed", "contract.sold"]
    changed = found[2]["data"]
    assert changed["because"] == sold["id"] and changed["covered_until"] == "2029-02-28"
    assert len(changed["periods"]) == 2
    assert found[3]["data"]["revenue_cents"] == 26000
    assert found[3]["data"]["cost_basis_cents"] == 20000


def test_a_cancellation_refunds_pro_rata_and_ends_the_cover(contracts):
    client = contracts().client()
    unit = asset(client)
    warranty_offering(client, term_months=12, price_cents=36500)
    sold = client.call("contract.create", {"customer_id": "C-1", "asset_id": unit["id"],
                                           "offering_id": "EW-AC300-24",
                                           "starts_on": "2027-03-01", "price_cents": 36500})
    assert sold["ends_on"] == "2028-02-29"  # 366 days: 2028 is a leap year
    # Cancelled on its 100th day: 266 of 366 days left, 36,500 x 266 / 366 = 26,527.3 -> 26,527.
    cancelled = client.call("contract.cancel", {"id": sold["id"], "on": "2027-06-08"})
    assert (cancelled["status"], cancelled["cancelled_on"], cancelled["refund_cents"]) == (
        "cancelled", "2027-06-08", 26527)
    got = client.call("asset.get", {"id": unit["id"], "on": "2027-06-09"})
    assert got["covered_by"] == "none" and got["asset"]["covered_until"] == "2027-06-08"
    assert client.call("asset.get", {"id": unit["id"], "on": "2027-06-08"})[
        "covered_by"] == "extended_warranty"
    error = client.error("contract.cancel", {"id": sold["id"]})
    assert error["code"] == "failed_precondition" and "cancelled" in error["message"]
    cancel_events = events(client, {"contract.cancelled"})
    assert [e["data"]["refund_cents"] for e in cancel_events] == [26527]
    # Cancelled before it starts: everything back; never ran, so no cover at all.
    early = client.call("contract.create", {"customer_id": "C-1", "asset_id": unit["id"],
                                            "offering_id": "EW-AC300-24",
                                            "starts_on": "2030-01-01", "price_cents": 36500})
    back = client.call("contract.cancel", {"id": early["id"], "on": "2029-12-01"})
    assert back["refund_cents"] == 36500
    assert [p["contract_id"] for p in client.call("asset.get", {"id": unit["id"]})[
        "periods"]] == [None, sold["id"]]
    # On its last day: nothing back.
    last = client.call("contract.create", {"customer_id": "C-1", "asset_id": unit["id"],
                                           "offering_id": "EW-AC300-24",
                                           "starts_on": "2031-01-01"})
    assert client.call("contract.cancel", {"id": last["id"], "on": last["ends_on"]})[
        "refund_cents"] == 0


def test_renewal_and_expiry_announced_once(contracts):
    service = contracts()
    client = service.client()
    unit = asset(client)
    warranty_offering(client, term_months=12)
    today = date.today()
    start = today - timedelta(days=400)
    old = client.call("contract.create", {
        "customer_id": "C-1", "asset_id": unit["id"], "offering_id": "EW-AC300-24",
        "starts_on": start.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()})
    wait_until(lambda: client.call("contract.get", {"id": old["id"]})["status"] == "expired",
               what="the expiry clock")
    renewed = client.call("contract.renew", {"id": old["id"], "price_cents": 30000})
    assert renewed["renewal_of"] == old["id"] and renewed["starts_on"] == today.isoformat()
    assert renewed["price_cents"] == 30000 and renewed["status"] == "active"
    assert client.call("contract.get", {"id": old["id"]})["renewed_by"] == renewed["id"]
    error = client.error("contract.renew", {"id": old["id"]})
    assert error["code"] == "failed_precondition" and renewed["id"] in error["message"]
    # A restart and a day later: the old one is not announced again.
    service.stop()
    service.start()
    client = service.client()
    client.call("test.clock.advance", {"by_ms": 2 * DAY_MS})
    wait_until(lambda: len(events(client, {"contract.expired"})) == 1, what="one expiry")
    expired = events(client, {"contract.expired"})
    assert expired[0]["key"] == old["id"] and expired[0]["actor"] == "contracts"
    assert [e["data"]["revenue_cents"] for e in events(client, {"contract.renewed"})] == [30000]
    listed = client.call("contract.list", {"asset_id": unit["id"]})["items"]
    assert [c["id"] for c in listed] == [old["id"], renewed["id"]]
    assert [c["id"] for c in client.call("contract.list", {"status": "active"})["items"]] == [
        renewed["id"]]


def test_bad_input_is_refused_naming_the_field(contracts):
    client = contracts().client()
    unit = asset(client)
    warranty_offering(client)
    client.call("offering.upsert", {"id": "INST", "kind": "installation", "name": "Install",
                                    "cost_cents": 8000, "price_cents": 15000})
    base = {"customer_id": "C-1", "asset_id": unit["id"], "offering_id": "EW-AC300-24",
            "starts_on": "2027-03-01"}

    def refused(op, body, code, field):
        error = client.error(op, body)
        assert (error["code"], error.get("field")) == (code, field), error
        return error["message"]
    message = refused("contract.create", dict(base, ends_on="2027-02-01"), "invalid_argument",
                      "/body/ends_on")
    assert "2027-02-01" in message and "2027-03-01" in message
    refused("contract.create", dict(base, asset_id="AS-999999"), "not_found", "/body/asset_id")
    refused("contract.create", dict(base, price_cents=-1), "invalid_argument",
            "/body/price_cents")
    refused("contract.create", dict(base, starts_on="2027-02-30"), "invalid_argument",
            "/body/starts_on")
    refused("contract.create", dict(base, offering_id="NOPE"), "not_found", "/body/offering_id")
    refused("contract.create", dict(base, customer_id="C-2"), "invalid_argument",
            "/body/customer_id")
    refused("contract.create", {k: v for k, v in base.items() if k != "asset_id"},
            "invalid_argument", "/body/asset_id")
    refused("contract.create", {"customer_id": "C-1", "offering_id": "INST",
                                "starts_on": "2027-03-01"},
            "invalid_argument", "/body/ends_on")
    refused("asset.register", {"serial": "SN-1", "model": "AC-300", "customer_id": "C-1",
                               "installed_on": "2025-03-01",
                               "warranty": {"ends_on": "2027-02-28", "parts": True,
                                            "labour": True}}, "already_exists", "/body/serial")
    refused("asset.register", {"serial": "SN-2", "model": "AC-300", "customer_id": "C-1",
                               "installed_on": "2025-03-01",
                               "warranty": {"ends_on": "2025-02-28", "parts": True,
                                            "labour": True}},
            "invalid_argument", "/body/warranty/ends_on")
    refused("asset.get", {"id": "AS-999999"}, "not_found", "/body/id")
    refused("asset.get", {}, "invalid_argument", "/body/id")
    refused("offering.upsert", {"id": "EW-X", "kind": "extended_warranty", "name": "x",
                                "term_months": 12, "cost_cents": 1, "price_cents": 2},
            "invalid_argument", "/body/model")
    refused("offering.upsert", {"id": "INST", "kind": "consulting", "name": "x",
                                "cost_cents": 1, "price_cents": 2},
            "failed_precondition", "/body/kind")
    refused("offering.upsert", {"id": "EW-Y", "kind": "extended_warranty", "name": "x",
                                "model": "AC-300", "term_months": 12, "cost_cents": 1,
                                "price_cents": -5}, "invalid_argument", "/body/price_cents")
    # A contract without an asset where it does not need one, with its own end.
    done = client.call("contract.create", {"customer_id": "C-1", "offering_id": "INST",
                                           "starts_on": "2027-03-01", "ends_on": "2027-03-01"})
    assert done["asset_id"] is None and done["kind"] == "installation"


def test_consent_followed_from_complaints_and_roles(start_service):
    complaints = start_service("complaints")
    service = start_service("contracts")
    complaints_client = complaints.client()
    complaints_client.call("customer.upsert", {"id": "C-1", "name": "Wang Fang",
                                               "region": "north", "consent": True})
    wait_until(lambda: service.query("SELECT consent FROM customer WHERE id = 'C-1'") == [(1,)],
               what="the consent in contracts")
    client = service.client()
    health = client.call("sys.health")
    assert health["status"] == "ok", health
    seller = service.client(key=harness.new_key("contracts-seller", "agent"))
    reader = service.client(key=harness.new_key("contracts-viewer", "reader"))
    unit = asset(seller)
    error = seller.error("offering.upsert", {"id": "INST", "kind": "installation", "name": "x",
                                             "cost_cents": 1, "price_cents": 2})
    assert error["code"] == "permission_denied" and "offering.upsert" in error["message"]
    assert reader.call("asset.get", {"id": unit["id"]})["asset"]["serial"] == "SN-1"
    assert reader.error("asset.register", {"serial": "SN-9", "model": "M", "customer_id": "C-1",
                                           "installed_on": "2025-03-01",
                                           "warranty": {"ends_on": "2025-03-01",
                                                        "parts": True, "labour": False}})[
        "code"] == "permission_denied"
    registered = events(client, {"asset.registered"})
    assert registered[0]["actor"] == "contracts-seller"
