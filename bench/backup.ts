/**
 * What does a verified switchyard backup cost compared with a bare `pg_dump -Fc`
 * of the same database? Measured in both database modes:
 *   - URL mode: host binaries against a throwaway cluster (test/fixtures/postgres.ts);
 *   - service mode: binaries inside the `db` container of a compose sandbox (test/fixtures/compose.ts).
 * A benchmark, not a test: it prints medians and writes bench/results/backup.json.
 *
 *   npm run bench:backup                                          # full run (~700+ MB database)
 *   BENCH_SCALE=2 BENCH_RANDOM_MB=20 BENCH_RUNS=3 npm run bench:backup   # smoke run
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { backupNow } from '../src/backup/service.js';
import { startPgCompose } from '../test/fixtures/compose.js';
import { testContext, type TestContext } from '../test/fixtures/context.js';
import { hasCompose, hasDocker, run } from '../test/fixtures/env.js';
import { hasPostgres, PG_BIN, startPgCluster } from '../test/fixtures/postgres.js';

const MiB = 1024 * 1024;
const RUNS = envInt('BENCH_RUNS', 3, 1);
const SCALE = envInt('BENCH_SCALE', 40, 1);
const RANDOM_MB = envInt('BENCH_RANDOM_MB', 200, 0);
/** Below this the figures say little about real backups; smoke runs are allowed but flagged. */
const MIN_DB_BYTES = 500 * MiB;
// Each random row is base64 of 1000 random bytes (1351 chars with line breaks):
// five such rows fit in an 8 kB page, so about 1640 bytes of table per row.
const RANDOM_ROW_BYTES = 1640;
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url)); // from dist/bench/

interface ModeResult {
  dbBytes: number;
  /** Size of the bare pg_dump output; switchyard's file is the same dump. */
  dumpBytes: number;
  switchyardDumpBytes: number;
  switchyardSeconds: number[];
  bareSeconds: number[];
  switchyardMedian: number;
  bareMedian: number;
  ratio: number;
}

/** How to reach the database being filled, whichever mode it runs in. */
interface Filler {
  psql(sql: string): string;
  pgbenchInit(): void;
}

// Ctrl-C reaches our child processes too, so the step in progress fails and the
// finally blocks tear everything down; the flag stops the loop between runs.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping after the current step, then cleaning up`);
  });
}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const mb = (bytes: number) => Math.round(bytes / MiB);
const secs = (s: number) => s.toFixed(s < 10 ? 2 : 1);

/** pgbench's schema plus a table of random base64, so the dump is not trivially compressible. */
function fill(label: string, db: Filler): number {
  const started = performance.now();
  console.log(`${label}: pgbench -i -s ${SCALE} ...`);
  db.pgbenchInit();
  const rows = Math.ceil((RANDOM_MB * MiB) / RANDOM_ROW_BYTES);
  console.log(`${label}: ${rows} rows of random text (~${RANDOM_MB} MB) ...`);
  db.psql('CREATE EXTENSION IF NOT EXISTS pgcrypto');
  db.psql('CREATE TABLE bench_random (id bigserial PRIMARY KEY, payload text NOT NULL)');
  if (rows > 0) db.psql(`INSERT INTO bench_random (payload) SELECT encode(gen_random_bytes(1000), 'base64') FROM generate_series(1, ${rows})`);
  // Set hint bits and freeze now, or the first dump would pay for writing them.
  db.psql('VACUUM (FREEZE, ANALYZE)');
  db.psql('CHECKPOINT');
  const dbBytes = Number(db.psql(`SELECT pg_database_size('app')`));
  console.log(`${label}: database is ${mb(dbBytes)} MB (filled in ${secs((performance.now() - started) / 1000)} s)`);
  if (dbBytes < MIN_DB_BYTES) console.warn(`${label}: below ${mb(MIN_DB_BYTES)} MB: a smoke run, not a representative figure`);
  return dbBytes;
}

/** Runs a command (argument array, no shell), optionally streaming its stdout into a file. */
async function runTool(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; stdoutTo?: string } = {}): Promise<void> {
  const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', options.stdoutTo ? 'pipe' : 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4096)));
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (e) => resolve(e.message));
    child.once('close', (code, signal) => resolve(code ?? `signal ${signal}`));
  });
  if (options.stdoutTo) await pipeline(child.stdout!, fs.createWriteStream(options.stdoutTo, { mode: 0o600 }));
  const result = await exited;
  if (result !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result}): ${stderr.trim()}`);
}

/**
 * Alternates switchyard and bare pg_dump, swapping which goes first every round
 * (ABBA) so that neither side systematically gets the warmer cache or the
 * fresher disk. Every output file is removed right after it is measured.
 */
async function compare(label: string, ctx: TestContext, dbBytes: number, bareDump: (file: string) => Promise<void>): Promise<ModeResult> {
  const switchyardSeconds: number[] = [];
  const bareSeconds: number[] = [];
  let dumpBytes = 0;
  let switchyardDumpBytes = 0;
  const bareFile = path.join(ctx.root, 'bare.dump'); // same filesystem as switchyard's backups dir

  const timeSwitchyard = async () => {
    const started = performance.now();
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'bench' });
    const seconds = (performance.now() - started) / 1000;
    switchyardDumpBytes = backup.sizeBytes ?? 0;
    fs.rmSync(path.join(ctx.config.backups.dir, backup.fileName), { force: true });
    switchyardSeconds.push(seconds);
    console.log(`${label}: run ${switchyardSeconds.length}/${RUNS} switchyard ${secs(seconds)} s`);
  };
  const timeBare = async () => {
    const started = performance.now();
    await bareDump(bareFile);
    const seconds = (performance.now() - started) / 1000;
    dumpBytes = fs.statSync(bareFile).size;
    fs.rmSync(bareFile, { force: true });
    bareSeconds.push(seconds);
    console.log(`${label}: run ${bareSeconds.length}/${RUNS} bare pg_dump ${secs(seconds)} s`);
  };

  for (let round = 0; round < RUNS; round++) {
    for (const step of round % 2 === 0 ? [timeSwitchyard, timeBare] : [timeBare, timeSwitchyard]) {
      if (interrupted) throw new Error('interrupted');
      await step();
    }
  }
  const switchyardMedian = median(switchyardSeconds);
  const bareMedian = median(bareSeconds);
  return { dbBytes, dumpBytes, switchyardDumpBytes, switchyardSeconds, bareSeconds, switchyardMedian, bareMedian, ratio: switchyardMedian / bareMedian };
}

async function urlMode(): Promise<ModeResult> {
  const cluster = await startPgCluster();
  try {
    cluster.createDatabase('app');
    // The password travels in PGPASSWORD only, never in argv.
    const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(cluster.port), PGUSER: 'postgres', PGPASSWORD: cluster.password, PGDATABASE: 'app' };
    const dbBytes = fill('url mode', {
      psql: (sql) => cluster.psql('app', sql),
      pgbenchInit: () => void run(path.join(PG_BIN, 'pgbench'), ['-i', '-s', String(SCALE), 'app'], { env }),
    });
    const ctx = testContext({ database: `{ url: ${JSON.stringify(cluster.url('app'))} }` });
    try {
      // Same pg_dump on PATH that switchyard's URL target spawns.
      return await compare('url mode', ctx, dbBytes, (file) => runTool('pg_dump', ['-Fc', '-f', file], { env }));
    } finally {
      ctx.cleanup();
    }
  } finally {
    await cluster.stop();
  }
}

async function serviceMode(): Promise<ModeResult> {
  const sandbox = startPgCompose({ dbName: 'app' });
  try {
    const dbBytes = fill('service mode', {
      psql: (sql) => sandbox.psql('app', sql),
      // pgbench comes from the host's /usr bind-mounted into the container, on its PATH.
      pgbenchInit: () => void sandbox.compose(['exec', '-T', 'db', 'pgbench', '-i', '-s', String(SCALE), '-U', 'postgres', 'app']),
    });
    // The compose file sets `name:`, so switchyard finds the project from its directory alone.
    const ctx = testContext({ database: '{ service: db, user: postgres, name: app }', projectDir: sandbox.dir });
    try {
      const composeArgs = ['compose', '--project-directory', sandbox.dir, '-p', sandbox.project];
      const bare = (file: string) =>
        runTool('docker', [...composeArgs, 'exec', '-T', 'db', 'pg_dump', '-U', 'postgres', '-Fc', 'app'], { cwd: sandbox.dir, stdoutTo: file });
      return await compare('service mode', ctx, dbBytes, bare);
    } finally {
      ctx.cleanup();
    }
  } finally {
    sandbox.down();
  }
}

function summaryLine(label: string, r: ModeResult): string {
  return (
    `${label.padEnd(14)}db ${mb(r.dbBytes)} MB, dump ${mb(r.dumpBytes)} MB; ` +
    `switchyard median ${secs(r.switchyardMedian)} s, bare pg_dump median ${secs(r.bareMedian)} s, ratio ${r.ratio.toFixed(2)}`
  );
}

async function main(): Promise<void> {
  const missing = [
    ['PostgreSQL binaries', hasPostgres()],
    ['Docker engine', hasDocker()],
    ['docker compose v2', hasCompose()],
  ].filter(([, ok]) => !ok);
  if (missing.length) throw new Error(`missing: ${missing.map(([what]) => what).join(', ')}`);

  console.log(`backup benchmark: runs=${RUNS}, pgbench scale=${SCALE}, random text=${RANDOM_MB} MB`);
  const url = await urlMode();
  const service = await serviceMode();

  const summary = [`backup benchmark (runs=${RUNS})`, summaryLine('url mode:', url), summaryLine('service mode:', service)].join('\n');
  console.log(`\n${summary}`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const results = { date: new Date().toISOString(), runs: RUNS, scale: SCALE, randomMb: RANDOM_MB, url, service };
  fs.writeFileSync(path.join(RESULTS_DIR, 'backup.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwritten to ${path.join(RESULTS_DIR, 'backup.json')}`);
}

main().then(
  () => process.exit(0), // explicit: a lingering docker API socket must not keep a finished benchmark alive
  (e: unknown) => {
    console.error(`backup benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
