/**
 * What does switchyard's restore step (a rollback's "restore database":
 * restoreDatabase() with its sha256 check, restore into <name>_sy_incoming,
 * count + fingerprint verification and name swap) cost compared with a bare
 * `pg_restore` of the same dump into an empty database? And would `pg_restore
 * -j 2` be worth it on this machine? URL mode, against a throwaway cluster.
 * Then, unless BENCH_ROLLBACK=0, one whole `--database-only` rollback of a
 * ~BENCH_ROLLBACK_MB database in service mode (bench/restoreRollback.ts), whose
 * goal is to finish within 2 minutes for 1 GB.
 * A benchmark, not a test: prints medians, writes bench/results/restore.json.
 *
 *   npm run bench:restore                                                   # full run
 *   BENCH_SCALE=2 BENCH_REQUESTS=50000 BENCH_RUNS=3 BENCH_ROLLBACK_MB=100 npm run bench:restore   # smoke run
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { restoreDatabase } from '../src/backup/restore.js';
import { backupNow } from '../src/backup/service.js';
import type { BackupRow } from '../src/store/index.js';
import { testContext, type TestContext } from '../test/fixtures/context.js';
import { startPgCluster, type PgCluster } from '../test/fixtures/postgres.js';
import { DEFAULT_DATASET, fillBenchDatabase, urlFiller } from './dataset.js';
import { envInt, mb, median, MiB, requireTools, runBenchmark, runTool, secs, since, stopIfInterrupted, writeResults } from './lib.js';
import { medianBreakdown, restoreBreakdown, type Breakdown } from './restoreBreakdown.js';
import { measureRollback, type RollbackResult } from './restoreRollback.js';

const RUNS = envInt('BENCH_RUNS', 3, 1);
const SCALE = envInt('BENCH_SCALE', DEFAULT_DATASET.scale, 1);
const REQUESTS = envInt('BENCH_REQUESTS', DEFAULT_DATASET.requests, 0);
const ROLLBACK = envInt('BENCH_ROLLBACK', 1, 0) !== 0;
const ROLLBACK_MB = envInt('BENCH_ROLLBACK_MB', 1024, 1);
/** Below this the figures say little about real restores; smoke runs are allowed but flagged. */
const MIN_DB_BYTES = 500 * MiB;
/** The database the bare contestants restore into; dropped after every run, untimed. */
const BARE_DB = 'bench_bare';

const CONTESTANTS = ['switchyard', 'bare', 'bareJ2'] as const;
type Contestant = (typeof CONTESTANTS)[number];
const LABELS: Record<Contestant, string> = {
  switchyard: 'switchyard restoreDatabase',
  bare: 'bare pg_restore --single-transaction',
  bareJ2: 'bare pg_restore -j 2',
};

interface UrlResult {
  dbBytes: number;
  dumpBytes: number;
  seconds: Record<Contestant, number[]>;
  medians: Record<Contestant, number>;
  ratioToBare: number;
  ratioToBareJ2: number;
  /** Median seconds per phase of switchyard's restore, timed one by one (bench/restoreBreakdown.ts). */
  breakdown: Breakdown;
}

async function urlMode(): Promise<UrlResult> {
  const cluster = await startPgCluster();
  try {
    cluster.createDatabase('app');
    // The password travels in PGPASSWORD only, never in argv.
    const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(cluster.port), PGUSER: 'postgres', PGPASSWORD: cluster.password, PGDATABASE: 'app' };
    const dbBytes = await fillBenchDatabase('url mode', urlFiller(cluster, env), { ...DEFAULT_DATASET, scale: SCALE, requests: REQUESTS });
    const ctx = testContext({ database: `{ url: ${JSON.stringify(cluster.url('app'))} }` });
    try {
      console.log('url mode: taking the switchyard backup that every contestant restores ...');
      const record = await backupNow(ctx, { reason: 'manual', actor: 'bench' });
      const backup = ctx.store.backups.get(record.id)!;
      const file = path.join(ctx.config.backups.dir, backup.fileName);
      const dumpBytes = fs.statSync(file).size;
      console.log(`url mode: dump ${backup.fileName} is ${mb(dumpBytes)} MB`);
      return await compare(ctx, cluster, backup, file, { ...env, PGDATABASE: BARE_DB }, dbBytes, dumpBytes);
    } finally {
      ctx.cleanup();
    }
  } finally {
    await cluster.stop();
  }
}

/**
 * Rotates the three contestants so each goes first, second and third equally
 * often (a Latin square over the rounds: neither gets the warmest cache every
 * time); a fourth, instrumented restore at the end of each round times the phases.
 */
async function compare(ctx: TestContext, cluster: PgCluster, backup: BackupRow, file: string, bareEnv: NodeJS.ProcessEnv, dbBytes: number, dumpBytes: number): Promise<UrlResult> {
  const seconds: Record<Contestant, number[]> = { switchyard: [], bare: [], bareJ2: [] };
  const phases: Breakdown[] = [];
  // Same pg_restore on PATH that switchyard's URL target spawns; a file argument, as an operator types it.
  const bare = async (args: string[]) => {
    cluster.psql('postgres', `CREATE DATABASE ${BARE_DB} TEMPLATE template0`);
    await runTool('pg_restore', ['-d', BARE_DB, ...args, '--exit-on-error', file], { env: bareEnv });
  };
  const runs: Record<Contestant, () => Promise<void>> = {
    switchyard: () => restoreDatabase(ctx, backup),
    bare: () => bare(['--single-transaction']),
    bareJ2: () => bare(['-j', '2']), // -j cannot be combined with --single-transaction
  };
  const dropBare = () => cluster.psql('postgres', `DROP DATABASE IF EXISTS ${BARE_DB} WITH (FORCE)`);

  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < CONTESTANTS.length; i++) {
      const who = CONTESTANTS[(round + i) % CONTESTANTS.length]!;
      stopIfInterrupted();
      const started = performance.now();
      try {
        await runs[who]();
        seconds[who].push(since(started));
      } finally {
        if (who !== 'switchyard') dropBare(); // untimed
      }
      console.log(`url mode: run ${seconds[who].length}/${RUNS} ${LABELS[who]} ${secs(seconds[who].at(-1)!)} s`);
    }
    stopIfInterrupted();
    const b = await restoreBreakdown(ctx, backup);
    phases.push(b);
    console.log(`url mode: run ${phases.length}/${RUNS} phases: ${breakdownLine(b)}`);
  }
  const medians = { switchyard: median(seconds.switchyard), bare: median(seconds.bare), bareJ2: median(seconds.bareJ2) };
  const breakdown = medianBreakdown(phases);
  return { dbBytes, dumpBytes, seconds, medians, ratioToBare: medians.switchyard / medians.bare, ratioToBareJ2: medians.switchyard / medians.bareJ2, breakdown };
}

const breakdownLine = (b: Breakdown) =>
  Object.entries(b)
    .map(([phase, s]) => `${phase} ${s.toFixed(2)}`)
    .join(', ');

function summary(url: UrlResult, rollback: RollbackResult | null): string {
  const lines = [
    `restore benchmark (runs=${RUNS}, ${os.availableParallelism()} cores)`,
    `url mode: db ${mb(url.dbBytes)} MB, dump ${mb(url.dumpBytes)} MB`,
    ...CONTESTANTS.map((c) => `  ${(LABELS[c] + ':').padEnd(40)}median ${secs(url.medians[c])} s  (${url.seconds[c].map(secs).join(', ')})`),
    `  ratio switchyard/bare ${url.ratioToBare.toFixed(2)}, switchyard/bare-j2 ${url.ratioToBareJ2.toFixed(2)}, bare/bare-j2 ${(url.medians.bare / url.medians.bareJ2).toFixed(2)}`,
    `  switchyard phases (median s): ${breakdownLine(url.breakdown)}`,
  ];
  if (!rollback) lines.push('service mode rollback: skipped (BENCH_ROLLBACK=0)');
  else {
    lines.push(
      `service mode rollback --database-only: db ${mb(rollback.dbBytes)} MB (pgbench -s ${rollback.scale}), dump ${mb(rollback.dumpBytes)} MB: ` +
        `${secs(rollback.totalSeconds)} s, ${rollback.status} (goal: 120 s for 1 GB)`,
      `  steps (s): ${Object.entries(rollback.steps).map(([name, s]) => `${name} ${s.toFixed(2)}`).join(', ')}`,
      `  (v2's pre-deploy backup of the same database took ${rollback.preDeployBackupSeconds?.toFixed(2) ?? '?'} s)`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: ROLLBACK });
  console.log(`restore benchmark: runs=${RUNS}, pgbench scale=${SCALE}, service requests=${REQUESTS}, rollback=${ROLLBACK ? `${ROLLBACK_MB} MB` : 'skipped'}`);
  const url = await urlMode();
  stopIfInterrupted();
  const rollback = ROLLBACK ? await measureRollback(ROLLBACK_MB, MIN_DB_BYTES) : null;
  console.log(`\n${summary(url, rollback)}`);
  writeResults('restore.json', { date: new Date().toISOString(), runs: RUNS, scale: SCALE, requests: REQUESTS, url, rollback });
}

runBenchmark(import.meta.url, 'restore benchmark', main);
