#!/bin/sh
# make bench: every benchmark, each figure beside the limit it is compared with.
#   tests/bench/run.sh BUILD
#   BENCH_SECONDS  length of one side's step in a round (default 1)
#   BENCH_ROUNDS   interleaved rounds per comparison (default 7)
#   BENCH_DIR      scratch folder's parent (default /tmp); must be a disk, not tmpfs
set -eu
build=${1:-build}
cd "$(dirname "$0")/../.."
for bench in "$build"/bench/bench_*; do
    [ -x "$bench" ] || continue
    echo "== $(basename "$bench")"
    "$bench" "$build/bin" "${BENCH_SECONDS:-1}" "${BENCH_ROUNDS:-7}"
    echo
done
