#!/usr/bin/env bash
# Run docker-compose.yml end to end on this machine, with a real browser round.
#
#   1. base images: the pinned public ones, or (OFFLINE=1, the default when
#      Docker Hub is unreachable) Debian stand-ins from scripts/offline-images/
#   2. the app image, then `docker compose up -d --wait` with generated keys;
#      every service must report healthy
#   3. Debian's Chromium plays a spoken answer (flite + sox) as its microphone
#      through tests/e2e/browser_round.mjs against http://127.0.0.1:8080; the
#      round must be run by the compose worker, stored in the compose
#      PostgreSQL with turns from both speakers, and its report must open in
#      the browser (and stay hidden from a client without the owner cookie)
#   4. `docker compose down -v` (KEEP=1 leaves the stack up)
#
# Uses its own compose project (pm-interviewer-smoke) and env file, so it never
# touches a .env or volume of yours; it does need ports 7880-7882, 8080, 8081
# and 5432 free. Needs docker with the Compose v2 plugin, node, flite, sox,
# chromium and `npm ci` in frontend/. Took 2.5 minutes from nothing here (debootstrap
# and image builds included), under a minute once the images exist.
#
#   HEAVY_LOCK=/tmp/heavy-tests.lock  hold flock(1) on it for the whole run (image
#                                     builds and the round are CPU-heavy; the worker
#                                     needs ports other test runs use)
#   OFFLINE=0|1                       force public or local base images
#   KEEP=1                            leave the stack running at the end
set -euo pipefail
if [ -n "${HEAVY_LOCK:-}" ] && [ -z "${COMPOSE_SMOKE_LOCKED:-}" ]; then
  exec env COMPOSE_SMOKE_LOCKED=1 flock "$HEAVY_LOCK" "$0" "$@"
fi

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
out="$repo/artifacts/compose-smoke"
project=pm-interviewer-smoke
livekit_version=v1.13.5
mkdir -p "$out"

say() { printf '%s compose-smoke: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

docker info >/dev/null 2>&1 || fail "docker daemon not reachable (docker info)"
docker compose version >/dev/null 2>&1 || fail "no Compose v2 plugin (docker compose version)"
for tool in node flite sox; do command -v "$tool" >/dev/null || fail "$tool not on PATH"; done
[ -d frontend/node_modules/playwright-core ] || fail "run npm ci in frontend/ first"
if command -v ss >/dev/null; then
  for port in 5432 7880 7881 8080 8081; do
    [ -z "$(ss -Hltn "sport = :$port")" ] || fail "port $port is in use (livekit, worker and postgres need it)"
  done
fi

# --- 1. base images ---
if [ -z "${OFFLINE:-}" ]; then
  if timeout 60 docker pull -q "postgres:16" >/dev/null 2>&1; then OFFLINE=0; else OFFLINE=1; fi
fi
if [ "$OFFLINE" = 1 ]; then
  say "no registry: building local base images (scripts/offline-images/build.sh)"
  scripts/offline-images/build.sh
  export PYTHON_IMAGE=local/python:3.11-bookworm NODE_IMAGE=local/node:20-bookworm
  export POSTGRES_IMAGE=local/postgres:15-bookworm LIVEKIT_IMAGE="local/livekit-server:$livekit_version"
fi

# --- 2. app image and stack ---
env_file="$out/smoke.env"
if [ ! -s "$env_file" ]; then
  umask 077
  {
    echo "LIVEKIT_API_KEY=interviewer"
    echo "LIVEKIT_API_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "POSTGRES_PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } > "$env_file"
fi
compose() { docker compose -p "$project" --env-file "$env_file" "$@"; }
compose config -q || fail "docker compose config rejects the file"

say "building pm-interviewer:local"
build_started=$(date +%s)
docker build --network "${BUILD_NETWORK:-default}" \
  --build-arg "PYTHON_IMAGE=${PYTHON_IMAGE:-python:3.11-slim}" \
  --build-arg "NODE_IMAGE=${NODE_IMAGE:-node:20-slim}" \
  -t pm-interviewer:local . > "$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; fail "image build"; }
say "image built in $(( $(date +%s) - build_started )) s"

cleanup() {
  compose logs --no-color > "$out/compose.log" 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then say "KEEP=1: stack left running (docker compose -p $project down -v)"
  else compose down -v --remove-orphans >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

up_started=$(date +%s)
compose up -d --no-build --wait --wait-timeout 240 || { compose ps >&2; compose logs --no-color --tail 5 >&2; fail "services did not become healthy"; }
healthy_s=$(( $(date +%s) - up_started ))
compose ps --format '{{.Service}} {{.Status}}' > "$out/ps.txt"
cat "$out/ps.txt" >&2
[ "$(grep -c '(healthy)' "$out/ps.txt")" = 4 ] || fail "not all four services are healthy"
say "all services healthy ${healthy_s} s after up"
# the web app relays "I'm done" through LiveKit's room API: it must reach LIVEKIT_URL
compose exec -T web python -c "import os, urllib.request
urllib.request.urlopen(os.environ['LIVEKIT_URL'].replace('ws', 'http', 1), timeout=3)" \
  || fail "the web container cannot reach LiveKit at its LIVEKIT_URL (POST /api/done would fail)"

# --- 3. a browser round ---
text="I would look at how many teams adopted the platform, how long their first integration took, \
and whether their release speed improved after they moved onto it."
flite -voice slt -t "$text" -o "$out/raw.wav"
sox "$out/raw.wav" -r 48000 -c 1 -b 16 "$out/candidate.wav" pad 2 6

say "browser round against http://127.0.0.1:8080"
node tests/e2e/browser_round.mjs --url http://127.0.0.1:8080 --audio "$out/candidate.wav" \
  --artifacts "$out" --expect round > "$out/browser.json" 2> "$out/browser.err" \
  || fail "browser round: $(tail -c 1500 "$out/browser.json")"
round_id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["roundId"])' "$out/result.json")"
[ -n "$round_id" ] || fail "browser round reported no round id"
say "round $round_id reached its report in the browser"

compose logs --no-color worker > "$out/worker.log" 2>&1
grep -q "$round_id" "$out/worker.log" || fail "round $round_id not in the compose worker's log"

psql() { compose exec -T postgres psql -U interviewer -d interviewer -At -c "$1"; }
status=""
for _ in $(seq 30); do  # the worker stores the final status once the room closes
  status="$(psql "select status from rounds where id = '$round_id'")"
  [ "$status" != running ] && [ -n "$status" ] && break
  sleep 2
done
[ -n "$status" ] || fail "round $round_id not stored in the compose database"
turns="$(psql "select count(*) from turns where round_id = '$round_id'")"
speakers="$(psql "select string_agg(distinct speaker, ',' order by speaker) from turns where round_id = '$round_id'")"
say "stored: status=$status turns=$turns speakers=$speakers"
[ "$turns" -ge 2 ] || fail "round $round_id has $turns turns"
case "$speakers" in *candidate*interviewer*) ;; *) fail "turns lack a speaker: $speakers";; esac

# the browser opened its report (browser_round.mjs waits for /rounds/<id> to load)
python3 - "$out/result.json" "$round_id" <<'PY' || fail "the browser did not open the round's report"
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
assert steps[-1]["name"] == "report-opened" and steps[-1]["url"].endswith("/rounds/" + sys.argv[2]), steps[-1]
PY
[ "$(stat -c %s "$out/05-report.png")" -gt 50000 ] || fail "the report screenshot is nearly empty"
# reports are their owner's: a client without the browser's cookie is told there is no such round
code="$(curl -s -o "$out/stranger-report.html" -w '%{http_code}' "http://127.0.0.1:8080/rounds/$round_id")"
[ "$code" = 404 ] || fail "the report of $round_id answered HTTP $code to a client without its owner cookie"

docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' \
  | grep -E '^(pm-interviewer:local|local/)' > "$out/images.txt" || true
cat "$out/images.txt" >&2
printf '{"date": "%s", "round_id": "%s", "status": "%s", "turns": %s, "healthy_after_s": %s, "offline_bases": %s}\n' \
  "$(date -u +%F)" "$round_id" "$status" "$turns" "$healthy_s" "$OFFLINE" | tee "$out/summary.json"
say "PASSED"
