#!/usr/bin/env bash
# Brings up a local switchyard demo: provisions the host, builds switchyard,
# starts a PostgreSQL cluster holding a sample 311 database, and runs
# `switchyard serve` against it on 127.0.0.1:8090. A second run reuses what exists.
#   bash scripts/demo.sh        start (or show) the demo
#   bash scripts/demo.sh down   stop it and delete its files
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
home=/var/lib/switchyard-demo
port=55432
listen=127.0.0.1:8090
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
as_pg() { runuser -u postgres -- "$@"; }

if [ "${1:-}" = down ]; then
  [ -f "$home/switchyard.pid" ] && kill "$(cat "$home/switchyard.pid")" 2>/dev/null || true
  [ -d "$home/pgdata" ] && as_pg "$pg_bin/pg_ctl" -D "$home/pgdata" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$home"
  echo "demo removed"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it provisions the host)" >&2; exit 1; }
bash scripts/provision.sh
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npm run build --silent

mkdir -p "$home/project/backups"
chmod 711 "$home" # postgres must traverse it to reach pgdata
if [ ! -f "$home/pgdata/PG_VERSION" ]; then
  install -d -o postgres -g postgres "$home/pgdata" "$home/run"
  as_pg "$pg_bin/initdb" -D "$home/pgdata" -U postgres --auth=trust >/dev/null
fi
if ! as_pg "$pg_bin/pg_ctl" -D "$home/pgdata" status >/dev/null 2>&1; then
  as_pg "$pg_bin/pg_ctl" -D "$home/pgdata" -l "$home/run/postgres.log" -w start \
    -o "-p $port -k $home/run -c listen_addresses=127.0.0.1" >/dev/null
fi
psql_demo() { psql -X -q -At -h 127.0.0.1 -p "$port" -U postgres "$@"; }
if [ "$(psql_demo -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = 'pinpoint311'")" = 0 ]; then
  psql_demo -d postgres -c 'CREATE DATABASE pinpoint311'
  psql_demo -d pinpoint311 <<'SQL'
CREATE TABLE service_requests (id serial PRIMARY KEY, category text NOT NULL, description text NOT NULL,
  status text NOT NULL DEFAULT 'open', created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE audit_logs (id serial PRIMARY KEY, request_id int REFERENCES service_requests(id), action text NOT NULL, at timestamptz NOT NULL DEFAULT now());
INSERT INTO service_requests (category, description, status)
  SELECT (ARRAY['pothole','streetlight','graffiti','trash'])[1 + g % 4], 'report #' || g || ' ' || md5(g::text), CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END
  FROM generate_series(1, 5000) g;
INSERT INTO audit_logs (request_id, action) SELECT 1 + g % 5000, 'status_change' FROM generate_series(1, 12000) g;
SQL
fi

[ -f "$home/token" ] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$home/token"; chmod 600 "$home/token"; }
cat >"$home/config.yaml" <<YAML
# switchyard demo config (see README, "Config reference")
project:
  dir: $home/project
database:
  url: postgres://postgres@127.0.0.1:$port/pinpoint311
backups:
  dir: $home/project/backups
  schedule: "0 * * * *"
  keep: { last: 14, days: 30 }
stateDir: $home/state
server:
  listen: $listen
YAML

if [ -f "$home/switchyard.pid" ] && kill -0 "$(cat "$home/switchyard.pid")" 2>/dev/null; then
  echo "switchyard already running (pid $(cat "$home/switchyard.pid"))"
else
  SWITCHYARD_ADMIN_TOKEN=$(cat "$home/token") nohup node "$repo/dist/src/cli/main.js" serve --config "$home/config.yaml" \
    >>"$home/switchyard.log" 2>&1 &
  echo $! >"$home/switchyard.pid"
  for _ in $(seq 1 50); do curl -fsS "http://$listen/api/health" >/dev/null 2>&1 && break; sleep 0.2; done
fi
curl -fsS "http://$listen/api/health" >/dev/null || { echo "switchyard did not start; see $home/switchyard.log" >&2; exit 1; }

cat <<MSG

switchyard demo is running
  API:     http://$listen/api/system/backups
  token:   $(cat "$home/token")
  config:  $home/config.yaml   logs: $home/switchyard.log

Try:
  curl -X POST http://$listen/api/system/backups/create -H "Authorization: Bearer \$(cat $home/token)"
  curl http://$listen/api/system/backups -H "Authorization: Bearer \$(cat $home/token)"
  node dist/src/cli/main.js drill --config $home/config.yaml
Stop and remove: bash scripts/demo.sh down
MSG
