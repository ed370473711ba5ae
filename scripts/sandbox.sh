#!/usr/bin/env bash
# The sandbox: Harmonie with the demo organization, whose Bluesky channels are connected to a real Bluesky
# network running on this machine (Bluesky's own PLC directory, PDS and AppView, on 127.0.0.1 only).
# Schedule a post to "Vireo Group" or "Vireo France" on Bluesky and watch it arrive on the local server
# (`.venv/bin/harmonie sandbox --show` in another terminal, or the URLs printed below).
# Ctrl+C stops everything; the network's data (in memory, a temporary folder and its own PostgreSQL database)
# goes with it, so each start is a new, empty Bluesky.
#   HARMONIE_SANDBOX_PORT_BASE  the network's ports (default 13582: PLC, +1 PDS, +2 AppView, +5 Ozone)
#   HARMONIE_SANDBOX_DATABASE   Harmonie's SQLite file for the sandbox (default var/sandbox.sqlite3)
#   HARMONIE_PORT               Harmonie's port (default 8000)
#   HARMONIE_BLUESKY_PG_URL     the PostgreSQL server the AppView uses (default postgresql://postgres@127.0.0.1:5432)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core g++ make
python_deps
frontend_deps
bluesky_deps
translations

BASE="${HARMONIE_SANDBOX_PORT_BASE:-13582}"
PDS_URL="http://127.0.0.1:$((BASE + 1))"
APPVIEW_URL="http://127.0.0.1:$((BASE + 2))"
export DATABASE_URL="sqlite:///${HARMONIE_SANDBOX_DATABASE:-$ROOT/var/sandbox.sqlite3}"
# The local network is plain HTTP on loopback, which Harmonie refuses unless told (never in production).
export HARMONIE_ALLOW_LOOPBACK_SERVERS=1
export HARMONIE_SANDBOX_PDS_URL="$PDS_URL" HARMONIE_SANDBOX_APPVIEW_URL="$APPVIEW_URL"

log "Preparing the sandbox database (${DATABASE_URL#sqlite:///})"
.venv/bin/harmonie collectstatic --no-input -v 0
.venv/bin/harmonie migrate --no-input -v 0
.venv/bin/harmonie demo

log "Starting a local Bluesky network (full mode) on 127.0.0.1:$BASE-$((BASE + 5))"
net_dir="$(mktemp -d "${TMPDIR:-/tmp}/harmonie-sandbox-XXXXXX")"
network_pid=""
stop_network() {
  if [ -n "$network_pid" ] && kill -0 "$network_pid" 2>/dev/null; then
    log "Stopping the local Bluesky network"
    kill -TERM "$network_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$network_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$network_pid" 2>/dev/null || true
  fi
  rm -rf "$net_dir"
}
trap stop_network EXIT
trap 'exit 130' INT TERM
(
  cd tools/bluesky
  HARMONIE_BLUESKY_DB="harmonie_bsky_sandbox_$BASE" \
    exec node_modules/node/bin/node --require ./loopback.cjs network.mjs full --port-base "$BASE"
) >"$net_dir/ready.json" 2>"$net_dir/network.log" &
network_pid=$!
for _ in $(seq 1 240); do
  grep -q '"ready":true' "$net_dir/ready.json" 2>/dev/null && break
  if ! kill -0 "$network_pid" 2>/dev/null; then
    echo "The local Bluesky network did not start. Its log:" >&2
    tail -n 40 "$net_dir/network.log" >&2
    exit 1
  fi
  sleep 0.5
done
if ! grep -q '"ready":true' "$net_dir/ready.json"; then
  echo "The local Bluesky network was not ready after 120 s. Its log:" >&2
  tail -n 40 "$net_dir/network.log" >&2
  exit 1
fi
log "Local Bluesky network ready: PDS $PDS_URL, AppView $APPVIEW_URL"

log "Connecting the demo's Bluesky channels to it"
.venv/bin/harmonie sandbox --pds-url "$PDS_URL" --appview-url "$APPVIEW_URL"

log "Starting Harmonie at http://127.0.0.1:${HARMONIE_PORT:-8000} (Ctrl+C stops it and the Bluesky network)"
.venv/bin/harmonie run --host 127.0.0.1 --port "${HARMONIE_PORT:-8000}"
