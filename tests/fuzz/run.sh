#!/bin/sh
# Builds the libFuzzer target with clang (ASan + UBSan) and runs it for a
# bounded time over a seed corpus. Exits non-zero on any finding.
#   FUZZ_SECONDS (default 60), FUZZ_JOBS (default 1)
set -eu
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
out=build/fuzz
mkdir -p "$out/corpus" "$out/artifacts"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
# libshared's port table is generated from services/list.txt.
make --no-print-directory build/gen/shr_ports.inc >&2
cflags="$(pkg-config --cflags libczmq libzmq sqlite3 libcjson) -Ilibshared -Ibuild/gen"
libs="$(pkg-config --libs libczmq libzmq sqlite3 libcjson) -lpthread -lm"
echo "fuzz: building $out/fuzz_request" >&2
# shellcheck disable=SC2086
clang $flags $cflags -o "$out/fuzz_request" tests/fuzz/fuzz_request.c \
    libshared/*.c $libs
echo "fuzz: running for ${seconds}s (corpus $out/corpus, findings in $out/artifacts)" >&2
ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_request" -max_total_time="$seconds" \
    -max_len=2000000 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict=tests/fuzz/request.dict -artifact_prefix="$out/artifacts/" "$out/corpus" tests/fuzz/seeds
