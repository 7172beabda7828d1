#!/bin/sh
# Runs the tests against one build folder and prints one summary line that CI
# recognises: "TOTAL: N passed, M failed". Exits non-zero if anything failed.
#   tests/run.sh BUILD [unit|system]
set -u
build=${1:?usage: tests/run.sh BUILD [unit|system]}
which=${2:-all}
cd "$(dirname "$0")/.." || exit 2

# Sanitizers: any report fails the test that caused it (also in service
# processes, whose exit code the system tests check).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

if [ "$which" = all ] || [ "$which" = unit ]; then
    for test in "$build"/tests/test_*; do
        [ -x "$test" ] || continue
        name=$(basename "$test")
        "$test" >"$log/$name.out" 2>&1
        code=$?
        line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log/$name.out" | tail -n 1)
        p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
        f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
        if [ -z "$line" ] || [ "$code" -ne 0 ]; then
            # A crash or a sanitizer report counts as one more failure.
            [ -z "$f" ] && f=0
            [ "$code" -ne 0 ] && [ "$f" -eq 0 ] && f=1
            [ -z "$p" ] && p=0
            echo "--- $name (exit $code) ---"
            tail -n 60 "$log/$name.out"
        fi
        echo "unit $name: $p passed, $f failed"
        passed=$((passed + p))
        failed=$((failed + f))
    done
fi

if [ "$which" = all ] || [ "$which" = system ]; then
    BIN_DIR="$PWD/$build/bin" /usr/bin/python3 -m pytest -p no:cacheprovider -q -rfE \
        tests/system 2>&1 | tee "$log/pytest.out"
    summary=$(tail -n 1 "$log/pytest.out")
    p=$(echo "$summary" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
    f=0
    for n in $(echo "$summary" | grep -oE '[0-9]+ (failed|error|errors)' | grep -oE '[0-9]+'); do
        f=$((f + n))
    done
    [ -z "$p" ] && p=0
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        f=1  # pytest itself failed to run
    fi
    echo "system: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
fi

echo "TOTAL: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
