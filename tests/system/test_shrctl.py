"""shrctl, the operator CLI, against real service processes over real sockets.

Options anywhere and every refusal with its reason; --help on every command;
tail that says when nothing answers, follows a service that comes up later,
replays from a seq and then follows live with every seq exactly once, fills
what the wire dropped, and counts what it prints.
"""
import json
import os
import queue
import signal
import subprocess
import threading
import time

import pytest

import harness

CTL = os.path.join(harness.BIN_DIR, "shrctl")


def ctl(*args, env=None, timeout=30):
    return subprocess.run([CTL] + list(args), capture_output=True, text=True, timeout=timeout,
                          env=env)


def env_for(service, name=None):
    """The environment in which shrctl finds the service by its name."""
    key = (name or service.name).upper().replace("-", "_")
    return dict(os.environ, **{key + "_API": service.api, key + "_EVENTS": service.events})


class Tail:
    """A running `shrctl tail`, its stdout and stderr read line by line in the background."""

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen([CTL, "tail"] + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.out, self.err = queue.Queue(), queue.Queue()
        self.errors = []
        for stream, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, into), daemon=True).start()

    @staticmethod
    def _pump(stream, into):
        for line in stream:
            into.put(line)
        into.put(None)

    def line(self, timeout=10.0):
        line = self.out.get(timeout=timeout)
        assert line is not None, "tail ended early:\n%s" % self.stderr()
        return json.loads(line)

    def lines(self, timeout=30.0):
        """Every line until the process ends."""
        found, deadline = [], time.time() + timeout
        while True:
            line = self.out.get(timeout=max(0.1, deadline - time.time()))
            if line is None:
                return found
            found.append(json.loads(line))

    def error_line(self, timeout=10.0):
        line = self.err.get(timeout=timeout)
        assert line is not None, "stderr closed"
        self.errors.append(line)
        return line.rstrip("\n")

    def stderr(self):
        while True:
            try:
                line = self.err.get_nowait()
            except queue.Empty:
                return "".join(self.errors)
            if line is None:
                return "".join(self.errors)
            self.errors.append(line)

    def wait(self, timeout=20.0):
        return self.proc.wait(timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(10)


@pytest.fixture
def tails():
    """Tails of a test, stopped at its end (an assertion may leave one running)."""
    started = []

    def start(*args, env=None):
        tail = Tail(*args, env=env)
        started.append(tail)
        return tail

    yield start
    for tail in started:
        if tail.proc.poll() is None:
            tail.proc.kill()
            tail.proc.wait()


def check_event(event):
    harness.CONTRACT.validate("envelope/event.json", event)
    harness.CONTRACT.validate("events/%s.json" % event["type"], event["data"])


def create(client, *ids):
    for i in ids:
        client.call("item.create", {"id": i, "value": 1})


def replays(service):
    """How many events.replay requests the service has answered."""
    stats = service.client().call("sys.stats")
    return sum(op["count"] for op in stats["ops"] if op["op"] == "events.replay")


# Options and refusals.

def test_options_after_the_command(start_service, tails):
    dispatch = start_service("dispatch")
    env = env_for(dispatch)
    for args in (["call", "dispatch", "sys.ping", "--timeout", "500"],
                 ["call", "dispatch", "-t", "500", "sys.ping", "-r", "0"],
                 ["--timeout=500", "call", "dispatch", "sys.ping", "{}"]):
        result = ctl(*args, env=env)
        assert result.returncode == 0, (args, result.stderr)
        assert json.loads(result.stdout)["service"] == "dispatch"
    # "shrctl tail dispatch -n 3": a quiet service prints three heartbeats with -b, then stops.
    tail = tails("dispatch", "-n", "3", "--heartbeats", env=env)
    assert tail.wait(15) == 0, tail.stderr()
    beats = tail.lines()
    assert len(beats) == 3 and all(b["type"] == "sys.heartbeat" for b in beats)
    for beat in beats:
        harness.CONTRACT.validate("envelope/heartbeat.json", beat)
    # "--" ends the options: what follows is an operand even if it starts with "-".
    result = ctl("call", "--", "dispatch", "-x", env=env)
    assert result.returncode == 1 and result.stderr.startswith("invalid_argument: /op must match")


@pytest.mark.parametrize("args,reason", [
    (["call", "dispatch", "sys.ping", "--colour"], "unknown option '--colour'; see --help"),
    (["--colour=red", "health"], "unknown option '--colour'; see --help"),
    (["tail", "dispatch", "-z"], "unknown option '-z'; see --help"),
    (["call", "dispatch", "sys.ping", "--he"],
     "option '--he' is ambiguous: --heartbeats, --help; see --help"),
    (["call", "dispatch", "sys.ping", "--timeout"],
     "option '--timeout' needs a value (MS); see --help"),
    (["call", "--quiet=yes", "dispatch", "sys.ping"],
     "option '--quiet' takes no value; see --help"),
    (["call", "dispatch", "sys.ping", "-t", "soon"],
     "--timeout wants a whole number from 1 to 2147483647, not 'soon'; see --help"),
    (["tail", "dispatch", "-n", "0"],
     "--count wants a whole number from 1 to 9223372036854775807, not '0'; see --help"),
    (["call", "dispatch", "sys.ping", "-n", "3"],
     "call does not take --count; see shrctl call --help"),
    (["health", "--from-seq", "1"], "health does not take --from-seq; see shrctl health --help"),
    ([], "no command given: call, tail, watch, health, kpi, profit or keys, or <service> <op>;"
         " see --help"),
    (["status"], "unknown command 'status': call, tail, watch, health, kpi, profit or keys, or a"
                 " service; see --help"),
    (["tail", "tcp://127.0.0.1:1"],
     "which service is at tcp://127.0.0.1:1? say --service NAME (its public key is NAME.key"
     " in the keys' folder)"),
    (["keys", "new", "someone"], "keys new someone needs --roles A,B (see shrctl keys --help)"),
    (["keys", "rotate"], "keys takes init [SERVICE...], new NAME, list or revoke NAME, not"
                         " 'rotate'; see shrctl keys --help"),
    (["call", "dispatch"], "call takes <service|endpoint> <op> [body-json | key=value ...], 1"
                           " argument given; see shrctl call --help"),
    (["call", "dispatch", "x.y", "{\"a\":", "1}"],
     "call takes <service|endpoint> <op> [body-json | key=value ...], 4 arguments given (quote"
     " the body: '{...}'); see shrctl call --help"),
    (["tail"], "tail takes <service|endpoint> [topic-prefix], 0 arguments given;"
               " see shrctl tail --help"),
    (["tail", "dispatch", "workorder.", "extra"],
     "tail takes <service|endpoint> [topic-prefix], 3 arguments given; see shrctl tail --help"),
    (["health", "dispatch"], "health takes no arguments, 1 given; see shrctl health --help"),
    (["call", "nosuch", "sys.ping"],
     "unknown service 'nosuch': give an endpoint (tcp://host:port) or set NOSUCH_API"),
    (["tail", "no-such"],
     "unknown service 'no-such': give an endpoint (tcp://host:port) or set NO_SUCH_EVENTS"),
    (["call", "dispatch", "sys.ping", "[1]"], "the body must be a JSON object, not: [1]"),
    (["tail", "tcp://127.0.0.1:1", "--from-seq", "1"],
     "tail --from-seq needs the service's API for events.replay: name the service or give --api"),
])
def test_a_refusal_says_why(args, reason):
    result = ctl(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "shrctl: %s\n" % reason


def test_every_command_has_help():
    for args in (["--help"], ["-h"]):
        result = ctl(*args)
        assert result.returncode == 0 and result.stdout.startswith("Usage: shrctl [options] call")
        # The exit codes, as main() returns them.
        for line in ("  0  done", "  1  the operation failed", "  2  usage", "  3  deadline"):
            assert line in result.stdout
    for command in ("call", "tail", "health"):
        for args in ([command, "--help"], ["--help", command], [command, "dispatch", "-h"]):
            result = ctl(*args)
            assert result.returncode == 0, args
            assert result.stdout.startswith("Usage: shrctl %s [options]" % command)
            assert "Exit codes: 0 " in result.stdout and result.stderr == ""
    # Only what the repository holds is referred to.
    for args in (["--help"], ["call", "--help"], ["tail", "--help"], ["health", "--help"]):
        text = ctl(*args).stdout
        assert "../" not in text and "DESIGN.md" not in text and "DOMAIN.md" not in text
    # tail's own options appear in tail's help, not in call's.
    assert "--from-seq" in ctl("tail", "--help").stdout
    assert "--from-seq" not in ctl("call", "--help").stdout


# tail: nothing there, and a service that comes up later.

def test_tail_of_a_dead_endpoint_says_so_and_waits(tails):
    endpoint = "tcp://127.0.0.1:%d" % harness.free_port()
    harness.ensure_keys("dispatch")
    started = time.time()
    tail = tails(endpoint, "--service", "dispatch")
    line = tail.error_line(timeout=10)
    assert time.time() - started < 5
    assert line == ("shrctl: no events or heartbeats from %s within 3 s: is the service running?"
                    % endpoint)
    assert tail.proc.poll() is None   # it keeps waiting, as documented
    assert tail.stop() == 0


def test_tail_of_a_dead_endpoint_exits_3_with_exit_if_silent(tails):
    endpoint = "tcp://127.0.0.1:%d" % harness.free_port()
    harness.ensure_keys("dispatch")
    started = time.time()
    tail = tails(endpoint, "--exit-if-silent", "--service", "dispatch")
    assert tail.wait(10) == 3
    assert time.time() - started < 5
    assert "no events or heartbeats from %s within 3 s" % endpoint in tail.stderr()


def test_tail_follows_a_service_that_starts_later(tmp_path, tails):
    service = harness.Service("fixture", "late", str(tmp_path), service_dir="fixture",
                              env={"FIXTURE_NAME": "late"},
                              schemas=harness.SCHEMAS + ":" + harness.FIXTURE_SCHEMAS)
    harness.ensure_keys("late")
    tail = tails("late", "-n", "2", env=env_for(service))
    assert "within 3 s: is the service running?" in tail.error_line(timeout=10)
    service.start()
    try:
        assert tail.error_line(timeout=10) == "shrctl: %s publishes now" % service.events
        # It follows from where the service is: what comes next, once each.
        client = service.client()
        create(client, "p", "q")
        events = tail.lines()
        assert tail.wait() == 0
        assert [e["key"] for e in events] == ["p", "q"]
        assert [e["seq"] for e in events] == [1, 2]
        client.close()
    finally:
        assert service.stop() == 0


def test_tail_follows_across_a_restart_without_a_gap(fixture_service, tails):
    """Events made right after a restart may come before the SUB has reconnected:
    the next heartbeat shows the gap and replay fills it."""
    service = fixture_service()
    client = service.client()
    tail = tails("fixture", "-n", "3", env=env_for(service))
    time.sleep(1.5)   # a heartbeat has told tail where the stream is
    create(client, "r1")
    assert tail.line()["key"] == "r1"
    client.close()
    assert service.stop() == 0
    service.start()
    client = service.client()
    create(client, "r2", "r3")
    assert [(e["key"], e["seq"]) for e in tail.lines()] == [("r2", 2), ("r3", 3)]
    assert tail.wait() == 0, tail.stderr()
    client.close()


def test_tail_notices_a_service_that_starts_over_on_a_new_database(fixture_service, tails):
    service = fixture_service()
    client = service.client()
    tail = tails("fixture", "-n", "4", env=env_for(service))
    time.sleep(1.5)
    create(client, "old1", "old2", "old3")
    assert [tail.line()["seq"] for _ in range(3)] == [1, 2, 3]
    client.close()
    assert service.stop() == 0
    for name in os.listdir(service.data_dir):
        os.remove(os.path.join(service.data_dir, name))
    service.start()
    line = tail.error_line(timeout=15)
    while "new database" not in line:   # maybe a silence report first
        line = tail.error_line(timeout=15)
    assert line == ("shrctl: %s is at seq 0, below the 3 it was at (a new database?):"
                    " following from 1" % service.events)
    client = service.client()
    create(client, "new1")
    assert [(e["key"], e["seq"]) for e in tail.lines()] == [("new1", 1)]
    assert tail.wait() == 0
    client.close()


# tail --from-seq: stored events first, then live, each seq exactly once.

def test_tail_from_seq_replays_then_follows(fixture_service, tails):
    service = fixture_service()
    client = service.client()
    create(client, "a1", "a2", "a3", "a4", "a5")          # seq 1..5, before the tail
    tail = tails("fixture", "--from-seq", "2", "-n", "8", env=env_for(service))
    before = [tail.line() for _ in range(4)]
    assert [e["seq"] for e in before] == [2, 3, 4, 5]
    create(client, "b1", "b2", "b3", "b4")                # seq 6..9, while it follows
    after = tail.lines()
    assert tail.wait() == 0, tail.stderr()
    events = before + after
    assert [e["seq"] for e in events] == list(range(2, 10))
    assert [e["key"] for e in events] == ["a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4"]
    for event in events:
        check_event(event)
    assert tail.stderr() == ""
    client.close()


def test_tail_from_seq_while_events_keep_coming(fixture_service, tails):
    """Events written before, during and after the tail's start-up: the replay and
    the live stream overlap, and each seq is printed once, in order."""
    service = fixture_service()
    writer = harness.Writer(service.api, "w", window=8)
    writer.write(300)
    tail = tails("fixture", "--from-seq", "1", "-n", "900", env=env_for(service))
    writer.write(900)   # goes on from where it was: 600 more
    events = tail.lines(timeout=60)
    assert tail.wait() == 0, tail.stderr()
    assert [e["seq"] for e in events] == list(range(1, 901))
    assert len({e["key"] for e in events}) == 900
    assert tail.stderr() == ""


def test_tail_from_seq_past_the_end_waits_for_it(fixture_service, tails):
    service = fixture_service()
    client = service.client()
    create(client, "c1", "c2")
    tail = tails("fixture", "--from-seq", "4", "-n", "2", env=env_for(service))
    time.sleep(1.5)
    create(client, "c3", "c4", "c5")
    assert [e["seq"] for e in tail.lines()] == [4, 5]
    assert tail.wait() == 0
    client.close()


def test_tail_of_an_endpoint_replays_with_api(fixture_service, tails):
    service = fixture_service()
    client = service.client()
    create(client, "e1", "e2", "e3")
    tail = tails(service.events, "--api", service.api, "--from-seq", "2", "-n", "2")
    assert [e["key"] for e in tail.lines()] == ["e2", "e3"]
    assert tail.wait() == 0
    client.close()


def test_tail_fills_what_the_wire_dropped(fixture_service, tails):
    """A tail that does not keep up (its stdout is not read, so it blocks on write)
    loses events at the high-water marks; gaps are filled by replay before anything
    later is printed."""
    service = fixture_service(env={"EVENTS_HWM": "1"})
    count = 20000
    tail = tails("fixture", "--from-seq", "1", "-n", str(count),
                 env=dict(env_for(service), EVENTS_HWM="1"))
    time.sleep(1.5)   # subscribed
    harness.Writer(service.api, "g", window=64).write(count)
    events = tail.lines(timeout=120)
    assert tail.wait() == 0, tail.stderr()
    assert [e["seq"] for e in events] == list(range(1, count + 1))
    assert replays(service) >= 1, "nothing was dropped: the test proved nothing"


# tail -n counts what it prints.

def test_tail_count_counts_printed_lines(fixture_service, tails):
    service = fixture_service()
    client = service.client()
    env = env_for(service)
    # Only item.closed is printed: the item.created events before it do not count.
    tail = tails("fixture", "item.closed", "-n", "2", env=env)
    time.sleep(1.5)
    create(client, "x", "y", "z")
    for i in ("x", "y", "z"):
        client.call("item.close", {"id": i})
    closed = tail.lines()
    assert tail.wait() == 0
    assert [(e["type"], e["key"]) for e in closed] == [("item.closed", "x"), ("item.closed", "y")]
    # Heartbeats count when --heartbeats prints them: 4 lines in all, events and heartbeats.
    tail = tails("fixture", "-n", "4", "--heartbeats", env=env)
    assert tail.line()["type"] == "sys.heartbeat"
    create(client, "w")
    lines = [tail.line() for _ in range(3)]
    assert tail.wait() == 0
    assert tail.out.get(timeout=5) is None   # nothing more than 4 lines
    assert [line["key"] for line in lines if line["type"] == "item.created"] == ["w"]
    client.close()
