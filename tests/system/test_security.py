"""The bus is closed: CURVE on every socket, a key per client, roles per op,
and the actor of every change taken from the key, over real sockets.

Every other system test runs with CURVE on as well (the harness's default);
these are about what security itself promises."""
import json
import os
import signal
import stat
import subprocess
import time

import pytest
import zmq
import zmq.auth

import harness
from harness import BIN_DIR, KEYS_DIR


def dump(service):
    db = __import__("sqlite3").connect("file:%s?mode=ro" % service.db_path, uri=True)
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def no_reply(endpoint, socket_setup, request, wait=1.5):
    """Sends request on a DEALER made by socket_setup; True if nothing came back."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    socket_setup(sock)
    sock.connect(endpoint)
    sock.send_multipart([b"", json.dumps(request).encode()])
    silent = not sock.poll(int(wait * 1000))
    sock.close(0)
    return silent


def technician(n):
    return {"id": "T-%d" % n, "name": "Tech", "region": "north",
            "skills": [{"skill": "hvac", "level": 3}], "hourly_cost_cents": 6000}


def order():
    return {"customer_id": "C-1", "type": "repair", "priority": "high", "channel": "phone",
            "region": "north", "description": "AC not cooling", "required_skill": "hvac"}


def test_a_key_with_the_role_may_and_one_without_may_not(start_service):
    service = start_service("dispatch")
    dispatcher = service.client(key=harness.new_key("desk-1", "dispatcher"))
    reader = service.client(key=harness.new_key("viewer-1", "reader"))
    created = dispatcher.call("workorder.create", order())
    assert reader.call("workorder.get", {"id": created["id"]})["id"] == created["id"]
    error = reader.error("workorder.create", order())
    assert error["code"] == "permission_denied" and error["field"] == "/op"
    assert error["message"] == ("workorder.create needs the role dispatcher or agent or integrator"
                                " or service; viewer-1 has reader")
    # sys.ping and sys.health are for every known key, whatever its roles.
    nobody = service.client(key=harness.new_key("no-roles-1", ""))
    assert nobody.call("sys.ping")["service"] == "dispatch"
    assert nobody.call("sys.health")["security"] == "curve"
    assert nobody.error("sys.stats")["code"] == "permission_denied"


def test_an_unknown_key_and_a_plaintext_client_get_nothing_through(start_service, tmp_path):
    service = start_service("dispatch")
    service.client().call("technician.upsert", technician(1))
    before = dump(service)
    stranger = zmq.curve_keypair()
    server_key, _ = zmq.auth.load_certificate(os.path.join(KEYS_DIR, "dispatch.key"))

    def unknown(sock):
        sock.curve_publickey, sock.curve_secretkey = stranger
        sock.curve_serverkey = server_key

    request = {"v": 1, "id": "x", "op": "technician.upsert", "body": technician(2)}
    assert no_reply(service.api, unknown, request)
    assert no_reply(service.api, lambda sock: None, request)   # plaintext
    assert dump(service) == before
    # And nothing was published: a known subscriber sees no event of those.
    assert service.client().call("events.replay", {"from_seq": 1})["last_seq"] == 1


def test_a_revoked_key_stops_working_after_sighup(start_service):
    service = start_service("dispatch")
    key = harness.new_key("gateway-1", "integrator")
    client = service.client(key=key)
    assert client.call("workorder.create", order())["status"] == "reported"
    sub = harness.Subscriber(service.events, key=key)
    time.sleep(0.3)
    client.call("workorder.create", order())
    assert sub.next()["type"] == "workorder.created"
    result = subprocess.run([os.path.join(BIN_DIR, "shrctl"), "keys", "revoke", "gateway-1"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not os.path.exists(key)
    # Until the reload the connection it has goes on; after SIGHUP, nothing.
    service.proc.send_signal(signal.SIGHUP)
    # (Not "revoked" alone: the test's own name is in the start line's data path.)
    harness.wait_until(lambda: any(r["msg"].startswith("reload:") for r in service.log_records()),
                       what="the reload's log line")
    error = client.error("workorder.list", {})
    assert error["code"] == "unauthenticated"
    # Its subscription ended: the events socket was bound again, and its key
    # is refused at the new handshake.
    service.client().call("workorder.create", order())
    with pytest.raises(TimeoutError):
        sub.next(timeout=2)
    sub.close()


def test_a_subscriber_needs_a_known_key(start_service):
    service = start_service("dispatch")
    stranger = zmq.curve_keypair()
    server_key, _ = zmq.auth.load_certificate(os.path.join(KEYS_DIR, "dispatch.key"))
    sock = zmq.Context.instance().socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    sock.curve_publickey, sock.curve_secretkey = stranger
    sock.curve_serverkey = server_key
    sock.setsockopt(zmq.SUBSCRIBE, b"")
    sock.connect(service.events)
    known = harness.Subscriber(service.events)
    time.sleep(0.3)
    service.client().call("technician.upsert", technician(3))
    assert known.next()["type"] == "technician.updated"
    assert not sock.poll(1500)   # not even a heartbeat
    sock.close(0)
    known.close()


def test_the_actor_is_the_name_on_the_key_whatever_by_says(start_service):
    service = start_service("dispatch")
    desk = service.client(key=harness.new_key("desk-2", "dispatcher"))
    tech = service.client(key=harness.new_key("tablet-7", "technician"))
    sub = harness.Subscriber(service.events)
    time.sleep(0.3)
    desk.call("technician.upsert", technician(4))
    wid = desk.call("workorder.create", order())["id"]
    desk.call("workorder.assign", {"id": wid})
    tech.call("workorder.diagnose", {"id": wid, "text": "compressor", "by": "someone-else"})
    full = tech.call("workorder.get", {"id": wid})
    actors = [(step["step"], step["actor"]) for step in full["steps"]]
    assert actors == [("created", "desk-2"), ("assigned", "desk-2"), ("diagnosed", "tablet-7")]
    # `by` is kept as whom the integrating system acted for, never instead of the key.
    assert full["diagnoses"][0]["by"] == "someone-else"
    events = [sub.next() for _ in range(4)]
    assert [(e["type"], e["actor"]) for e in events] == [
        ("technician.updated", "desk-2"), ("workorder.created", "desk-2"),
        ("workorder.assigned", "desk-2"), ("workorder.diagnosed", "tablet-7")]
    sub.close()


@pytest.mark.parametrize("name", harness.SERVICES)
def test_every_op_of_every_service_says_who_may_call_it(start_service, name):
    ops = start_service(name).client().call("sys.ops")["ops"]
    open_to_every_key = {"sys.ping", "sys.health"}
    for op in ops:
        if op["op"] in open_to_every_key:
            assert op["roles"] == [], op
        else:
            assert op["roles"], "%s of %s says no roles" % (op["op"], name)


def test_one_runaway_client_cannot_starve_the_others(start_service):
    service = start_service("fixture", env={"FIXTURE_NAME": "fixture",
                                            "SHR_CLIENT_MAX_IN_FLIGHT": "4",
                                            "SHR_CLIENT_RATE": "200"},
                            service_dir="fixture",
                            schemas=harness.SCHEMAS + ":" + harness.FIXTURE_SCHEMAS)
    runaway_key = harness.new_key("runaway", "tester")
    sock = harness.secure(zmq.Context.instance().socket(zmq.DEALER), service.api, runaway_key)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(service.api)
    for n in range(400):
        sock.send_multipart([b"", json.dumps({"v": 1, "id": "r%d" % n, "op": "item.create",
                                              "body": {"id": "r%d" % n, "value": n}}).encode()])
    codes = {}
    for _ in range(400):
        assert sock.poll(5000)
        reply = json.loads(sock.recv_multipart()[1])
        code = "ok" if reply["ok"] else reply["error"]["code"]
        codes[code] = codes.get(code, 0) + 1
    sock.close(0)
    assert codes.get("resource_exhausted", 0) > 0 and codes.get("ok", 0) > 0, codes
    # Another client is served meanwhile, and the runaway's own limit recovers.
    assert service.client().call("item.create", {"id": "calm", "value": 1})["id"] == "calm"
    time.sleep(1.1)
    assert service.client(key=runaway_key).call("item.get", {"id": "calm"})["value"] == 1


def test_curve_off_is_said_everywhere(start_service):
    service = start_service("dispatch", curve=False)
    health = service.client().call("sys.health")
    assert health["security"] == "off"
    assert any("SHR_CURVE=off" in r["msg"] and r["level"] == "warn"
               for r in service.log_records())


def test_secrets_are_private_and_never_logged(start_service):
    path = harness.new_key("secretive", "reader")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    service_secret = os.path.join(KEYS_DIR, "dispatch.key_secret")
    service = start_service("dispatch")
    assert stat.S_IMODE(os.stat(service_secret).st_mode) == 0o600
    _, secret = zmq.auth.load_certificate(service_secret)
    service.stop()
    with open(service.log_path, "rb") as log:
        assert secret not in log.read()
    listed = subprocess.run([os.path.join(BIN_DIR, "shrctl"), "keys", "list"],
                            capture_output=True, text=True)
    assert "secretive" in listed.stdout and secret.decode() not in listed.stdout


def test_a_service_without_its_key_refuses_to_start(tmp_path):
    env = dict(os.environ, KEYS_DIR=str(tmp_path / "empty"), DATA_DIR=str(tmp_path / "data"),
               DISPATCH_API="tcp://127.0.0.1:%d" % harness.free_port(),
               DISPATCH_EVENTS="tcp://127.0.0.1:%d" % harness.free_port())
    result = subprocess.run([os.path.join(BIN_DIR, "dispatch")], env=env, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 1
    assert "no secret certificate" in result.stderr and "shrctl keys init" in result.stderr
