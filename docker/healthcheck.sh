#!/bin/sh
# The image's HEALTHCHECK: healthy while the service in this container answers
# sys.health with status "ok" (degraded, failing or no reply is not), and in
# its first HEALTHCHECK_GRACE_S seconds (default 60) also while it is degraded
# only because a source is not reached yet (database ok, no consumer failing).
# The grace is for swarm, where a task's name resolves only once the task is
# healthy (moby/moby#36737): dispatch, inventory and procurement consume each
# other's events, so none could be healthy before the others were.
# It asks the port the service binds (BIND_API), on the loopback interface,
# with the service's own key (SHR_KEY, set by the image).
set -eu
api=$(printf '%s' "${BIND_API:?BIND_API is not set}" | sed 's,^tcp://\(\*\|0\.0\.0\.0\):,tcp://127.0.0.1:,')
reply=$(shrctl --timeout "${HEALTHCHECK_TIMEOUT_MS:-2000}" --retries 0 --service "${SERVICE:?}" \
    call "$api" sys.health) || exit 1
has() { printf '%s\n' "$reply" | grep -Eq "$1"; }
uptime=$(printf '%s\n' "$reply" | sed -n 's/.*"uptime_s":[[:space:]]*\([0-9]*\).*/\1/p')
if has '"status":[[:space:]]*"ok"'; then
    echo ok
elif has '"status":[[:space:]]*"degraded"' && has '"db":[[:space:]]*"ok"' \
    && ! has '"state":[[:space:]]*"failing"' && [ "${uptime:-999999}" -lt "${HEALTHCHECK_GRACE_S:-60}" ]; then
    echo "ok: starting, a source not reached yet"
else
    printf '%s\n' "$reply"
    exit 1
fi
