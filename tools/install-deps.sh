#!/bin/sh
# Installs the Debian packages that building and testing need, if any are missing.
# Fast when all are present (one dpkg-query); needs root (or sudo) otherwise.
set -eu

PACKAGES="build-essential pkg-config libzmq3-dev libczmq-dev libsqlite3-dev libcjson-dev
python3 python3-zmq python3-jsonschema python3-pytest json-schema-test-suite
clang libclang-rt-14-dev sqlite3 valgrind"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "install-deps: missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: not root and no sudo; run as root: apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2 || { echo "install-deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2 \
    || { echo "install-deps: apt-get install failed for:$missing" >&2; exit 1; }
echo "install-deps: installed:$missing" >&2
