#!/usr/bin/env bash
# Build local stand-ins for the base images docker-compose.yml and the
# Dockerfile pull from Docker Hub, for machines that reach Debian's mirror,
# PyPI, npm and the Go module proxy but no container registry.
#
#   local/debian:bookworm        debootstrap --variant=minbase, docker import
#   local/python:3.11-bookworm   Debian's Python 3.11 (for PYTHON_IMAGE)
#   local/node:20-bookworm       this host's Node 20 + npm (for NODE_IMAGE)
#   local/postgres:15-bookworm   Debian's PostgreSQL 15 (for POSTGRES_IMAGE)
#   local/livekit-server:v1.13.5 the Go-built binary (for LIVEKIT_IMAGE)
#
# Then: PYTHON_IMAGE=... NODE_IMAGE=... LIVEKIT_IMAGE=... POSTGRES_IMAGE=... docker compose up
# (scripts/compose-smoke.sh does all of it). Needs root (debootstrap), docker,
# node on PATH, and the livekit-server binary (scripts/build-livekit-server.sh).
#
#   ROOTFS        where debootstrap writes (default /tmp/pm-interviewer-rootfs)
#   DEBIAN_MIRROR default http://deb.debian.org/debian
#   EXTRA_CA      a PEM bundle appended to the images' CA store and used by pip
#                 and npm during builds (default: $PIP_CERT or $SSL_CERT_FILE
#                 when set: needed behind a TLS-intercepting egress proxy)
#   BUILD_NETWORK docker build --network (default: the bridge; host if it has no route out)
#   REBUILD=1     rebuild images that already exist
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rootfs="${ROOTFS:-/tmp/pm-interviewer-rootfs}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
extra_ca="${EXTRA_CA-${PIP_CERT:-${SSL_CERT_FILE:-}}}"
network="${BUILD_NETWORK:-default}"
livekit_version="${LIVEKIT_SERVER_VERSION:-v1.13.5}"

say() { echo "offline-images: $*" >&2; }
have() { [ "${REBUILD:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

# --- Debian root file system ---
if ! have local/debian:bookworm; then
  if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || { say "apt-get install debootstrap first"; exit 1; }
    say "debootstrap bookworm into $rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >&2
  fi
  cat > "$rootfs/etc/apt/apt.conf.d/90-container" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
APT
  echo "deb $mirror bookworm main" > "$rootfs/etc/apt/sources.list"
  echo "deb $mirror bookworm-updates main" >> "$rootfs/etc/apt/sources.list"
  echo "deb ${mirror%/debian}/debian-security bookworm-security main" >> "$rootfs/etc/apt/sources.list"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  say "docker import local/debian:bookworm"
  tar -C "$rootfs" --numeric-owner -c . \
    | docker import -c 'CMD ["bash"]' -c 'ENV LANG=C.UTF-8' - local/debian:bookworm >/dev/null
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT

# context: one image's directory plus extra-ca.pem (empty when no EXTRA_CA)
build() {
  local tag="$1" dir="$2"
  shift 2
  if have "$tag"; then say "$tag exists (REBUILD=1 to rebuild)"; return; fi
  rm -rf "$ctx/img" && cp -r "$here/$dir" "$ctx/img"
  if [ -n "$extra_ca" ]; then cp "$extra_ca" "$ctx/img/extra-ca.pem"; else : > "$ctx/img/extra-ca.pem"; fi
  "$@"  # hook: copies extra files into $ctx/img
  say "docker build $tag"
  docker build --network "$network" -t "$tag" "$ctx/img" >&2
}

no_extra() { :; }
copy_node() {
  local node npm
  node="$(command -v node)" || { say "node (20.x) must be on PATH"; exit 1; }
  case "$("$node" --version)" in v20.*) ;; *) say "need Node 20 on PATH, found $("$node" --version)"; exit 1;; esac
  npm="$(dirname "$(readlink -f "$(command -v npm)")")/.."
  cp "$node" "$ctx/img/node"
  cp -r "$(cd "$npm" && pwd)" "$ctx/img/npm"
}
copy_livekit() {
  local bin
  bin="$(LIVEKIT_SERVER_VERSION="$livekit_version" "$repo/scripts/build-livekit-server.sh")"
  cp "$bin" "$ctx/img/livekit-server"
}

build local/python:3.11-bookworm python no_extra
build local/node:20-bookworm node copy_node
build local/postgres:15-bookworm postgres no_extra
build "local/livekit-server:$livekit_version" livekit copy_livekit
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^local/' >&2
