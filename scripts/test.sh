#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium included) and run the whole suite: lint, types,
# then every test on SQLite and on PostgreSQL.
#   HARMONIE_TEST_POSTGRES_URL  PostgreSQL to test against (default postgres://postgres@127.0.0.1:5432/test)
#   HARMONIE_TEST_DATABASES     "sqlite postgres" (default) or one of them
# Extra arguments go to pytest.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 g++ make
python_deps
frontend_deps
bluesky_deps
translations

export HARMONIE_CHROMIUM="${HARMONIE_CHROMIUM:-/usr/bin/chromium}"
log "ruff"
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests
log "mypy (strict)"
.venv/bin/mypy src

PG_URL="${HARMONIE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
status=0
for db in ${HARMONIE_TEST_DATABASES:-sqlite postgres}; do
  case "$db" in
    sqlite) log "pytest on SQLite"; url="" ;;
    postgres)
      log "pytest on PostgreSQL ($PG_URL)"
      if ! .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" "$PG_URL"; then
        echo "PostgreSQL is not reachable at $PG_URL. Start it, or set HARMONIE_TEST_DATABASES=sqlite to test SQLite only." >&2
        exit 1
      fi
      url="$PG_URL" ;;
    *) echo "unknown database '$db'" >&2; exit 2 ;;
  esac
  DATABASE_URL="$url" .venv/bin/pytest -p no:cacheprovider "$@" || status=$?
  [ "$status" -ne 0 ] && break
done
exit "$status"
