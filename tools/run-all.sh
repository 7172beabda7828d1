#!/bin/bash
# Starts every service in the foreground, data under ./var/, logs (one JSON object
# per line, each naming its service) to this terminal. Ctrl-C stops them all
# cleanly; if one dies on its own, the others are stopped too and the exit is non-zero.
# The bus is CURVE-secured as in production, with development keys made in
# ./keys on the first run (shrctl keys init; shrctl finds its admin key there);
# SHR_CURVE=off runs it plaintext, and every service warns so.
#   tools/run-all.sh BIN_DIR
set -u
bin=${1:-build/bin}
cd "$(dirname "$0")/.." || exit 2
# The one list of the services (name, API port).
services=$(sed -n 's/^\([a-z][a-z0-9_-]*\)[[:space:]].*/\1/p' services/list.txt)
export DATA_DIR=${DATA_DIR:-$PWD/var}
mkdir -p "$DATA_DIR"
export KEYS_DIR=${KEYS_DIR:-$PWD/keys}
if [ "${SHR_CURVE:-on}" != off ]; then
    "$bin/shrctl" keys init $services || exit 1
fi

declare -A pids
stop_all() {
    for name in "${!pids[@]}"; do
        kill -TERM "${pids[$name]}" 2>/dev/null
    done
    for name in "${!pids[@]}"; do
        wait "${pids[$name]}" 2>/dev/null
    done
}
trap 'echo "run-all: stopping" >&2; stop_all; exit 0' INT TERM

for name in $services; do
    "$bin/$name" &
    pids[$name]=$!
done
echo "run-all: started $services (data in $DATA_DIR); Ctrl-C stops them" >&2
echo "run-all: try: KEYS_DIR=$KEYS_DIR $bin/shrctl health" >&2

wait -n
code=$?
for name in "${!pids[@]}"; do
    if ! kill -0 "${pids[$name]}" 2>/dev/null; then
        echo "run-all: $name exited with $code; stopping the others" >&2
        unset "pids[$name]"
    fi
done
stop_all
exit 1
