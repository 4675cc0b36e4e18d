#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine; every step is skipped when already done.
#   scripts/bootstrap.sh demo   Python deps + the candidate voice (flite) for a simulated spoken round
#   scripts/bootstrap.sh test   everything the test suite needs: + Chromium, PostgreSQL, Redis, LiveKit server, front end
set -euo pipefail
cd "$(dirname "$0")/.."
level="${1:-demo}"
CACHE_DIR="${INTERVIEWER_CACHE_DIR:-$HOME/.cache/pm-interviewer}"
PY="${PYTHON:-python3}"

say() { printf '==> %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_env() {
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    "$PY" -m venv .venv
  fi
  local stamp=.venv/.installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    say "installing Python packages (pinned by constraints.txt)"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -c constraints.txt -e ".[dev]"
    touch "$stamp"
  fi
}

livekit_server() {
  local bin="$CACHE_DIR/bin/livekit-server"
  if [ -x "$bin" ]; then return 0; fi
  say "building livekit-server v1.13.5 from the Go module proxy (first time only, a few minutes)"
  bash scripts/build-livekit-server.sh
}

frontend() {
  [ -f frontend/package-lock.json ] || return 0
  if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules ]; then
    say "installing the front end's npm packages"
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  fi
  say "building the front end"
  (cd frontend && npm run --silent build)
}

case "$level" in
  demo)
    apt_install flite sox libportaudio2
    python_env
    ;;
  test)
    apt_install flite sox espeak-ng libportaudio2 chromium chromium-driver postgresql redis-server
    python_env
    [ -f scripts/build-livekit-server.sh ] && livekit_server
    frontend
    ;;
  *)
    echo "usage: scripts/bootstrap.sh demo|test" >&2
    exit 2
    ;;
esac
