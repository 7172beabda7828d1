"""Services that consume each other's events, started wired together.

Inventory, procurement and dispatch follow one another's events, so each
must know where the others are before it starts: every Service gets its
ports first, then each one's environment names its peers' endpoints, then
they start. A restart keeps the ports, so peers find a restarted service
where it was (their consumers ask again until it answers).
"""
import pytest

import harness


@pytest.fixture
def peers(tmp_path):
    """start(names, env={name: {...}}) -> {name: Service}, wired to each other;
    every one stopped at the end, each of which must exit cleanly."""
    started = []

    def start(names, env=None):
        env = env or {}
        services = {name: harness.Service(name, name, str(tmp_path), env=env.get(name))
                    for name in names}
        for service in services.values():
            for other in services.values():
                key = other.name.upper()
                service.env[key + "_API"], service.env[key + "_EVENTS"] = other.api, other.events
        for service in services.values():
            started.append(service)
            service.start()
        return services

    yield start
    harness.stop_all(started)


def events(client, types=None, source_from=1):
    """Every stored event of a service (all pages), optionally of some types."""
    found, seq = [], source_from
    while True:
        page = client.call("events.replay", {"from_seq": seq, "limit": 1000})
        found += page["events"]
        if not page["events"] or page["events"][-1]["seq"] >= page["last_seq"]:
            break
        seq = page["events"][-1]["seq"] + 1
    for event in found:
        harness.CONTRACT.validate("events/%s.json" % event["type"], event["data"])
    return [e for e in found if types is None or e["type"] in types]


def ledger(client, **filters):
    """Every ledger entry matching the filters, all pages."""
    entries, cursor = [], None
    while True:
        body = dict(filters, limit=1000)
        if cursor:
            body["cursor"] = cursor
        page = client.call("stock.ledger", body)
        entries += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return entries
