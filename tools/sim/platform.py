"""The demo's platform: the six services started natively in a fresh folder
with the test clock and CURVE keys, a client per service, the clock moved on
for all of them, and every process stopped at the end."""
import datetime
import os
import subprocess

import zmq
import zmq.auth

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = ("dispatch", "complaints", "inventory", "procurement", "contracts", "analytics")
# Those whose own clock says what day it is (analytics counts the events' days).
CLOCKED = ("dispatch", "complaints", "inventory", "procurement", "contracts")
BASE_PORT = 7300       # demo ports: 7301/7302 dispatch, 7311/7312 complaints, ...
HOUR = 3600 * 1000
DAY = 24 * HOUR


class Refused(RuntimeError):
    """A service answered with an error: .code is its code."""

    def __init__(self, op, error):
        super().__init__("%s: %s" % (op, error))
        self.code = error.get("code")


class Client:
    def __init__(self, context, endpoint, server_key, client_key):
        self.sock = context.socket(zmq.REQ)
        self.sock.curve_publickey, self.sock.curve_secretkey = client_key
        self.sock.curve_serverkey = server_key
        self.sock.rcvtimeo = 10000
        self.sock.connect(endpoint)
        self.n = 0

    def call(self, op, body=None):
        self.n += 1
        self.sock.send_json({"v": 1, "id": "d%d" % self.n, "op": op, "body": body or {}})
        reply = self.sock.recv_json()
        if not reply["ok"]:
            raise Refused(op, reply["error"])
        return reply["body"]

    def pages(self, op, body):
        """Every item of a paged list."""
        body = dict(body, limit=body.get("limit", 200))
        while True:
            page = self.call(op, body)
            yield from page["items"]
            if not page.get("next_cursor"):
                return
            body["cursor"] = page["next_cursor"]


class Platform:
    def __init__(self, bin_dir, work, env):
        self.bin_dir, self.work, self.procs = bin_dir, work, []
        self.keys = os.path.join(work, "keys")
        subprocess.run([os.path.join(bin_dir, "asctl"), "keys", "init", "--dir", self.keys],
                       check=True, capture_output=True)
        self.env = dict(os.environ, KEYS_DIR=self.keys, SHR_TEST_CLOCK="1", SHR_SYNC="normal",
                        LOG_LEVEL="warn", DATA_DIR=os.path.join(work, "data"),
                        SHR_KEY=os.path.join(self.keys, "clients", "admin.key_secret"), **env)
        for i, name in enumerate(SERVICES):
            key = name.upper()
            port = BASE_PORT + 10 * i + 1
            self.env[key + "_API"] = "tcp://127.0.0.1:%d" % port
            self.env[key + "_EVENTS"] = "tcp://127.0.0.1:%d" % (port + 1)
        self.context = zmq.Context()
        self.admin = zmq.auth.load_certificate(self.env["SHR_KEY"])

    def start(self):
        log = open(os.path.join(self.work, "services.log"), "ab")
        for name in SERVICES:
            self.procs.append(subprocess.Popen([os.path.join(self.bin_dir, name)], env=self.env,
                                               cwd=ROOT, stdout=log, stderr=log))
        self.c = {name: self.client(name) for name in SERVICES}
        for name, proc in zip(SERVICES, self.procs):
            for _ in range(100):
                if proc.poll() is not None:
                    break
                try:
                    self.c[name].sock.rcvtimeo = 200
                    self.c[name].call("sys.ping")
                    break
                except (zmq.Again, Refused):
                    self.c[name].sock.close(0)
                    self.c[name] = self.client(name)
            else:
                raise RuntimeError("%s does not answer" % name)
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %d at start" % (name, proc.returncode))
            self.c[name].sock.rcvtimeo = 10000

    def client(self, name):
        server = zmq.auth.load_certificate(os.path.join(self.keys, name + ".key"))[0]
        return Client(self.context, self.env[name.upper() + "_API"], server, self.admin)

    def now(self):
        """The platform's time, in ms since the epoch."""
        when = datetime.datetime.strptime(self.c["dispatch"].call("sys.ping")["ts"],
                                          "%Y-%m-%dT%H:%M:%S.%fZ")
        return int(when.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)

    def advance(self, ms):
        for name in CLOCKED:
            self.c[name].call("test.clock.advance", {"by_ms": ms})

    def caught_up(self):
        """True when analytics has applied everything its sources published."""
        last = {n: self.c[n].call("events.replay", {"from_seq": 1, "limit": 1})["last_seq"]
                for n in CLOCKED}
        return all(c["applied_seq"] >= last.get(c["source"], 0)
                   for c in self.c["analytics"].call("sys.health")["consumers"])

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(30)

    def ctl(self, *args):
        out = subprocess.run([os.path.join(self.bin_dir, "asctl")] + list(args), env=self.env,
                             capture_output=True, text=True)
        return out.stdout + out.stderr


def day_of(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).date()
