#!/usr/bin/env bash
# Install everything, prepare an SQLite database with the demo organization, and start Harmonie
# (web + background worker) at http://127.0.0.1:8000.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
python_deps --no-dev
frontend_deps
translations
export HARMONIE_DEBUG="${HARMONIE_DEBUG:-0}"
log "Collecting static files"
.venv/bin/harmonie collectstatic --no-input -v 0
log "Preparing the database (var/harmonie.sqlite3)"
.venv/bin/harmonie migrate --no-input -v 0
.venv/bin/harmonie demo
log "Starting Harmonie at http://${HARMONIE_HOST:-127.0.0.1}:${HARMONIE_PORT:-8000} — log in with one of the accounts above"
exec .venv/bin/harmonie run --host "${HARMONIE_HOST:-127.0.0.1}" --port "${HARMONIE_PORT:-8000}"
