#!/bin/sh
# The image's HEALTHCHECK: healthy only while the service in this container
# answers sys.health with status "ok" (degraded, failing or no reply is not).
# It asks the port the service binds (BIND_API), on the loopback interface,
# with the service's own key (SHR_KEY, set by the image).
set -eu
api=$(printf '%s' "${BIND_API:?BIND_API is not set}" | sed 's,^tcp://\(\*\|0\.0\.0\.0\):,tcp://127.0.0.1:,')
reply=$(shrctl --timeout "${HEALTHCHECK_TIMEOUT_MS:-2000}" --retries 0 --service "${SERVICE:?}" \
    call "$api" sys.health) || exit 1
if printf '%s\n' "$reply" | grep -Eq '"status":[[:space:]]*"ok"'; then
    echo ok
else
    printf '%s\n' "$reply"
    exit 1
fi
