#!/bin/sh
# The CURVE keys for the containers: makes what is missing in the keys folder
# (shrctl keys init: a key pair per service, trusted with the role service,
# and the client admin), then lets the containers' user read the services'
# secret keys: group 10001 (the images' aftersales), mode 0640. Their owner
# keeps them, so that make run and the host's shrctl go on using the folder;
# the clients' secrets (clients/) stay the owner's alone.
#   tools/docker-keys.sh [DIR]     DIR: default $KEYS_DIR, else ./keys
# compose.yaml mounts the same folder (KEYS_DIR, default ./keys) read-only.
# Makes the keys with the host's build/bin/shrctl, else with the image's; the
# group is set by a throwaway container when this is not run as root.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-${KEYS_DIR:-./keys}}
DOCKER=${DOCKER:-docker}
IMAGE=${IMAGE:-aftersales/dispatch:${TAG:-latest}}
GID=10001
services=$(sed -n 's/^\([a-z][a-z0-9_-]*\)[[:space:]].*/\1/p' services/list.txt)

say() { echo "docker-keys: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ -x build/bin/shrctl ]; then
    # shellcheck disable=SC2086
    build/bin/shrctl keys init --dir "$dir" $services >&2 || die "shrctl keys init failed"
else
    # shellcheck disable=SC2086
    $DOCKER run --rm --user "$(id -u):$(id -g)" -v "$dir:/keys" "$IMAGE" \
        shrctl keys init --dir /keys $services >&2 || die "shrctl keys init (in $IMAGE) failed"
fi
secrets=""
for s in $services; do
    [ -f "$dir/$s.key_secret" ] || die "$dir/$s.key_secret is missing"
    secrets="$secrets $s.key_secret"
done
if [ "$(id -u)" -eq 0 ]; then
    # shellcheck disable=SC2086
    (cd "$dir" && chgrp $GID $secrets && chmod 640 $secrets)
else
    # shellcheck disable=SC2086
    $DOCKER run --rm --user 0 -v "$dir:/keys" -w /keys "$IMAGE" sh -c "chgrp $GID $secrets && chmod 640 $secrets" \
        || die "could not give the services' secret keys to group $GID (in $IMAGE)"
fi
say "keys in $dir: the services' secrets readable by group $GID (the containers' user)"
