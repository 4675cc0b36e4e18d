#!/usr/bin/env bash
# Build livekit-server from the Go module proxy into the project cache.
#
# No package registry ships a livekit-server binary, so it is built once from
# source (`go install`, Go >= 1.26 for v1.13.5) and reused. Idempotent: when a
# binary of the wanted version is already there it only prints its path.
#
#   INTERVIEWER_CACHE_DIR   cache root (default ~/.cache/pm-interviewer)
#   LIVEKIT_SERVER_VERSION  tag to build (default v1.13.5)
#
# Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail

version="${LIVEKIT_SERVER_VERSION:-v1.13.5}"
cache="${INTERVIEWER_CACHE_DIR:-$HOME/.cache/pm-interviewer}"
bindir="$cache/bin"
target="$bindir/livekit-server"
want="livekit-server version ${version#v}"

has_version() {
  [ -x "$1" ] && [ "$("$1" --version 2>/dev/null || true)" = "$want" ]
}

if has_version "$target"; then
  echo "$target"
  exit 0
fi

mkdir -p "$bindir"

# An earlier `go install` into the cache left the binary under its package name.
if has_version "$bindir/server"; then
  cp "$bindir/server" "$target.tmp.$$"
  mv -f "$target.tmp.$$" "$target"
  echo "$target"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: Go is not installed; install Go 1.26 or newer (https://go.dev/dl/ or your package manager) and re-run $0" >&2
  exit 1
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

echo "Building livekit-server $version with $(go version | cut -d' ' -f3); the first build takes a few minutes..." >&2
GOBIN="$workdir" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/livekit/livekit-server/cmd/server@$version"

if ! has_version "$workdir/server"; then
  echo "error: the build produced no usable livekit-server $version binary" >&2
  exit 1
fi
mv -f "$workdir/server" "$target.tmp.$$"
mv -f "$target.tmp.$$" "$target"
echo "Built $target" >&2
echo "$target"
