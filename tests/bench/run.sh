#!/bin/sh
# make bench: every benchmark, each figure beside the limit it is compared with.
#   tests/bench/run.sh BUILD   (BENCH_SECONDS per step, default 3)
set -eu
build=${1:-build}
cd "$(dirname "$0")/../.."
for bench in "$build"/bench/bench_*; do
    [ -x "$bench" ] || continue
    echo "== $(basename "$bench")"
    "$bench" "$build/bin" "${BENCH_SECONDS:-3}"
    echo
done
