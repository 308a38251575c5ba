#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at PostgreSQL: the one DATABASE_URL names, or else a local cluster kept
# under var/bench/pgdata (made on first use, started for the command, stopped after). Without PostgreSQL's binaries
# it says so and does nothing (exit 0), so `make bench` still gives the SQLite table.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  exec "$@"
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL is not installed here: the PostgreSQL table is skipped (set DATABASE_URL to use a server)." >&2
  exit 0
fi
DIR="$PWD/var/bench/pgcluster"
mkdir -p "$DIR"
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  run_pg "$PGBIN/initdb -D $DIR/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
fi
PORT=${PGPORT:-55470}
while (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do PORT=$((PORT + 1)); done
run_pg "$PGBIN/pg_ctl -D $DIR/data -l $DIR/log -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c work_mem=32MB' -w start" >/dev/null
trap 'run_pg "$PGBIN/pg_ctl -D $DIR/data -m fast stop" >/dev/null 2>&1 || true' EXIT
DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/postgres" "$@"
