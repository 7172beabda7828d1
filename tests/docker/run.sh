#!/bin/bash
# make test-docker: the images, compose.yaml and a one-node swarm, tested
# against the running containers, through the published ports on 127.0.0.1
# and the operator CLI. Needs root (it installs packages and may start
# dockerd); a machine without Docker gets Debian's, and the base image is made
# locally (tools/docker-base.sh). Everything it creates (containers, volumes,
# networks, the swarm, dockerd itself) it removes again, also on failure.
#   tests/docker/run.sh BIN_DIR      BIN_DIR holds the host's shrctl
# Ends with "test-docker: N steps passed" or "test-docker: FAILED: <step>: <why>".
set -eu -o pipefail
bin=${1:-build/bin}
cd "$(dirname "$0")/../.."
ROOT=$PWD
case "$bin" in /*) ;; *) bin=$ROOT/$bin ;; esac
SHRCTL=$bin/shrctl
PY=/usr/bin/python3
PROJECT=aftersales-test         # compose project: containers, volumes, network
STACK=aftersales-swarmtest      # swarm stack
RESTORE=aftersales-test-restore # the container and volume of the restore check
RUN=r$(date +%s)                # keys of this run's creates
CRASH_COUNT=400                 # creates in the crash stream ...
CRASH_KILL_AFTER=150            # ... the process killed once this many are acknowledged
MAX_INCREMENT_MB=30             # what an image may add to the base
TMP=$(mktemp -d /tmp/test-docker.XXXXXX)
chmod 755 "$TMP"                # the restore container reads the backups here

services=$(sed -n 's/^\([a-z][a-z0-9_-]*\)[[:space:]].*/\1/p' services/list.txt)
ports=$(sed -n 's/^[a-z][a-z0-9_-]*[[:space:]]*\([0-9][0-9]*\).*/\1/p' services/list.txt)
nservices=$(echo $services | wc -w)
# The test speaks to the published ports on 127.0.0.1 (the native defaults),
# whatever this shell's environment says.
for s in $services; do
    S=$(echo "$s" | tr 'a-z-' 'A-Z_')
    unset "${S}_API" "${S}_EVENTS"
done
unset REGISTRY TAG SHR_KEY SHR_CURVE
# The bus speaks CURVE: keys of this run, mounted read-only by every container
# (compose.yaml reads KEYS_DIR), the host's shrctl using the admin key there.
export KEYS_DIR=$TMP/keys
KEYS_MOUNT="$KEYS_DIR:/etc/aftersales/keys:ro"

# fd 3 is this script's stderr: a trap that fires inside a command whose stderr
# goes to a file still reports here.
exec 3>&2
now_ms() { date +%s%3N; }
T0=$(now_ms)
step_name="starting"
steps=0
figures=$TMP/figures
: >"$figures"
say() { echo "test-docker: $*" >&3; }
timings=$TMP/timings
: >"$timings"
step_done() {
    steps=$((steps + 1))
    echo "$(secs $(( $(now_ms) - step_t0 ))): $step_name" >>"$timings"
}
step() {
    [ "$step_name" = starting ] || step_done
    step_name=$1
    step_t0=$(now_ms)
    say "$1..."
}
fail() {
    say "FAILED: $step_name: $*"
    exit 1
}
figure() { echo "$*" >>"$figures"; }
secs() { echo "$(( ($1) / 1000 )).$(( ($1) % 1000 / 100 )) s"; }
# Runs a command with its output in $TMP/<name>.log, shown only if it fails.
logged() {
    local name=$1
    shift
    if ! "$@" >"$TMP/$name.log" 2>&1; then
        tail -n 30 "$TMP/$name.log" >&2
        fail "$* failed (output above)"
    fi
}

# --- cleanup, whatever happens --------------------------------------------------------
dockerd_state=""
swarm_created=0
DOCKER=""
COMPOSE=()
# Removes what this test makes; run at the start too, for what a killed run left.
remove_all() {
    $DOCKER rm -f "$RESTORE" >/dev/null 2>&1
    $DOCKER volume rm "$RESTORE" >/dev/null 2>&1
    compose down -v --remove-orphans -t 10 >/dev/null 2>&1
    if $DOCKER stack ls 2>/dev/null | grep -q "^$STACK "; then
        $DOCKER stack rm "$STACK" >/dev/null 2>&1
    fi
    stack_gone 60
    $DOCKER volume ls -q --filter "label=com.docker.stack.namespace=$STACK" | xargs -r $DOCKER volume rm >/dev/null 2>&1
}
cleanup() {
    local code=$?
    trap - EXIT INT TERM
    set +eu
    if [ -n "$DOCKER" ] && [ ${#COMPOSE[@]} -gt 0 ] && $DOCKER info >/dev/null 2>&1; then
        say "cleaning up..."
        remove_all
        [ $swarm_created -eq 1 ] && $DOCKER swarm leave --force >/dev/null 2>&1
        left=$($DOCKER ps -aq --filter "label=com.docker.compose.project=$PROJECT"; \
               $DOCKER ps -aq --filter "label=com.docker.stack.namespace=$STACK"; \
               $DOCKER volume ls -q --filter "label=com.docker.compose.project=$PROJECT")
        [ -n "$left" ] && say "left behind (remove by hand): $(echo $left)"
    fi
    [ "$dockerd_state" = started ] && tools/docker-env.sh stop 2>&3
    rm -rf "$TMP"
    if [ $code -eq 0 ]; then
        say "$steps steps passed in $(secs $(( $(now_ms) - T0 )))"
    elif [ $code -eq 130 ]; then
        say "interrupted in: $step_name, after $steps steps passed"
    else
        say "FAILED after $steps steps passed, in $(secs $(( $(now_ms) - T0 )))"
    fi
    exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/compose.yaml" -f "$ROOT/compose.override.yaml" "$@"; }
cid() { compose ps -q "$1"; }
stack_gone() {  # waits up to $1 s for the stack's containers to go
    local i=0
    while [ -n "$($DOCKER ps -aq --filter "label=com.docker.stack.namespace=$STACK")" ]; do
        i=$((i + 1))
        [ $i -gt $(( $1 * 2 )) ] && return 1
        sleep 0.5
    done
}
# Waits until COUNT containers that match FILTER (docker ps --filter) are
# healthy, at most LIMIT s.
wait_healthy() {
    local filter=$1 count=$2 limit=$3 start healthy
    start=$(now_ms)
    while :; do
        healthy=$($DOCKER ps -q --filter "$filter" --filter health=healthy | wc -l)
        [ "$healthy" -ge "$count" ] && break
        if [ $(( $(now_ms) - start )) -gt $(( limit * 1000 )) ]; then
            $DOCKER ps -a --filter "$filter" --format '  {{.Names}}: {{.Status}}' >&2
            fail "$healthy of $count containers healthy after $limit s"
        fi
        sleep 0.2
    done
}
# Waits up to 30 s until shrctl health (through the published ports) says
# every service is ok: a container is healthy in its first minute while a
# source is not reached yet (docker/healthcheck.sh), so healthy is not yet ok.
all_ok() {
    local i
    for i in $(seq 1 150); do
        "$SHRCTL" health >"$TMP/health" 2>&1 && return 0
        sleep 0.2
    done
    return 1
}
json_get() { "$PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
call() {  # call OP BODY: dispatch's reply body; fails the step on an error
    "$SHRCTL" -t 3000 call tcp://127.0.0.1:7101 "$@" 2>"$TMP/call.err" \
        || fail "shrctl call dispatch $1: $(cat "$TMP/call.err")"
}
ports_free() {
    for p in $ports; do
        for q in $p $((p + 1)); do
            # SO_REUSEADDR, as a server binds: a connection in TIME_WAIT does not count.
            "$PY" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$q" 2>/dev/null \
                || fail "port $q on 127.0.0.1 is taken (make run going?); the stack publishes it"
        done
    done
}

# A work order's whole life through the published port, and its events on the
# PUB port, read by shrctl tail from seq 1 (the stored ones, then live ones).
life() {
    local where=$1 wo events
    timeout 30 "$SHRCTL" tail tcp://127.0.0.1:7102 --api tcp://127.0.0.1:7101 --from-seq 1 -n 6 \
        >"$TMP/tail.out" 2>"$TMP/tail.err" &
    local tail_pid=$!
    call technician.upsert '{"id":"T-1","name":"Li Wei","region":"north","skills":[{"skill":"hvac","level":3}],"hourly_cost_cents":6000}' >/dev/null
    wo=$(call workorder.create '{"customer_id":"C-1","type":"repair","priority":"high","channel":"phone","region":"north","description":"AC not cooling","required_skill":"hvac"}' | json_get id)
    call workorder.assign "{\"id\":\"$wo\"}" >/dev/null
    call workorder.start "{\"id\":\"$wo\"}" >/dev/null
    call workorder.complete "{\"id\":\"$wo\",\"labour_minutes\":90,\"parts_used\":[{\"part_id\":\"P-9\",\"qty\":2,\"unit_price_cents\":5000,\"unit_cost_cents\":3000}]}" >/dev/null
    call workorder.accept "{\"id\":\"$wo\",\"customer_score\":9}" >/dev/null
    status=$(call workorder.get "{\"id\":\"$wo\"}" | json_get status)
    [ "$status" = accepted ] || fail "$where: $wo is $status after accept"
    wait $tail_pid || fail "$where: shrctl tail did not print 6 events: $(cat "$TMP/tail.err")"
    events=$("$PY" -c 'import json, sys
print(" ".join("%d:%s" % (e["seq"], e["type"]) for e in map(json.loads, open(sys.argv[1]))))' "$TMP/tail.out")
    [ "$events" = "1:technician.updated 2:workorder.created 3:workorder.assigned 4:workorder.started 5:workorder.completed 6:workorder.accepted" ] \
        || fail "$where: events on the PUB port: $events"
    say "  $where: $wo accepted; events $events"
}

# complaints follows dispatch's events: the accepted order has a survey,
# answered by the score its acceptance carried (life's WO-000001, score 9).
followed() {
    local where=$1 i score=""
    for i in $(seq 1 50); do
        score=$("$SHRCTL" -t 3000 call complaints survey.list '{"workorder_id":"WO-000001"}' 2>"$TMP/call.err" \
            | "$PY" -c 'import json, sys
items = json.load(sys.stdin)["items"]
print(items[0]["score"] if items and items[0]["status"] == "answered" else "")') || true
        [ "$score" = 9 ] && break
        sleep 0.2
    done
    [ "$score" = 9 ] || fail "$where: complaints has no answered survey of WO-000001 with score 9 (got '$score'; $(cat "$TMP/call.err"))"
    say "  $where: complaints followed dispatch: WO-000001's survey answered with its acceptance score 9"
}

# analytics follows dispatch and complaints: the day's report has life's one
# completed order and its score 9 (shrctl's table would do for a person; the
# test reads --json).
measured() {
    local where=$1 i got="" today
    today=$(date -u +%F)
    for i in $(seq 1 50); do
        got=$("$SHRCTL" -t 3000 call analytics kpi.report "{\"from\":\"$today\",\"to\":\"$today\"}" 2>"$TMP/call.err" \
            | "$PY" -c 'import json, sys
k = {x["kpi"]: x for x in json.load(sys.stdin)["groups"][0]["kpis"]}
print("%s %s" % (k["avg_repair_time"]["facts"], float(k["satisfaction_score"]["value"])))') || true
        [ "$got" = "1 9.0" ] && break
        sleep 0.2
    done
    [ "$got" = "1 9.0" ] || fail "$where: analytics' report of today has not 1 completed order scored 9 (got '$got'; $(cat "$TMP/call.err"))"
    say "  $where: analytics followed both: today's report has 1 completed order, satisfaction 9.0"
}

# ask SERVICE OP BODY: the reply body of a call to the service by name (its
# published port); fails the step on an error.
ask() {
    local service=$1
    shift
    "$SHRCTL" -t 3000 call "$service" "$@" 2>"$TMP/call.err" \
        || fail "shrctl call $service $1: $(cat "$TMP/call.err")"
}
# await WHAT SERVICE OP BODY EXPR: asks until the Python expression EXPR is
# true of the reply r (at most 15 s); prints the last reply.
await() {
    local what=$1 service=$2 op=$3 body=$4 expr=$5 i reply=""
    for i in $(seq 1 75); do
        reply=$("$SHRCTL" -t 3000 call "$service" "$op" "$body" 2>"$TMP/call.err") || reply=""
        [ -n "$reply" ] && "$PY" -c "import json, sys
r = json.loads(sys.argv[1])
sys.exit(0 if ($expr) else 1)" "$reply" && { echo "$reply"; return 0; }
        sleep 0.2
    done
    fail "$what: not within 15 s (last reply of $service $op: ${reply:-none; $(cat "$TMP/call.err")})"
}

# contracts follows complaints' customer file and answers coverage by date: a
# product registered with a warranty to the end of 2030 is covered on a day in
# it by the manufacturer (and asset.registered was published).
covered() {
    local where=$1 covered
    local serial="SN-$where"
    "$SHRCTL" -t 3000 call complaints customer.upsert '{"id":"C-9","name":"Zhao Lei","region":"north","consent":true}' \
        >/dev/null 2>"$TMP/call.err" || fail "$where: customer.upsert: $(cat "$TMP/call.err")"
    "$SHRCTL" -t 3000 call contracts asset.register "{\"serial\":\"$serial\",\"model\":\"AC-300\",\"customer_id\":\"C-9\",\"installed_on\":\"2026-01-10\",\"warranty\":{\"ends_on\":\"2030-12-31\",\"parts\":true,\"labour\":true}}" \
        >/dev/null 2>"$TMP/call.err" || fail "$where: asset.register: $(cat "$TMP/call.err")"
    covered=$("$SHRCTL" -t 3000 call contracts asset.get "{\"serial\":\"$serial\",\"on\":\"2028-06-01\"}" 2>"$TMP/call.err" \
        | json_get covered_by) || fail "$where: asset.get: $(cat "$TMP/call.err")"
    [ "$covered" = manufacturer ] || fail "$where: $serial on 2028-06-01 is covered by '$covered', not manufacturer"
    say "  $where: contracts registered $serial; on 2028-06-01 it is covered by the manufacturer"
}

# The parts loop across dispatch, inventory and procurement, by their events
# alone: a diagnosis needs a part with no stock -> inventory back-orders it
# and dispatch's order waits for parts -> the stock is below its reorder point
# -> procurement has a requisition -> procurement.run orders it (approved at
# once, under the limit) -> inventory has it on order -> the receipt fills
# the back-order -> dispatch resumes the order by itself.
parts_loop() {
    local where=$1 wo qty po
    ask inventory warehouse.upsert '{"id":"WH-N","name":"North","regions":["north"]}' >/dev/null
    # One in stock, above its reorder point 0 once the policy comes: no alert yet.
    ask inventory part.upsert '{"sku":"P-LOOP","name":"relay","category":"hvac"}' >/dev/null
    ask inventory stock.adjust '{"sku":"P-LOOP","warehouse_id":"WH-N","counted":1,"reason":"opening count","unit_cost_cents":1000}' >/dev/null
    ask inventory part.upsert '{"sku":"P-LOOP","name":"relay","category":"hvac","policies":[{"warehouse_id":"WH-N","kind":"fixed","reorder_point":0,"order_up_to":5}]}' >/dev/null
    ask procurement supplier.upsert '{"id":"S-1","name":"Relays Ltd","lead_time_days":3}' >/dev/null
    ask procurement supplier.price.set '{"supplier_id":"S-1","sku":"P-LOOP","valid_from":"2020-01-01T00:00:00Z","breaks":[{"min_qty":1,"unit_price_cents":1200}]}' >/dev/null
    wo=$(call workorder.create '{"customer_id":"C-2","type":"repair","priority":"high","channel":"phone","region":"north","description":"relay burnt","required_skill":"hvac"}' | json_get id)
    call workorder.assign "{\"id\":\"$wo\"}" >/dev/null
    call workorder.start "{\"id\":\"$wo\"}" >/dev/null
    call workorder.diagnose "{\"id\":\"$wo\",\"text\":\"relay burnt\",\"parts_needed\":[{\"part_id\":\"P-LOOP\",\"qty\":3}]}" >/dev/null
    await "$where: $wo waiting for parts" dispatch workorder.get "{\"id\":\"$wo\"}" 'r["status"] == "waiting_parts"' >/dev/null
    # 1 reserved, 2 back-ordered: position -2, order up to 5: a requisition for 7.
    qty=$(await "$where: procurement's requisition from inventory's reorder alert" procurement requisition.list \
        '{"sku":"P-LOOP","warehouse_id":"WH-N","status":"open"}' 'len(r["items"]) == 1 and r["items"][0]["source"] == "reorder"' \
        | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["qty"])')
    [ "$qty" = 7 ] || fail "$where: the requisition is for $qty, expected 7"
    po=$(ask procurement procurement.run '{}' | "$PY" -c 'import json, sys
o = json.load(sys.stdin)["orders"]
print(o[0]["id"] if len(o) == 1 and o[0]["supplier_id"] == "S-1" and o[0]["status"] == "approved" else "")')
    [ -n "$po" ] || fail "$where: procurement.run made no approved order to S-1"
    await "$where: inventory has $po on order" inventory stock.get '{"sku":"P-LOOP","warehouse_id":"WH-N"}' 'r["on_order"] == 7' >/dev/null
    ask procurement po.receive "{\"id\":\"$po\",\"lines\":[{\"sku\":\"P-LOOP\",\"accepted\":7}]}" >/dev/null
    await "$where: $wo resumed once the receipt filled its back-order" dispatch workorder.get "{\"id\":\"$wo\"}" 'r["status"] == "in_progress"' >/dev/null
    await "$where: the stock after the receipt" inventory stock.get '{"sku":"P-LOOP","warehouse_id":"WH-N"}' \
        'r["on_hand"] == 8 and r["reserved"] == 3 and r["backordered"] == 0 and r["on_order"] == 0' >/dev/null
    say "  $where: parts loop: $wo waited for P-LOOP, requisition of 7, $po approved and received, all 3 reserved, $wo resumed"
}

# --- the steps ------------------------------------------------------------------------

step "getting a Docker engine"
dockerd_state=$(tools/docker-env.sh start) || fail "tools/docker-env.sh start failed"
# The compose file check reads YAML (docker-compose brings it; the plugin does not).
if ! "$PY" -c 'import yaml' 2>/dev/null; then
    logged yaml apt-get install -y -q --no-install-recommends python3-yaml
fi
DOCKER=$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )
if $DOCKER compose version >/dev/null 2>&1; then
    COMPOSE=("$DOCKER" compose)
else
    COMPOSE=(docker-compose)
fi
say "  dockerd $dockerd_state; $($DOCKER version --format 'client {{.Client.Version}}, engine {{.Server.Version}}'); $("${COMPOSE[@]}" version --short 2>/dev/null | head -n 1) (${COMPOSE[*]})"
# A previous run that was killed may have left its stack behind.
remove_all || true
ports_free

step "checking compose.yaml and docker/stack.yaml against services/list.txt"
logged check_compose "$PY" tests/docker/check_compose.py

step "making the base image debian:bookworm-slim if absent"
DOCKER=$DOCKER logged base tools/docker-base.sh
sed 's/^/  /' "$TMP/base.log" >&2
figure "base image: $(secs $(( $(now_ms) - step_t0 ))) ($(grep -q 'is present' "$TMP/base.log" && echo present || echo made))"

step "building the images, making the keys"
logged build compose build
build_ms=$(( $(now_ms) - step_t0 ))
base_size=$($DOCKER image inspect -f '{{.Size}}' debian:bookworm-slim)
figure "image builds: $(secs $build_ms) ($(grep -c 'Using cache' "$TMP/build.log" || true) cached steps)"
figure "base debian:bookworm-slim: $((base_size / 1000000)).$((base_size / 100000 % 10)) MB"
for s in $services; do
    size=$($DOCKER image inspect -f '{{.Size}}' "aftersales/$s:latest")
    inc=$(( (size - base_size) / 100000 ))
    figure "image aftersales/$s: $((size / 1000000)).$((size / 100000 % 10)) MB, $((inc / 10)).$((inc % 10)) MB over the base"
    [ $(( size - base_size )) -le $(( MAX_INCREMENT_MB * 1000000 )) ] \
        || fail "aftersales/$s adds $((inc / 10)) MB to the base, more than $MAX_INCREMENT_MB MB"
done
DOCKER=$DOCKER logged keys tools/docker-keys.sh "$KEYS_DIR"

step "starting the stack (compose) and waiting for every container to be healthy"
up_t0=$(now_ms)
logged up compose up -d
up_ms=$(( $(now_ms) - up_t0 ))
wait_healthy "label=com.docker.compose.project=$PROJECT" "$nservices" 90
figure "compose up to all healthy: $(secs $(( $(now_ms) - up_t0 ))) (up -d returned after $(secs $up_ms); health checks every 3 s)"
all_ok || { cat "$TMP/health" >&2; fail "shrctl health through the published ports: not all ok within 30 s"; }
# From inside: every container reaches the others by name (<SERVICE>_API=tcp://<service>:<port>).
for s in $services; do
    $DOCKER exec "$(cid "$s")" shrctl health >"$TMP/health" 2>&1 \
        || { cat "$TMP/health" >&2; fail "shrctl health inside $s"; }
done
# CURVE is on: sys.health says so, and a plaintext client gets no reply at all.
security=$("$SHRCTL" call dispatch sys.health | json_get security)
[ "$security" = curve ] || fail "dispatch's sys.health says security $security"
code=0
SHR_CURVE=off "$SHRCTL" -t 1000 -r 0 call tcp://127.0.0.1:7101 sys.ping >/dev/null 2>&1 || code=$?
[ $code -eq 3 ] || fail "a plaintext client got an answer from dispatch (shrctl exit $code, expected 3)"
say "  all $nservices healthy; shrctl health ok from the host and from each container; CURVE on, plaintext refused"

step "driving a work order's life through the published ports"
life compose
followed compose
measured compose
parts_loop compose
covered compose
stats=$($DOCKER stats --no-stream --format '{{.Name}} {{.MemUsage}}' $(compose ps -q) | sed 's/ \/ .*//')
for s in $services; do
    rss=$("$SHRCTL" call "$s" sys.stats | json_get rss_kb)
    figure "memory $s: $(echo "$stats" | grep "_${s}_\|-${s}-" | awk '{print $2}') (docker stats), rss $((rss / 1024)) MB (sys.stats)"
done

step "killing dispatch's process in a stream of idempotent creates"
c=$(cid dispatch)
pid=$($DOCKER inspect -f '{{.State.Pid}}' "$c")
restarts=$($DOCKER inspect -f '{{.RestartCount}}' "$c")
# SIGKILL from the host is a crash to the daemon, which restarts the container
# (restart: unless-stopped). docker kill would not do: the daemon counts it as
# a stop on purpose and leaves the container down; nor kill -9 1 inside it:
# the kernel keeps signals from a container's own init.
"$PY" tests/docker/crash.py tcp://127.0.0.1:7101 "$RUN" "$CRASH_COUNT" "$CRASH_KILL_AFTER" \
    kill -9 "$pid" >"$TMP/crash.json" 2>"$TMP/crash.err" \
    || { cat "$TMP/crash.err" >&2; fail "the crash stream"; }
now=$($DOCKER inspect -f '{{.RestartCount}}' "$c")
[ "$now" -eq $((restarts + 1)) ] || fail "dispatch restarted $((now - restarts)) times, expected once"
wait_healthy "id=$c" 1 30
compose logs --no-color dispatch >"$TMP/logs" 2>&1
[ "$(grep -c '"msg":"started' "$TMP/logs")" -eq 2 ] || fail "compose logs dispatch does not show its two starts"
counts=$($DOCKER exec "$c" sqlite3 -readonly /var/lib/aftersales/dispatch.db \
    "SELECT count(*), count(DISTINCT id) FROM workorder WHERE customer_id LIKE 'C-$RUN-%';
     SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM shr_outbox;" | tr '\n' ' ')
last_seq=$(json_get last_seq <"$TMP/crash.json")
[ "$counts" = "$CRASH_COUNT|$CRASH_COUNT $last_seq|1|$last_seq " ] \
    || fail "in dispatch.db: orders of the run, distinct | outbox rows, min, max seq: $counts (expected $CRASH_COUNT orders, seq 1..$last_seq)"
gap=$($DOCKER inspect -f '{{.State.FinishedAt}} {{.State.StartedAt}}' "$c" | "$PY" -c 'import datetime, sys
t = [datetime.datetime.fromisoformat(x[:26].rstrip("Z")) for x in sys.stdin.read().split()]
print(int((t[1] - t[0]).total_seconds() * 1000))')
say "  $(cat "$TMP/crash.json")"
say "  restarted once; dispatch.db: $CRASH_COUNT orders, each once; outbox seq 1..$last_seq, no gap"
figure "crash: restarted by the daemon $gap ms after the kill; first reply to a request sent after the kill in $(json_get back_after_ms <"$TMP/crash.json") ms (the client's 1 s timeout included); $(json_get resent <"$TMP/crash.json") of $CRASH_COUNT creates sent again"

step "backing up every database while it runs (sqlite3 .backup), restoring dispatch's"
mkdir -p "$TMP/backup"
chmod 755 "$TMP/backup"
# Creates go on while the backups are taken (at most 3000, until told to stop).
( i=0
  while [ ! -e "$TMP/stop-writer" ] && [ $i -lt 3000 ]; do
      i=$((i + 1))
      "$SHRCTL" -q -i "$RUN-b$i" call tcp://127.0.0.1:7101 workorder.create \
          "{\"customer_id\":\"B-$i\",\"type\":\"repair\",\"priority\":\"low\",\"channel\":\"web\",\"region\":\"north\",\"description\":\"during the backup\"}" || exit 1
  done ) &
writer=$!
sleep 0.5
for s in $services; do
    c=$(cid "$s")
    logged backup-$s $DOCKER exec "$c" sqlite3 "/var/lib/aftersales/$s.db" ".backup /tmp/$s.db"
    logged cp-$s $DOCKER cp "$c:/tmp/$s.db" "$TMP/backup/$s.db"
    $DOCKER exec "$c" rm -f "/tmp/$s.db"
    check=$(sqlite3 "$TMP/backup/$s.db" "PRAGMA integrity_check")
    [ "$check" = ok ] || fail "backup of $s: integrity_check says $check"
done
touch "$TMP/stop-writer"
wait $writer || fail "creates during the backup failed"
chmod 644 "$TMP"/backup/*.db
# A snapshot of one moment: every order with its event, the outbox without a gap.
read -r orders created rows seq <<<"$(sqlite3 -separator ' ' "$TMP/backup/dispatch.db" \
    "SELECT (SELECT count(*) FROM workorder), (SELECT count(*) FROM shr_outbox WHERE type = 'workorder.created'),
            (SELECT count(*) FROM shr_outbox), (SELECT max(seq) FROM shr_outbox)")"
total=$($DOCKER exec "$(cid dispatch)" sqlite3 -readonly /var/lib/aftersales/dispatch.db "SELECT count(*) FROM workorder")
[ "$orders" = "$created" ] && [ "$rows" = "$seq" ] && [ "$orders" -gt $((CRASH_COUNT + 1)) ] && [ "$total" -gt "$orders" ] \
    || fail "the backup of dispatch: $orders orders, $created created events, $rows outbox rows up to seq $seq; $total orders now"
# Restore as README says (into a fresh volume here), and start on it.
$DOCKER volume create "$RESTORE" >/dev/null
logged restore $DOCKER run --rm -v "$RESTORE:/var/lib/aftersales" -v "$TMP/backup:/backup:ro" \
    aftersales/dispatch sh -c 'cd /var/lib/aftersales && rm -f dispatch.db-wal dispatch.db-shm && cp /backup/dispatch.db dispatch.db'
# It follows inventory's and contracts' events, as dispatch does: on the stack's
# network, or its sources would be unreachable and it degraded, never healthy.
net=$($DOCKER inspect -f '{{range $name, $v := .NetworkSettings.Networks}}{{$name}}{{end}}' "$(cid dispatch)")
logged restored $DOCKER run -d --name "$RESTORE" --network "$net" \
    -e INVENTORY_API=tcp://inventory:7131 -e INVENTORY_EVENTS=tcp://inventory:7132 \
    -e CONTRACTS_API=tcp://contracts:7151 -e CONTRACTS_EVENTS=tcp://contracts:7152 \
    -v "$RESTORE:/var/lib/aftersales" -v "$KEYS_MOUNT" aftersales/dispatch
wait_healthy "name=$RESTORE" 1 30
got=$($DOCKER exec "$RESTORE" shrctl call tcp://127.0.0.1:7101 events.replay '{"from_seq":1,"limit":1}' | json_get last_seq)
[ "$got" = "$seq" ] || fail "restored dispatch has last_seq $got, the backup $seq"
logged stop-restored $DOCKER stop -t 20 "$RESTORE"
$DOCKER rm "$RESTORE" >/dev/null
# A database newer than the binary: the service refuses to start (upgrades only go forward).
logged newer $DOCKER run --rm -v "$RESTORE:/var/lib/aftersales" aftersales/dispatch sqlite3 /var/lib/aftersales/dispatch.db \
    "INSERT INTO schema_migrations SELECT component, max(version) + 1, 'test-docker' FROM schema_migrations WHERE component = 'dispatch'"
code=0
timeout 30 $DOCKER run --rm --name "$RESTORE" -v "$RESTORE:/var/lib/aftersales" -v "$KEYS_MOUNT" aftersales/dispatch \
    >"$TMP/newer.log" 2>&1 || code=$?
grep -q "newer than this binary" "$TMP/newer.log" && [ $code -eq 1 ] \
    || { cat "$TMP/newer.log" >&2; fail "a newer database: exit $code, expected 1 and 'newer than this binary'"; }
$DOCKER volume rm "$RESTORE" >/dev/null
say "  $nservices backups pass integrity_check; dispatch's, taken while creates went on ($orders orders, each with its event, seq 1..$seq; $total orders after), restored into a fresh volume and served; a newer database is refused"

step "stopping and starting the stack: the data is in the volumes"
before=$(call events.replay '{"from_seq":1,"limit":1}' | json_get last_seq)
logged down compose down -t 30
logged up2 compose up -d
wait_healthy "label=com.docker.compose.project=$PROJECT" "$nservices" 90
after=$(call events.replay '{"from_seq":1,"limit":1}' | json_get last_seq)
status=$(call workorder.get '{"id":"WO-000001"}' | json_get status)
[ "$after" = "$before" ] && [ "$status" = accepted ] \
    || fail "after down and up: last_seq $after (was $before), WO-000001 $status"
say "  new containers on the same volumes: last_seq $after, WO-000001 accepted"

step "removing the stack with its volumes"
logged down-v compose down -v -t 30
[ -z "$($DOCKER volume ls -q --filter "label=com.docker.compose.project=$PROJECT")" ] || fail "volumes left"

step "deploying the same stack on a one-node swarm"
if [ "$($DOCKER info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    # Its management ports on the loopback interface only.
    logged swarm $DOCKER swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377
    swarm_created=1
fi
ports_free
up_t0=$(now_ms)
logged deploy $DOCKER stack deploy -c compose.yaml -c docker/stack.yaml "$STACK"
wait_healthy "label=com.docker.stack.namespace=$STACK" "$nservices" 120
figure "swarm deploy to all healthy: $(secs $(( $(now_ms) - up_t0 )))"
all_ok || { cat "$TMP/health" >&2; fail "shrctl health through the published ports: not all ok within 30 s"; }
task=$($DOCKER ps -q --filter "label=com.docker.stack.namespace=$STACK" --filter "label=com.docker.swarm.service.name=${STACK}_analytics")
$DOCKER exec "$task" shrctl health >"$TMP/health" 2>&1 \
    || { cat "$TMP/health" >&2; fail "shrctl health inside analytics: the services do not reach each other by name"; }
life swarm
followed swarm
measured swarm
parts_loop swarm
covered swarm
logged rm $DOCKER stack rm "$STACK"
stack_gone 60 || fail "the stack's containers are still there 60 s after docker stack rm"
$DOCKER volume ls -q --filter "label=com.docker.stack.namespace=$STACK" | xargs -r $DOCKER volume rm >/dev/null
if [ $swarm_created -eq 1 ]; then
    logged leave $DOCKER swarm leave --force
    swarm_created=0
fi
step_done

say "figures:"
sed 's/^/  /' "$figures" >&2
say "time per step:"
sed 's/^/  /' "$timings" >&2
