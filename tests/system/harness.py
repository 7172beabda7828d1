"""Test harness: real service processes, real sockets, and a client that checks the contract.

Everything a service sends is validated against schemas/ with python3-jsonschema,
an implementation independent of the one inside the services.
"""
import atexit
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid

import jsonschema
import zmq
import zmq.auth

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.path.abspath(os.environ.get("BIN_DIR", os.path.join(ROOT, "build", "bin")))
SCHEMAS = os.path.join(ROOT, "schemas")
FIXTURE_SCHEMAS = os.path.join(ROOT, "tests", "fixtures", "schemas")


def services():
    """The platform's services, from services/list.txt (the one list of them)."""
    names = []
    with open(os.path.join(ROOT, "services", "list.txt")) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if fields:
                names.append(fields[0])
    return names


SERVICES = services()

# The services whose events each one consumes: it needs their public keys to
# start, and their processes running for its sys.health to say "ok"
# (start_service(name, with_sources=True) starts them first).
SOURCES = {"complaints": ["dispatch"], "dispatch": ["inventory", "contracts"],
           "inventory": ["dispatch", "procurement"], "procurement": ["inventory"],
           "analytics": ["dispatch", "complaints", "inventory", "procurement", "contracts"],
           "contracts": ["complaints", "dispatch"]}

# The bus is closed by default, in the tests too: one keys folder for the whole
# run (shrctl keys init), every service started with CURVE on unless a test
# asks otherwise, every client here using the admin key unless it says which.
KEYS_DIR = tempfile.mkdtemp(prefix="aftersales-keys-")
atexit.register(shutil.rmtree, KEYS_DIR, True)
os.environ["KEYS_DIR"] = KEYS_DIR
os.environ["SHR_KEY"] = os.path.join(KEYS_DIR, "clients", "admin.key_secret")
PEERS = {}  # endpoint -> (service name, speaks CURVE)


def ensure_keys(*names):
    """Key pairs for these services (and the admin client), where missing."""
    subprocess.run([os.path.join(BIN_DIR, "shrctl"), "keys", "init", "--dir", KEYS_DIR] + list(names),
                   check=True, capture_output=True)


def new_key(name, roles):
    """A client key with roles; returns its secret certificate's path. A name
    another test file used already (the keys folder lasts the session) gets a
    new key with these roles: the old one is that test's, whose services are gone."""
    for old in (os.path.join(KEYS_DIR, "trusted", name + ".key"),
                os.path.join(KEYS_DIR, "clients", name + ".key_secret")):
        if os.path.exists(old):
            os.remove(old)
    result = subprocess.run([os.path.join(BIN_DIR, "shrctl"), "keys", "new", name, "--roles", roles,
                             "--dir", KEYS_DIR], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return os.path.join(KEYS_DIR, "clients", name + ".key_secret")


def secure(sock, endpoint, key=None):
    """Makes sock a CURVE client of the service at endpoint, if that service speaks
    CURVE, with the key pair in the secret certificate key (default: admin's)."""
    name, curve = PEERS.get(endpoint, (None, False))
    if not curve:
        return sock
    public, secret = zmq.auth.load_certificate(key or os.environ["SHR_KEY"])
    server, _ = zmq.auth.load_certificate(os.path.join(KEYS_DIR, name + ".key"))
    sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = public, secret, server
    return sock


def free_port():
    """A free port below the ephemeral range, so that no client connection takes it first."""
    while True:
        port = random.randint(20000, 30000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


class Contract:
    """The JSON Schemas of one or more folders, resolvable by relative path.

    Python's urljoin resolves relative refs only for schemes it knows, so the
    documents get http URIs here (the services use "schema:/<path>").
    """
    BASE = "http://contract.invalid/"

    def __init__(self, *folders):
        self.store = {}
        for folder in folders:
            for dirpath, _, files in os.walk(folder):
                for name in files:
                    if name.endswith(".json"):
                        path = os.path.join(dirpath, name)
                        rel = os.path.relpath(path, folder)
                        with open(path) as f:
                            self.store[self.BASE + rel] = json.load(f)

    def has(self, rel):
        return self.BASE + rel in self.store

    def validate(self, rel, instance):
        uri = self.BASE + rel
        schema = self.store[uri]
        resolver = jsonschema.RefResolver(uri, schema, store=self.store)
        jsonschema.Draft7Validator(
            schema, resolver=resolver, format_checker=jsonschema.draft7_format_checker
        ).validate(instance)


CONTRACT = Contract(SCHEMAS, FIXTURE_SCHEMAS)


class Client:
    """A DEALER client that validates every reply against the contract."""

    def __init__(self, endpoint, service_dir=None, contract=CONTRACT, key=None):
        self.ctx = zmq.Context.instance()
        self.endpoint = endpoint
        self.service_dir = service_dir
        self.contract = contract
        self.key = key
        self.sock = None
        self.reconnect()

    def reconnect(self):
        if self.sock is not None:
            self.sock.close(0)
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        secure(self.sock, self.endpoint, self.key)
        self.sock.connect(self.endpoint)

    def close(self):
        self.sock.close(0)

    def send_frames(self, frames):
        self.sock.send_multipart(frames)

    def recv_frames(self, timeout=5.0):
        if not self.sock.poll(int(timeout * 1000)):
            raise TimeoutError("no reply from %s within %.1fs" % (self.endpoint, timeout))
        return self.sock.recv_multipart()

    def raw(self, payload, timeout=5.0):
        """Sends one frame after the delimiter; returns the parsed reply, checked as an envelope."""
        if isinstance(payload, str):
            payload = payload.encode()
        self.send_frames([b"", payload])
        frames = self.recv_frames(timeout)
        assert len(frames) == 2 and frames[0] == b"", frames
        reply = json.loads(frames[1])
        self.contract.validate("envelope/reply.json", reply)
        return reply

    def request(self, op, body=None, idem=None, timeout=5.0, rid=None):
        """Returns the whole reply envelope, validated (body against the op's reply schema)."""
        rid = rid or uuid.uuid4().hex[:12]
        envelope = {"v": 1, "id": rid, "op": op, "body": body if body is not None else {}}
        if idem is not None:
            envelope["idem"] = idem
        reply = self.raw(json.dumps(envelope), timeout)
        assert reply["id"] == rid
        if reply["ok"]:
            folder = "sys" if op.startswith(("sys.", "events.", "test.")) else self.service_dir
            if folder and self.contract.has("%s/%s.reply.json" % (folder, op)):
                self.contract.validate("%s/%s.reply.json" % (folder, op), reply["body"])
        return reply

    def call(self, op, body=None, idem=None, timeout=5.0):
        """Returns the body of a successful reply; raises CallError otherwise."""
        reply = self.request(op, body, idem, timeout)
        if not reply["ok"]:
            raise CallError(reply["error"])
        return reply["body"]

    def error(self, op, body=None, idem=None, timeout=5.0):
        """Returns the error of a reply that must fail."""
        reply = self.request(op, body, idem, timeout)
        assert not reply["ok"], "expected %s to fail, got %s" % (op, reply)
        return reply["error"]


class CallError(Exception):
    def __init__(self, error):
        super().__init__("%s: %s (%s)" % (error["code"], error["message"], error.get("field", "")))
        self.error = error
        self.code = error["code"]


class Service:
    """One service process with its own data folder, ports and log file."""

    def __init__(self, binary, name, workdir, env=None, schemas=None, service_dir=None,
                 curve=True):
        self.binary = os.path.join(BIN_DIR, binary)
        self.name = name
        self.workdir = workdir
        self.data_dir = os.path.join(workdir, name + "-data")
        self.api = "tcp://127.0.0.1:%d" % free_port()
        self.events = "tcp://127.0.0.1:%d" % free_port()
        self.service_dir = service_dir or name
        self.env = dict(os.environ)
        key = name.upper().replace("-", "_")
        self.env.update({
            key + "_API": self.api,
            key + "_EVENTS": self.events,
            "DATA_DIR": self.data_dir,
            "SCHEMAS_DIR": schemas or SCHEMAS,
            "LOG_LEVEL": "info",
            "SHR_CHECK_REPLIES": "1",
            "SHR_CURVE": "on" if curve else "off",
            "KEYS_DIR": KEYS_DIR,
        })
        self.env.update(env or {})
        self.log_path = os.path.join(workdir, name + ".log")
        self.proc = None
        self.db_path = os.path.join(self.data_dir, name + ".db")

    def start(self, timeout=15.0, attempts=3):
        """Starts the process and waits until it answers. Ports are picked free
        but another process may take one first: then new ports, a few times."""
        for attempt in range(attempts):
            try:
                return self._start(timeout)
            except RuntimeError as e:
                if "Address already in use" not in str(e) or attempt == attempts - 1:
                    raise
                key = self.name.upper().replace("-", "_")
                self.api = "tcp://127.0.0.1:%d" % free_port()
                self.events = "tcp://127.0.0.1:%d" % free_port()
                self.env.update({key + "_API": self.api, key + "_EVENTS": self.events})

    def _start(self, timeout):
        curve = self.env.get("SHR_CURVE", "on") == "on"
        if curve:
            ensure_keys(self.name, *SOURCES.get(self.name, []))
        for endpoint in (self.api, self.events):
            PEERS[endpoint] = (self.name, curve)
        # shrctl finds which service an endpoint is by these (for its public key).
        key = self.name.upper().replace("-", "_")
        os.environ[key + "_API"], os.environ[key + "_EVENTS"] = self.api, self.events
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary], env=self.env, cwd=ROOT,
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + timeout
        client = self.client()
        try:
            while True:
                if self.proc.poll() is not None:
                    self.log.close()
                    code, self.proc = self.proc.returncode, None
                    raise RuntimeError("%s exited with %s:\n%s" % (self.name, code,
                                                                   self.log_tail()))
                try:
                    client.call("sys.ping", timeout=0.5)
                    return self
                except TimeoutError:
                    client.reconnect()
                    if time.time() > deadline:
                        raise RuntimeError("%s did not answer:\n%s" % (self.name, self.log_tail()))
        finally:
            client.close()

    def client(self, key=None):
        return Client(self.api, self.service_dir, key=key)

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        """Stops the process; returns its exit code (a sanitizer report makes it non-zero)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            stacks = self.stacks()
            self.proc.kill()
            code = self.proc.wait()
            raise RuntimeError("%s did not stop within %.0fs:\n%s\n%s" % (
                self.name, timeout, self.log_tail(), stacks))
        finally:
            self.log.close()
            self.proc = None
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def stacks(self):
        """Every thread's stack (gdb), to tell why a process hangs."""
        try:
            return subprocess.run(["gdb", "-p", str(self.proc.pid), "-batch", "-nx",
                                   "-ex", "thread apply all bt"], capture_output=True,
                                  text=True, timeout=60).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            return "no stacks: %s" % e

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""

    def log_records(self):
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if line.startswith("{")]

    def query(self, sql, args=()):
        """Reads the service's database directly (tests only; services never do this)."""
        return self.snapshot(sql, args=args)[0]

    def snapshot(self, *sqls, args=()):
        """Runs several queries in one read transaction: one consistent view."""
        db = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True, timeout=10,
                             isolation_level=None)
        try:
            db.execute("BEGIN")
            results = [db.execute(sql, args).fetchall() for sql in sqls]
            db.execute("COMMIT")
            return results
        finally:
            db.close()


class Subscriber:
    """A SUB socket that validates each event against the contract."""

    def __init__(self, endpoint, topics=(b"",), contract=CONTRACT, key=None):
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RCVHWM, 1000000)
        secure(self.sock, endpoint, key)
        for topic in topics:
            self.sock.setsockopt(zmq.SUBSCRIBE, topic)
        self.sock.connect(endpoint)
        self.contract = contract

    def next(self, timeout=5.0, heartbeats=False):
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0 or not self.sock.poll(int(left * 1000)):
                raise TimeoutError("no event within %.1fs" % timeout)
            topic, payload = self.sock.recv_multipart()
            message = json.loads(payload)
            if topic == b"sys.heartbeat":
                self.contract.validate("envelope/heartbeat.json", message)
                if heartbeats:
                    return message
                continue
            self.contract.validate("envelope/event.json", message)
            assert topic.decode() == message["type"]
            self.contract.validate("events/%s.json" % message["type"], message["data"])
            return message

    def close(self):
        self.sock.close(0)


def stop_all(services):
    """Stops those of services still running; asserts that each exited cleanly."""
    problems = []
    for service in services:
        if service.alive():
            code = service.stop()
            if code != 0:
                problems.append("%s exited with %s:\n%s" % (service.name, code, service.log_tail()))
    assert not problems, "\n".join(problems)


def wait_until(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class Writer:
    """Writes items at full speed over one DEALER, keeping `window` requests in flight.

    Records which ids got a success reply. If the service stops answering (it was
    killed), the writer reconnects and goes on with new ids; what was in flight
    counts as unknown, never as acknowledged.
    """

    def __init__(self, endpoint, prefix, window=64):
        self.endpoint = endpoint
        self.prefix = prefix
        self.window = window
        self.acked = []
        self.failed = []
        self.next = 0
        self.sock = None
        self.ctx = zmq.Context.instance()

    def _connect(self):
        if self.sock is not None:
            self.sock.close(0)
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        secure(self.sock, self.endpoint)
        self.sock.connect(self.endpoint)

    def _send(self):
        item = "%s-%d" % (self.prefix, self.next)
        self.next += 1
        self.sock.send_multipart([b"", json.dumps(
            {"v": 1, "id": item, "op": "item.create", "body": {"id": item, "value": self.next}}
        ).encode()])

    def write(self, count, deadline_s=600, stop=None):
        """Sends until `count` ids are acknowledged (or stop() is true)."""
        self._connect()
        in_flight = 0
        deadline = time.time() + deadline_s
        while len(self.acked) < count and not (stop and stop()):
            while in_flight < self.window and len(self.acked) + in_flight < count:
                self._send()
                in_flight += 1
            if not self.sock.poll(2000):
                # No answer: the service is down or restarting. Start over on a new socket.
                in_flight = 0
                self._connect()
                if time.time() > deadline:
                    raise TimeoutError("writer: %d of %d acknowledged" % (len(self.acked), count))
                continue
            _, payload = self.sock.recv_multipart()
            in_flight -= 1
            reply = json.loads(payload)
            if reply["ok"]:
                self.acked.append(reply["id"])
            else:
                self.failed.append(reply)
        self.sock.close(0)
        return self.acked
