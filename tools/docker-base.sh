#!/bin/sh
# Makes the base image debian:bookworm-slim locally when the daemon lacks it:
# no image registry can be reached from here, Debian's archive can. The image
# is debootstrap's minbase trimmed the way Debian's official slim image is
# (no docs, man pages or locales, apt caches off), with the apt sources this
# machine uses. The root file system is kept as a tarball in the cache folder,
# so that a daemon whose images were removed gets it back in seconds.
#   tools/docker-base.sh            make it if absent (fast when present)
#   tools/docker-base.sh --rebuild  debootstrap again, replace image and tarball
# Environment: DOCKER (the client, default docker), AFTERSALES_CACHE (default
# ~/.cache/aftersales), MIRROR and SECURITY_MIRROR (default: what
# /etc/apt/sources.list* name, else deb.debian.org). Needs root (debootstrap).
set -eu

DOCKER=${DOCKER:-docker}
IMAGE=debian:bookworm-slim
CACHE=${AFTERSALES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aftersales}
TARBALL=$CACHE/debian-bookworm-slim.tar.gz
rebuild=0
[ "${1:-}" = --rebuild ] && rebuild=1

say() { echo "docker-base: $*" >&2; }
die() { say "$*"; exit 1; }

if [ $rebuild -eq 0 ] && $DOCKER image inspect $IMAGE >/dev/null 2>&1; then
    say "$IMAGE is present"
    exit 0
fi

import() {
    # The official image's PATH and command; the label tells it from the real one.
    $DOCKER import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        --change 'LABEL org.opencontainers.image.description="debootstrap --variant=minbase bookworm, slimmed (tools/docker-base.sh)"' \
        "$TARBALL" $IMAGE >/dev/null || die "docker import of $TARBALL failed"
    say "$IMAGE imported from $TARBALL ($(du -h "$TARBALL" | cut -f1) compressed)"
}

if [ $rebuild -eq 0 ] && [ -s "$TARBALL" ]; then
    import
    exit 0
fi

command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install debootstrap)"
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"

# The mirrors this machine's apt uses, one-line and deb822 formats alike.
uris() {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        sed -n -e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
            -e 's/^URIs:[[:space:]]*//p' | tr ' ' '\n' | sed 's,/*$,,'
}
MIRROR=${MIRROR:-$(uris | grep -E '^https?://.*/debian$' | head -n 1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-$(uris | grep -E '^https?://.*/debian-security$' | head -n 1)}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

mkdir -p "$CACHE"
root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
trap 'rm -rf "$root" "$TARBALL.part"' EXIT
start=$(date +%s)
say "debootstrap --variant=minbase bookworm from $MIRROR (about a minute)..."
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; rm -f "$root.log"; die "debootstrap failed (log above)"; }
rm -f "$root.log"

# As Debian's slim images (debuerreotype): dpkg leaves out docs, man pages and
# locales from now on, apt keeps no caches, no daemon starts during installs.
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# What was installed before the excludes existed.
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -depth -type d -empty -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$root"/usr/share/man/* "$root"/usr/share/groff/* "$root"/usr/share/info/* \
    "$root"/usr/share/lintian/* "$root"/var/cache/man/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/var/log/bootstrap.log "$root"/var/log/dpkg.log "$root"/var/log/apt/*
# The host's files that debootstrap copied; docker mounts its own over them.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"
# The same suites as the official image, from this machine's mirror.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

tar --numeric-owner -C "$root" -c . | gzip -1 >"$TARBALL.part"
mv "$TARBALL.part" "$TARBALL"
say "root file system $(du -sh "$root" | cut -f1), tarball $TARBALL"
import
say "made $IMAGE in $(( $(date +%s) - start )) s"
