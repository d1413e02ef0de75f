/**
 * What does a verified switchyard backup cost compared with a bare `pg_dump -Fc`
 * of the same database? Measured in both database modes:
 *   - URL mode: host binaries against a throwaway cluster (test/fixtures/postgres.ts);
 *   - service mode: binaries inside the `db` container of a compose sandbox (test/fixtures/compose.ts).
 * A benchmark, not a test: it prints medians and writes bench/results/backup.json.
 *
 *   npm run bench:backup                                             # full run (~885 MB database, bench/dataset.ts)
 *   BENCH_SCALE=2 BENCH_REQUESTS=50000 BENCH_RUNS=3 npm run bench:backup   # smoke run
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { backupNow } from '../src/backup/service.js';
import { startPgCompose } from '../test/fixtures/compose.js';
import { testContext, type TestContext } from '../test/fixtures/context.js';
import { startPgCluster } from '../test/fixtures/postgres.js';
import { DEFAULT_DATASET, fillBenchDatabase, serviceFiller, urlFiller, type DatasetFiller } from './dataset.js';
import { envInt, mb, median, requireTools, runBenchmark, runTool, secs, since, stopIfInterrupted, writeResults } from './lib.js';

const RUNS = envInt('BENCH_RUNS', 3, 1);
const SCALE = envInt('BENCH_SCALE', DEFAULT_DATASET.scale, 1);
const REQUESTS = envInt('BENCH_REQUESTS', DEFAULT_DATASET.requests, 0);

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

const fill = (label: string, db: DatasetFiller) => fillBenchDatabase(label, db, { ...DEFAULT_DATASET, scale: SCALE, requests: REQUESTS });

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
    const seconds = since(started);
    switchyardDumpBytes = backup.sizeBytes ?? 0;
    fs.rmSync(path.join(ctx.config.backups.dir, backup.fileName), { force: true });
    switchyardSeconds.push(seconds);
    console.log(`${label}: run ${switchyardSeconds.length}/${RUNS} switchyard ${secs(seconds)} s`);
  };
  const timeBare = async () => {
    const started = performance.now();
    await bareDump(bareFile);
    const seconds = since(started);
    dumpBytes = fs.statSync(bareFile).size;
    fs.rmSync(bareFile, { force: true });
    bareSeconds.push(seconds);
    console.log(`${label}: run ${bareSeconds.length}/${RUNS} bare pg_dump ${secs(seconds)} s`);
  };

  for (let round = 0; round < RUNS; round++) {
    for (const step of round % 2 === 0 ? [timeSwitchyard, timeBare] : [timeBare, timeSwitchyard]) {
      stopIfInterrupted();
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
    const dbBytes = await fill('url mode', urlFiller(cluster, env));
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
    const dbBytes = await fill('service mode', serviceFiller(sandbox));
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
  requireTools({ postgres: true, docker: true });
  console.log(`backup benchmark: runs=${RUNS}, pgbench scale=${SCALE}, service requests=${REQUESTS}`);
  const url = await urlMode();
  const service = await serviceMode();

  const summary = [`backup benchmark (runs=${RUNS})`, summaryLine('url mode:', url), summaryLine('service mode:', service)].join('\n');
  console.log(`\n${summary}`);
  writeResults('backup.json', { date: new Date().toISOString(), runs: RUNS, scale: SCALE, requests: REQUESTS, url, service });
}

runBenchmark(import.meta.url, 'backup benchmark', main);
