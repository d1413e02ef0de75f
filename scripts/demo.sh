#!/usr/bin/env bash
# The two-command demo, command one. On a fresh Debian host (as root) it:
# provisions Docker, compose v2, a local registry and PostgreSQL; builds
# switchyard; builds a sample app in three versions (v3.0.0 is broken, so the
# automatic rollback can be seen) into the local registry, as a compose project
# with PostgreSQL holding sample data and Caddy in front; starts the daemon with the web UI on
# 127.0.0.1:8090; and prints the URL and the token. A second run reuses all of it.
#   bash scripts/demo.sh        bring it up (or show it)
#   bash scripts/demo.sh down   stop it and remove everything it made
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
home=/var/lib/switchyard-demo
listen=127.0.0.1:8090
cli() { node "$repo/dist/src/cli/main.js" "$@" --config "$home/config.yaml"; }

if [ "${1:-}" = down ]; then
  if [ -f "$home/switchyard.pid" ]; then kill "$(cat "$home/switchyard.pid")" 2>/dev/null || true; sleep 1; fi
  [ -f dist/scripts/demo-app.js ] && node dist/scripts/demo-app.js down "$home" || true
  rm -rf "$home"
  echo "demo removed"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it provisions the host)" >&2; exit 1; }
bash scripts/provision.sh
if [ ! -d node_modules ]; then
  echo "demo: npm ci (about 3 minutes on a first run; progress below)"
  npm ci --no-audit --no-fund --progress=true --foreground-scripts
fi
npm run build --silent

mkdir -p "$home"
chmod 700 "$home"
app=$(node dist/scripts/demo-app.js up "$home")
app_dir=$(node -e 'console.log(JSON.parse(process.argv[1]).dir)' "$app")
image=$(node -e 'console.log(JSON.parse(process.argv[1]).imageRepo)' "$app")
port=$(node -e 'console.log(JSON.parse(process.argv[1]).httpPort)' "$app")

[ -f "$home/token" ] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$home/token"; chmod 600 "$home/token"; }
cat >"$home/config.yaml" <<YAML
# switchyard demo config (README, "Config reference")
project:
  dir: $app_dir
  composeFiles: [docker-compose.yml, docker-compose.prod.yml]
  migrationPaths: [backend/migrate.sql] # the sample app's one migration file (the defaults match none of it)
services:
  backend: { image: $image }
  worker: { image: $image }
database: { service: db, user: postgres, name: app }
backups:
  dir: $home/backups
  schedule: "0 3 * * *"
stateDir: $home/state
server:
  listen: $listen
health: { url: "http://127.0.0.1:$port/health", timeoutSeconds: 20 }
deploy: { timeoutSeconds: 30 }
YAML
cli config >/dev/null

if [ -f "$home/switchyard.pid" ] && kill -0 "$(cat "$home/switchyard.pid")" 2>/dev/null; then
  echo "switchyard already running (pid $(cat "$home/switchyard.pid"))"
else
  SWITCHYARD_ADMIN_TOKEN=$(cat "$home/token") nohup node "$repo/dist/src/cli/main.js" serve --config "$home/config.yaml" \
    >>"$home/switchyard.log" 2>&1 &
  echo $! >"$home/switchyard.pid"
  for _ in $(seq 1 100); do curl -fsS "http://$listen/api/health" >/dev/null 2>&1 && break; sleep 0.2; done
fi
curl -fsS "http://$listen/api/health" >/dev/null || { echo "switchyard did not start; see $home/switchyard.log" >&2; exit 1; }
# The app's services with switchyard's pins (after a reboot, say); a no-op when all runs.
cli compose -- up -d --no-build --wait >/dev/null 2>&1 || true
# First run: switchyard adopts the hand-started app by deploying v1.0.0 (pre-deploy backup included).
token=$(cat "$home/token")
if [ "$(curl -fsS "http://$listen/api/system/deployments" -H "Authorization: Bearer $token")" = '{"deployments":[]}' ]; then
  cli deploy v1.0.0 >/dev/null
fi

cat <<MSG

switchyard demo is running
  web UI:  http://$listen/        (log in with the token)
  token:   $token
  app:     http://127.0.0.1:$port/version   (through Caddy)
  config:  $home/config.yaml   logs: $home/switchyard.log

Deploy v2.0.0 (healthy, migrates the database) and then v3.0.0 (broken: watch the
automatic rollback) from the Versions page, or:
  curl -X POST http://$listen/api/system/deployments -H "Authorization: Bearer \$(cat $home/token)" \\
    -H 'Content-Type: application/json' -d '{"ref":"v2.0.0"}'
  node dist/src/cli/main.js deploy v3.0.0 --config $home/config.yaml
Backups the runbook's way:
  curl -X POST http://$listen/api/system/backups/create -H "Authorization: Bearer \$(cat $home/token)"
  curl http://$listen/api/system/backups -H "Authorization: Bearer \$(cat $home/token)"
Stop and remove: bash scripts/demo.sh down
MSG
