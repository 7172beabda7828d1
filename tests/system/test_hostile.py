"""Hostile input: 10,000+ malformed requests against a running service.

Every well-framed request gets an error reply that names the problem, the
process never dies, sys.health stays ok, and nothing in its database changes.
"""
import json
import os
import random

import pytest

import harness

SEED = int(os.environ.get("HOSTILE_SEED", "20261127"))
VALID = {"v": 1, "id": "h-1", "op": "item.create", "body": {"id": "x1", "value": 1}}


def malformed(rng):
    """Yields (frames, expected code, words the message must contain)."""
    valid = json.dumps(VALID)
    for _ in range(2500):  # random bytes
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))
        yield [b"", data], "invalid_argument", None
    for _ in range(2000):  # truncated JSON
        cut = rng.randint(1, len(valid) - 1)
        yield [b"", valid[:cut].encode()], "invalid_argument", "JSON"
    for value in ([], [1, 2], 0, -1.5, "text", None, True, False, [VALID]) * 50:
        yield [b"", json.dumps(value).encode()], "invalid_argument", "must be a JSON object"
    for _ in range(1500):  # wrong types in the envelope
        env = dict(VALID)
        key = rng.choice(["v", "id", "op", "idem", "body"])
        env[key] = rng.choice([[], {}, 3.5, -1, True, None, "", "x" * 200] if key != "body"
                              else [[], 3, "s", None, True])
        if key == "v" and env[key] == 1:
            env[key] = 2
        yield [b"", json.dumps(env).encode()], "invalid_argument", "/" + key
    for _ in range(1000):  # missing or wrong v or id
        env = dict(VALID)
        if rng.random() < 0.5:
            del env[rng.choice(["v", "id", "op"])]
            yield [b"", json.dumps(env).encode()], "invalid_argument", "required"
        else:
            env["v"] = rng.choice([0, 2, "1", 1.5, -1])
            yield [b"", json.dumps(env).encode()], "invalid_argument", "/v"
    for _ in range(1000):  # wrong types and values in the body
        body = {"id": rng.choice(["", "x" * 65, 5, None, "bad id!", []]),
                "value": rng.choice(["1", 1.5, None, [], 10 ** 12])}
        env = dict(VALID, body=body)
        yield [b"", json.dumps(env).encode()], "invalid_argument", "/body/"
    for _ in range(1000):  # unknown ops
        env = dict(VALID, op="%s.%s" % (rng.choice(["item", "zz", "sys"]),
                                        rng.choice(["nuke", "drop", "x"])))
        yield [b"", json.dumps(env).encode()], "unimplemented", "unknown op"
    for _ in range(300):  # invalid UTF-8 inside otherwise good JSON
        bad = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf5\x80\x80\x80", b"\xe2\x82"])
        yield [b"", b'{"v":1,"id":"' + bad + b'","op":"item.get","body":{}}'], \
            "invalid_argument", "UTF-8"
    for depth in (65, 100, 1000, 10000) * 25:  # deep nesting
        yield [b"", b"[" * depth + b"]" * depth], "invalid_argument", "nests deeper"
        yield [b"", ('{"v":1,"id":"d","op":"item.get","body":{"id":' + "[" * depth
                     + "]" * depth + "}}").encode()], "invalid_argument", "nests deeper"
    for size in (1024 * 1024 + 1, 2 * 1024 * 1024) * 5:  # frames over 1 MiB
        yield [b"", b'{"v":1,"id":"big","op":"item.get","body":{"id":"' + b"a" * size + b'"}}'], \
            "invalid_argument", "limit"
    for _ in range(200):  # wrong frame counts
        count = rng.choice([0, 2, 3])
        yield [b""] + [valid.encode()] * count, "invalid_argument", "frames"
        yield [valid.encode(), valid.encode()], "invalid_argument", "frames"


def dump(service):
    return [row for row in service.query(
        "SELECT name, sql FROM sqlite_schema ORDER BY name")] + \
        service.query("SELECT * FROM item ORDER BY id") + \
        service.query("SELECT seq, envelope FROM shr_outbox ORDER BY seq") + \
        service.query("SELECT op, key, reply FROM shr_idempotency ORDER BY op, key")


def test_ten_thousand_malformed_requests(fixture_service):
    service = fixture_service()
    client = service.client()
    for i in range(50):
        client.call("item.create", {"id": "item-%d" % i, "value": i}, idem="seed-%d" % i)
    before = dump(service)
    rng = random.Random(SEED)
    sent = 0
    for frames, code, words in malformed(rng):
        client.send_frames(frames)
        reply_frames = client.recv_frames(timeout=10)
        delimited = frames[0] == b""
        assert len(reply_frames) == (2 if delimited else 1), (frames[:2], reply_frames)
        reply = json.loads(reply_frames[-1])
        harness.CONTRACT.validate("envelope/reply.json", reply)
        assert reply["ok"] is False, (frames, reply)
        assert reply["error"]["code"] == code, (frames[1][:120] if len(frames) > 1 else frames,
                                                reply)
        if words:
            where = reply["error"]["message"] + " " + reply["error"].get("field", "")
            assert words in where, (frames[1][:120] if len(frames) > 1 else frames, reply)
        sent += 1
        if sent % 2500 == 0:
            assert service.alive()
    assert sent >= 10000, sent
    assert service.alive()
    health = client.call("sys.health")
    assert health["status"] == "ok"
    assert dump(service) == before
    # Still serving real work afterwards.
    assert client.call("item.get", {"id": "item-7"})["value"] == 7
    stats = client.call("sys.stats")
    invalid = [op for op in stats["ops"] if op["op"] == "(invalid)"][0]
    assert invalid["count"] >= 9000
    client.close()


@pytest.mark.parametrize("name", ["dispatch", "inventory"])
def test_platform_services_shrug_off_garbage(start_service, name):
    # With the services it follows: alone, its consumers would be "unreachable"
    # once the garbage has taken longer than a replay's timeout, and its health
    # degraded for that reason, not the garbage's.
    service = start_service(name, with_sources=True)
    client = service.client()
    rng = random.Random(SEED + 1)
    for frames, code, _ in malformed(rng):
        if code == "unimplemented" or b"item." in frames[-1][:80]:
            continue  # fixture ops; the platform service has others
        client.send_frames(frames)
        reply = json.loads(client.recv_frames(timeout=10)[-1])
        assert reply["ok"] is False and reply["error"]["code"] == "invalid_argument"
    assert client.call("sys.health")["status"] == "ok"
    client.close()
