"""test-docker's crash step, against dispatch in its container.

A stream of idempotent work-order creates (each with its own `idem` key, a
window of them in flight); once KILL_AFTER are acknowledged, KILL_COMMAND runs
(test-docker kills the container's process from the host, which the daemon
sees as a crash and restarts). A request without a reply in time is sent again
on a new socket, unchanged, with the same id and idem key, until every one is
acknowledged. Then, read back over the API (events.replay):

- every create is one work order: COUNT distinct ids, and the same idem key
  asked again returns the same id;
- each has exactly one workorder.created event, and no other order of this
  run exists;
- the outbox's seq runs from 1 to last_seq with no gap and no repeat.

Every reply and event is checked against schemas/ (tests/system/harness.py).
Prints one JSON line of figures; exits 1 saying what is wrong.

    crash.py API RUN COUNT KILL_AFTER KILL_COMMAND...
"""
import json
import os
import subprocess
import sys
import time

# The harness makes a keys folder of its own when imported; this run's keys
# are test-docker's (KEYS_DIR), and dispatch in its container speaks CURVE.
KEYS_DIR = os.environ["KEYS_DIR"]
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "system"))
import harness  # noqa: E402
from harness import CONTRACT, Client  # noqa: E402

os.rmdir(harness.KEYS_DIR)
harness.KEYS_DIR = os.environ["KEYS_DIR"] = KEYS_DIR
os.environ["SHR_KEY"] = os.path.join(KEYS_DIR, "clients", "admin.key_secret")

WINDOW = 16
REPLY_TIMEOUT = 1.0   # then the unanswered requests are sent again
DEADLINE = 120.0      # for the whole stream


def fail(message):
    print("crash: FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def body_of(run, i):
    return {"customer_id": "C-%s-%d" % (run, i), "type": "repair", "priority": "normal",
            "channel": "phone", "region": "north", "description": "crash stream %s #%d" % (run, i)}


def envelope(run, i):
    # One text per request: a retry sends exactly the same body (member order too).
    return json.dumps({"v": 1, "id": "%s-%d" % (run, i), "op": "workorder.create",
                       "idem": "%s-%d" % (run, i), "body": body_of(run, i)}).encode()


def stream(api, run, count, kill_after, kill_command):
    harness.PEERS[api] = ("dispatch", True)
    client = Client(api, "dispatch")
    acked = {}          # i -> work order id
    pending = {}        # request id -> [i, when sent]
    sent = resent = timeouts = 0
    next_i = 0
    killed_at = None
    back_at = None      # the first reply to a request sent after the kill
    deadline = time.time() + DEADLINE
    while len(acked) < count:
        now = time.time()
        if now > deadline:
            fail("%d of %d creates acknowledged after %.0f s" % (len(acked), count, DEADLINE))
        while next_i < count and len(pending) < WINDOW:
            client.send_frames([b"", envelope(run, next_i)])
            pending["%s-%d" % (run, next_i)] = [next_i, now]
            next_i += 1
            sent += 1
        oldest = min(p[1] for p in pending.values())
        if not client.sock.poll(max(1, int((oldest + REPLY_TIMEOUT - now) * 1000))):
            if time.time() < oldest + REPLY_TIMEOUT:
                continue
            # A request without a reply in time: the service is down or was.
            # Lazy Pirate: a new socket, and every unanswered request again,
            # unchanged (its idem key makes a second arrival harmless).
            timeouts += 1
            client.reconnect()
            for rid, p in sorted(pending.items(), key=lambda kv: kv[1][0]):
                client.send_frames([b"", envelope(run, p[0])])
                p[1] = time.time()
                resent += 1
            continue
        frames = client.recv_frames()
        reply = json.loads(frames[1])
        CONTRACT.validate("envelope/reply.json", reply)
        p = pending.pop(reply["id"], None)
        if p is None:
            continue  # an answer to a request already answered
        i, sent_at = p
        if not reply["ok"]:
            if reply["error"]["code"] == "unavailable":
                pending[reply["id"]] = [i, time.time()]  # nothing happened: again
                client.send_frames([b"", envelope(run, i)])
                resent += 1
                continue
            fail("create %d: %s" % (i, reply["error"]))
        CONTRACT.validate("dispatch/workorder.create.reply.json", reply["body"])
        acked[i] = reply["body"]["id"]
        if killed_at is not None and back_at is None and sent_at > killed_at:
            back_at = time.time()
        if killed_at is None and len(acked) >= kill_after:
            print("crash: %d acknowledged, %d in flight: killing dispatch" % (len(acked), len(pending)),
                  file=sys.stderr)
            killed_at = time.time()
            subprocess.run(kill_command, check=True)
    client.close()
    if killed_at is None:
        fail("the kill never ran")
    return acked, {"sent": sent, "resent": resent, "timeouts": timeouts,
                   "back_after_ms": int(((back_at or killed_at) - killed_at) * 1000)}


def replay_all(client):
    events, seq, last = [], 1, None
    while True:
        page = client.call("events.replay", {"from_seq": seq, "limit": 1000})
        last = page["last_seq"]
        events += page["events"]
        if not page["events"] or page["events"][-1]["seq"] >= last:
            return events, last
        seq = page["events"][-1]["seq"] + 1


def check(api, run, count, acked):
    client = Client(api, "dispatch")
    if len(acked) != count or len(set(acked.values())) != count:
        fail("%d acknowledged creates gave %d distinct work orders" % (len(acked),
                                                                      len(set(acked.values()))))
    # The idempotency records survived the crash with their changes.
    for i in list(acked)[:5] + list(acked)[-5:]:
        reply = client.raw(envelope(run, i))
        if not reply["ok"] or reply["body"]["id"] != acked[i]:
            fail("idem %s-%d again: %s, first %s" % (run, i, reply, acked[i]))
    events, last_seq = replay_all(client)
    for event in events:
        CONTRACT.validate("envelope/event.json", event)
        CONTRACT.validate("events/%s.json" % event["type"], event["data"])
    seqs = [e["seq"] for e in events]
    if seqs != list(range(1, last_seq + 1)):
        missing = sorted(set(range(1, last_seq + 1)) - set(seqs))
        fail("seq has gaps or repeats: %d events for last_seq %d, missing %s" % (
            len(seqs), last_seq, missing[:10]))
    prefix = "C-%s-" % run
    created = {}
    for e in events:
        if e["type"] == "workorder.created" and e["data"]["customer_id"].startswith(prefix):
            created.setdefault(e["key"], []).append(e["seq"])
    twins = {k: v for k, v in created.items() if len(v) != 1}
    if twins:
        fail("work orders with more than one workorder.created: %s" % list(twins.items())[:5])
    if set(created) != set(acked.values()):
        extra = sorted(set(created) - set(acked.values()))
        lost = sorted(set(acked.values()) - set(created))
        fail("created events and acknowledged creates differ: extra %s, without event %s" % (
            extra[:5], lost[:5]))
    client.close()
    return {"last_seq": last_seq, "created_events": len(created)}


def main():
    if len(sys.argv) < 6:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    api, run, count, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    acked, figures = stream(api, run, count, kill_after, sys.argv[5:])
    figures.update(check(api, run, count, acked))
    figures["acknowledged"] = len(acked)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
