#!/bin/sh
# A Docker engine to run the containers on, on a Debian machine that may have
# none: installs Debian's docker.io, docker-compose (when there is no compose
# plugin) and debootstrap if missing, and starts dockerd if none answers.
#   tools/docker-env.sh start   prints "started" (it started dockerd) or "running"
#   tools/docker-env.sh stop    stops the dockerd that 'start' started, if any
# Needs root (or sudo) to install and to start the daemon. Where systemd runs,
# it asks systemd; elsewhere (containers, CI sandboxes) it runs dockerd itself,
# its pid in /run/aftersales-dockerd.pid and its log in /var/log/aftersales-dockerd.log.
set -eu

PIDFILE=/run/aftersales-dockerd.pid
LOG=/var/log/aftersales-dockerd.log
# Debian's client when there is one: the same version as Debian's daemon.
DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}

say() { echo "docker-env: $*" >&2; }
die() { say "$*"; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=none; fi
as_root() {
    [ "$SUDO" = none ] && die "not root and no sudo: cannot run $*"
    $SUDO "$@"
}
systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }
answers() { $DOCKER info >/dev/null 2>&1; }

install_missing() {
    missing=""
    for p in docker.io debootstrap; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if ! $DOCKER compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
        missing="$missing docker-compose"   # Debian 12 has no compose plugin package
    fi
    [ -z "$missing" ] && return 0
    say "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    log=$(mktemp)
    # apt's output only if it fails.
    as_root apt-get update -q >"$log" 2>&1 || { tail -n 20 "$log" >&2; rm -f "$log"; die "apt-get update failed"; }
    # shellcheck disable=SC2086
    as_root apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; rm -f "$log"; die "apt-get install failed for:$missing"; }
    rm -f "$log"
    say "installed:$missing"
    DOCKER=$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )
}

start() {
    install_missing
    if answers; then
        echo running
        return 0
    fi
    if systemd; then
        say "starting docker (systemctl)"
        as_root systemctl start docker >&2 || die "systemctl start docker failed"
        as_root touch "$PIDFILE.systemd"
    else
        say "starting dockerd (log $LOG)"
        # setsid: the daemon outlives this script and ignores the terminal's Ctrl-C.
        as_root sh -c "setsid dockerd >>'$LOG' 2>&1 </dev/null & echo \$! >'$PIDFILE'"
    fi
    i=0
    until answers; do
        i=$((i + 1))
        if [ $i -gt 60 ]; then
            tail -n 20 "$LOG" >&2 2>/dev/null || true
            die "dockerd does not answer after 30 s (log above)"
        fi
        sleep 0.5
    done
    echo started
}

stop() {
    if [ -e "$PIDFILE.systemd" ]; then
        say "stopping docker (systemctl)"
        as_root systemctl stop docker docker.socket >&2 || die "systemctl stop docker failed"
        as_root rm -f "$PIDFILE.systemd"
        return 0
    fi
    [ -s "$PIDFILE" ] || { say "no dockerd started by docker-env; nothing to stop"; return 0; }
    pid=$(cat "$PIDFILE")
    # Only the process this script started: it must still be a dockerd.
    if [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ]; then
        say "stopping dockerd (pid $pid)"
        as_root kill -TERM "$pid"
        i=0
        while [ -d /proc/"$pid" ]; do
            i=$((i + 1))
            [ $i -gt 120 ] && die "dockerd (pid $pid) still runs 60 s after SIGTERM"
            sleep 0.5
        done
    fi
    as_root rm -f "$PIDFILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: tools/docker-env.sh start|stop" >&2; exit 2 ;;
esac
