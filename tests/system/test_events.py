"""Events that are never lost: outbox, publisher, consumer with checkpoints and replay."""
import json
import random
import threading
import time

import harness
from harness import Subscriber, Writer, wait_until


def applied_seqs(consumer):
    return [row[0] for row in consumer.query("SELECT seq FROM applied ORDER BY n")]


def outbox_seqs(producer):
    return [row[0] for row in producer.query("SELECT seq FROM shr_outbox ORDER BY seq")]


def start_pair(fixture_service, producer_env=None, consumer_env=None, start_consumer=True):
    producer = fixture_service("producer", env=producer_env)
    env = {"FIXTURE_FOLLOW": "producer", "PRODUCER_API": producer.api,
           "PRODUCER_EVENTS": producer.events}
    env.update(consumer_env or {})
    consumer = fixture_service("consumer", env=env) if start_consumer else None
    return producer, consumer


def consumer_caught_up(consumer, last_seq):
    client = consumer.client()
    try:
        return client.call("applied.stats")["last_seq"] >= last_seq
    finally:
        client.close()


def test_events_are_published_with_rising_seq_and_heartbeats(fixture_service):
    service = fixture_service(env={"HEARTBEAT_MS": "200"})
    sub = Subscriber(service.events)
    time.sleep(0.3)  # let the subscription reach the publisher
    client = service.client()
    for i in range(20):
        client.call("item.create", {"id": "e%d" % i, "value": i})
    client.call("item.update", {"id": "e0", "value": 9, "version": 1})
    client.call("item.close", {"id": "e0"})
    events = [sub.next() for _ in range(22)]
    assert [e["seq"] for e in events] == list(range(1, 23))
    assert [e["type"] for e in events[-3:]] == ["item.created", "item.updated", "item.closed"]
    assert events[0]["source"] == "fixture" and events[0]["key"] == "e0"
    assert events[-1]["data"] == {"id": "e0", "value": 9, "version": 2, "closed": True}
    heartbeat = sub.next(timeout=3, heartbeats=True)
    assert heartbeat["type"] == "sys.heartbeat" and heartbeat["last_seq"] == 22
    # A failed request publishes nothing.
    client.error("item.create", {"id": "e1", "value": 0})
    heartbeat = sub.next(timeout=3, heartbeats=True)
    assert heartbeat["last_seq"] == 22
    sub.close()
    client.close()


def test_replay_returns_stored_events_in_order(fixture_service):
    service = fixture_service()
    client = service.client()
    for i in range(250):
        client.call("item.create", {"id": "r%d" % i, "value": i})
    page = client.call("events.replay", {"from_seq": 1, "limit": 100})
    assert [e["seq"] for e in page["events"]] == list(range(1, 101))
    assert page["last_seq"] == 250
    for event in page["events"]:
        harness.CONTRACT.validate("events/%s.json" % event["type"], event["data"])
    page = client.call("events.replay", {"from_seq": 201, "limit": 1000})
    assert [e["seq"] for e in page["events"]] == list(range(201, 251))
    assert client.call("events.replay", {"from_seq": 251})["events"] == []
    assert client.call("events.replay", {"from_seq": 1})["events"][-1]["seq"] == 100  # default
    for body, field in (({"from_seq": 0}, "/body/from_seq"),
                        ({"from_seq": 1, "limit": 1001}, "/body/limit"),
                        ({}, "/body/from_seq")):
        error = client.error("events.replay", body)
        assert error["code"] == "invalid_argument" and error["field"] == field
    # The stored envelopes are the ones that were published, byte for byte.
    stored = service.query("SELECT envelope FROM shr_outbox WHERE seq = 7")[0][0]
    assert json.loads(stored) == client.call("events.replay", {"from_seq": 7, "limit": 1})[
        "events"][0]
    client.close()


def test_seq_continues_across_restarts(fixture_service):
    service = fixture_service()
    client = service.client()
    client.call("item.create", {"id": "a", "value": 1})
    client.close()
    service.stop()
    service.start()
    client = service.client()
    client.call("item.create", {"id": "b", "value": 1})
    assert outbox_seqs(service) == [1, 2]
    client.close()


def test_consumer_applies_each_event_once_in_order(fixture_service):
    producer, consumer = start_pair(fixture_service)
    client = producer.client()
    for i in range(300):
        client.call("item.create", {"id": "c%d" % i, "value": i})
    wait_until(lambda: consumer_caught_up(consumer, 300), what="consumer to apply 300 events")
    assert applied_seqs(consumer) == list(range(1, 301))
    health = consumer.client().call("sys.health")
    assert health["consumers"][0]["source"] == "producer"
    assert health["consumers"][0]["lag"] == 0 and health["consumers"][0]["state"] == "live"
    client.close()


def test_consumer_started_late_catches_up_on_ten_thousand_events(fixture_service):
    producer, _ = start_pair(fixture_service, start_consumer=False)
    Writer(producer.api, "late").write(10000)
    assert outbox_seqs(producer)[-1] == 10000
    env = {"FIXTURE_FOLLOW": "producer", "PRODUCER_API": producer.api,
           "PRODUCER_EVENTS": producer.events}
    consumer = fixture_service("consumer", env=env)
    wait_until(lambda: consumer_caught_up(consumer, 10000), timeout=60,
               what="late consumer to catch up")
    assert applied_seqs(consumer) == list(range(1, 10001))
    stats = consumer.client().call("sys.stats")
    assert stats["counters"]["events.replayed"] >= 10000
    # The operator sees the catch-up start and end in the log.
    messages = [r["msg"] for r in consumer.log_records()]
    assert "catching up on producer: 10000 events, from seq 1" in messages
    assert any(m.startswith("caught up with producer at seq 10000: 10000 events in ")
               for m in messages)


def test_slow_consumer_beyond_the_high_water_mark_ends_complete(fixture_service):
    # Small high-water marks and a slow apply: the PUB socket drops on the wire.
    producer, consumer = start_pair(
        fixture_service, producer_env={"EVENTS_HWM": "50"},
        consumer_env={"EVENTS_HWM": "50", "FIXTURE_APPLY_US": "300"})
    Writer(producer.api, "slow").write(8000)
    wait_until(lambda: consumer_caught_up(consumer, 8000), timeout=120,
               what="slow consumer to finish")
    assert applied_seqs(consumer) == list(range(1, 8001))
    stats = consumer.client().call("sys.stats")
    # It really lost events on the wire and fetched them again.
    assert stats["counters"].get("events.replayed", 0) > 0
    assert stats["counters"].get("events.replay_requests", 0) > 1


def test_consumer_killed_five_times_during_fifty_thousand_changes(fixture_service):
    producer, consumer = start_pair(fixture_service)
    writer = Writer(producer.api, "crash")
    done = threading.Event()
    failure = []

    def write():
        try:
            writer.write(50000)
        except Exception as e:  # noqa: BLE001 - reported below
            failure.append(e)
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    rng = random.Random(5)
    kills = 0
    while kills < 5 or not done.is_set():
        if done.wait(rng.uniform(0.3, 1.5)) and kills >= 5:
            break
        consumer.kill()
        kills += 1
        time.sleep(rng.uniform(0.0, 0.3))
        consumer.start()
    thread.join()
    assert not failure, failure
    assert kills >= 5
    last = outbox_seqs(producer)[-1]
    assert last == 50000
    wait_until(lambda: consumer_caught_up(consumer, last), timeout=120,
               what="consumer to catch up after the crashes")
    # The applied record equals the outbox exactly: same count, order, no gap or duplicate.
    assert applied_seqs(consumer) == outbox_seqs(producer)
    produced = producer.query("SELECT seq, type, key FROM shr_outbox ORDER BY seq")
    applied = consumer.query("SELECT seq, type, key FROM applied ORDER BY n")
    assert applied == produced


def test_producer_killed_five_times_loses_nothing(fixture_service):
    producer, consumer = start_pair(fixture_service)
    rng = random.Random(7)
    writers = []
    for round_ in range(6):
        writer = Writer(producer.api, "k%d" % round_, window=16)
        writers.append(writer)
        stop_at = time.time() + rng.uniform(0.3, 1.2)
        thread = threading.Thread(target=writer.write,
                                  kwargs={"count": 10 ** 9, "stop": lambda: time.time() > stop_at})
        thread.start()
        time.sleep(rng.uniform(0.1, 0.5))
        if round_ < 5:
            producer.kill()
        thread.join()
        if round_ < 5:
            producer.start()
        # After each restart: every committed change has exactly one event, no gap.
        rows, keys, seqs = producer.snapshot("SELECT id FROM item",
                                             "SELECT key FROM shr_outbox ORDER BY seq",
                                             "SELECT seq FROM shr_outbox ORDER BY seq")
        items = {row[0] for row in rows}
        assert sorted(k for (k,) in keys) == sorted(items)
        assert [s for (s,) in seqs] == list(range(1, len(keys) + 1))
        # No client got a success reply for a change that is not in the database.
        acked = {a for w in writers for a in w.acked}
        assert acked <= items, sorted(acked - items)[:5]
    assert sum(len(w.acked) for w in writers) > 100
    # The last writer stopped with requests in flight, which may commit after any
    # one read of the outbox: wait until the consumer has applied what it holds.
    wait_until(lambda: applied_seqs(consumer) == outbox_seqs(producer), timeout=60,
               what="consumer to follow the restarted producer")
    assert applied_seqs(consumer) == list(range(1, outbox_seqs(producer)[-1] + 1))
