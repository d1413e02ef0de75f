#!/usr/bin/env bash
# The full test suite on a fresh Debian host: provision the real dependencies
# (Docker engine, compose v2, registry, PostgreSQL binaries), install, build,
# run every test. With CI set, a skipped test is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/provision.sh
else
  sudo bash scripts/provision.sh
fi

npm ci --no-audit --no-fund --loglevel=error
npx biome ci .
npm run deps # the layers (README "How it works"): a face reaches the core only through src/app
npm run build
npm run typecheck

mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@" || status=$?
node scripts/test-summary.mjs .tmp/vitest.json || status=1
# Swarm tests last, alone on the engine: a swarm init/leave breaks a running compose stack's name resolution.
npx vitest run --config vitest.swarm.config.ts --reporter=default --reporter=json --outputFile.json=.tmp/vitest-swarm.json \
  || status=$?
node scripts/test-summary.mjs .tmp/vitest-swarm.json || status=1
exit "$status"
