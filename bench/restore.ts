/**
 * What does switchyard's restore step (a rollback's "restore database":
 * restoreDatabase() with its sha256 check, `zstd -dc` into pg_restore into
 * <name>_sy_incoming, one count + fingerprint verification, the name swap) cost
 * against a bare `pg_restore` of a bare `pg_dump -Fc` dump into an empty
 * database? Goal (issue 9): ≤ 1.0×. Both database modes.
 *
 * URL mode also times the ways of feeding pg_restore a `.dump.zst` (the restore
 * alone, into an empty database), to keep the fastest that works in both modes:
 *   - pipe: `zstd -dc FILE | pg_restore --single-transaction` through a kernel pipe;
 *   - streams: restoreBackupFile() as switchyard runs it on this host: pre-data, the data
 *     in parallel `zstd -dc | pg_restore --use-list` streams and the largest table's rows dealt
 *     over COPY sessions, post-data with -j;
 *   - wholeTables: the same with no table split, each table in one stream's COPY;
 *   - node: the same, copied through this process (how switchyard fed pg_restore before);
 *   - file: `zstd -d` to a temp file, then `pg_restore --single-transaction TEMP`;
 *   - fileJ2: `zstd -d` to a temp file, then `pg_restore -j 2 TEMP`.
 * Service mode also times switchyard with `database.clientPrograms: container` (inContainer): the
 * container's own pg_restore -j of the archive staged in its /tmp, as before this host's took over.
 * Then, unless BENCH_ROLLBACK=0, one whole `--database-only` rollback in service
 * mode (bench/restoreRollback.ts). A benchmark, not a test: prints medians,
 * writes bench/results/restore.json.
 *
 *   npm run bench:restore                                                    # full run
 *   BENCH_SCALE=2 BENCH_REQUESTS=50000 BENCH_RUNS=3 BENCH_ROLLBACK=0 npm run bench:restore   # smoke run
 *   BENCH_MODES=url npm run bench:restore                                    # one mode only (url or service)
 *   BENCH_CONTESTANTS=switchyard,bare,bareJ2 npm run bench:restore           # some contestants only
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { restoreBackupFile } from '../src/backup/pgRestore.js';
import { restoreDatabase } from '../src/backup/restore.js';
import { backupNow } from '../src/backup/service.js';
import type { Config } from '../src/config/index.js';
import { serviceTarget } from '../src/database/serviceTarget.js';
import type { BackupRow } from '../src/store/index.js';
import { testContext, type TestContext } from '../test/fixtures/context.js';
import { datasetSizeFromEnv, DEFAULT_DATASET, filledCluster, filledSandbox } from './dataset.js';
import {
  benchModes,
  benchRuns,
  envInt,
  mb,
  median,
  requireTools,
  rotate,
  runBenchmark,
  runTool,
  secs,
  stopIfInterrupted,
  writeResults,
} from './lib.js';
import { medianBreakdown, restoreBreakdown, type Breakdown } from './restoreBreakdown.js';
import { measureRollback, type RollbackResult } from './restoreRollback.js';

const RUNS = benchRuns();
const SIZE = datasetSizeFromEnv();
const ROLLBACK = envInt('BENCH_ROLLBACK', 1, 0) !== 0;
const ROLLBACK_MB = envInt('BENCH_ROLLBACK_MB', 1024, 1);
const MODES = benchModes();
/** BENCH_CONTESTANTS=switchyard,bare,bareJ2: run only these. */
const ONLY = process.env.BENCH_CONTESTANTS?.split(',');
type ServiceDatabase = Extract<Config['database'], { mode: 'service' }>;
/** The database the bare contestants restore into; dropped after every run, untimed. */
const BARE_DB = 'bench_bare';

const LABELS = {
  switchyard: 'switchyard restoreDatabase',
  bare: 'bare pg_restore --single-transaction',
  bareJ2: 'bare pg_restore -j 2',
  inContainer: "switchyard, the container's programs",
  pipe: 'zst feed: zstd -dc | pg_restore (pipe)',
  streams: 'zst feed: restoreBackupFile (streams)',
  wholeTables: 'zst feed: streams, no table split',
  node: 'zst feed: through node (copied)',
  file: 'zst feed: zstd -d to temp, pg_restore file',
  fileJ2: 'zst feed: zstd -d to temp, pg_restore -j 2',
} as const;
type Contestant = keyof typeof LABELS;

interface ModeResult {
  dbBytes: number;
  /** switchyard's .dump.zst and the bare pg_dump -Fc file. */
  zstBytes: number;
  bareDumpBytes: number;
  seconds: Partial<Record<Contestant, number[]>>;
  medians: Partial<Record<Contestant, number>>;
  ratioToBare: number;
  /** URL mode: median seconds per phase of switchyard's restore (bench/restoreBreakdown.ts). */
  breakdown: Breakdown | null;
  /** How switchyard's restores went: each `database restored` log line's `via`, counted. */
  ways: Record<string, number>;
}

/**
 * Times the contestants (those in BENCH_CONTESTANTS, if set) in rotation, then
 * their medians. Bare databases are created and dropped untimed.
 */
async function compare(
  label: string,
  runs: Partial<Record<Contestant, () => Promise<void>>>,
  afterEach: (who: Contestant) => void,
  extra?: () => Promise<void>,
) {
  const order = (Object.keys(runs) as Contestant[]).filter((c) => !ONLY || ONLY.includes(c));
  const seconds: Partial<Record<Contestant, number[]>> = await rotate({
    label,
    rounds: RUNS,
    order,
    labels: LABELS,
    run: (who) => runs[who]!(),
    afterEach,
    afterRound: extra,
  });
  const medians = Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, median(v)])) as Partial<
    Record<Contestant, number>
  >;
  return { seconds, medians };
}

/** A mode's figures; its ratio is switchyard's median over the bare single-transaction restore's. */
function modeResult(
  sizes: { dbBytes: number; zstBytes: number; bareDump: string },
  { seconds, medians }: Awaited<ReturnType<typeof compare>>,
  breakdown: Breakdown | null,
  logLines: readonly string[],
): ModeResult {
  const ways: Record<string, number> = {};
  for (const line of logLines) {
    const record = JSON.parse(line) as { msg?: string; via?: string };
    if (record.msg === 'database restored' && record.via) ways[record.via] = (ways[record.via] ?? 0) + 1;
  }
  return {
    ways,
    dbBytes: sizes.dbBytes,
    zstBytes: sizes.zstBytes,
    bareDumpBytes: fs.statSync(sizes.bareDump).size,
    seconds,
    medians,
    ratioToBare: medians.switchyard! / medians.bare!,
    breakdown,
  };
}

/** `zstd -dc FILE | pg_restore ARGS` with the two joined by a kernel pipe, not through this process. */
function pipeRestore(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const zstd = spawn('zstd', ['-d', '-c', '-q', '--', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const restore = spawn('pg_restore', args, { env, stdio: [zstd.stdout, 'ignore', 'pipe'] });
    zstd.stdout!.destroy(); // pg_restore holds the read end now; ours would keep the pipe open
    let stderr = '';
    restore.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    let pending = 2;
    const codes: Array<number | null> = [];
    const done = (code: number | null) => {
      codes.push(code);
      if (--pending > 0) return;
      if (codes.every((c) => c === 0)) resolve();
      else reject(new Error(`zstd | pg_restore failed (${codes.join(', ')}): ${stderr.trim()}`));
    };
    zstd.once('exit', done);
    restore.once('exit', done);
  });
}

/** `zstd -dc FILE`, copied through this process into `pg_restore ARGS`'s stdin. */
async function nodeRestore(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const restore = spawn('pg_restore', args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
  const zstd = spawn('zstd', ['-d', '-c', '-q', '--', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stderr = '';
  restore.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = (child: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve) => child.once('close', resolve));
  const [, zstdCode, restoreCode] = await Promise.all([
    pipeline(zstd.stdout!, restore.stdin!),
    exited(zstd),
    exited(restore),
  ]);
  if (zstdCode !== 0 || restoreCode !== 0)
    throw new Error(`zstd | node | pg_restore failed (${zstdCode}, ${restoreCode}): ${stderr.trim()}`);
}

async function urlMode(): Promise<ModeResult> {
  const { cluster, env, dbBytes } = await filledCluster('url mode', SIZE);
  try {
    const ctx = testContext({ database: `{ url: ${JSON.stringify(cluster.url('app'))} }` });
    try {
      const { backup, file, zstBytes } = await takeBackup('url mode', ctx);
      const bareDump = path.join(ctx.root, 'bare.dump');
      await runTool('pg_dump', ['-Fc', '-f', bareDump], { env });
      const temp = path.join(ctx.root, 'decompressed.dump');
      const bareEnv = { ...env, PGDATABASE: BARE_DB };
      const createBare = () => cluster.psql('postgres', `CREATE DATABASE ${BARE_DB} TEMPLATE template0`);
      const bare = async (args: string[], input = bareDump) => {
        createBare();
        await runTool('pg_restore', ['-d', BARE_DB, ...args, '--exit-on-error', input], { env: bareEnv });
      };
      const fromTemp = async (args: string[]) => {
        await runTool('zstd', ['-d', '-q', '-f', '-o', temp, '--', file]);
        await bare(args, temp);
      };
      const target = ctx.database();
      const phases: Breakdown[] = [];
      const compared = await compare(
        'url mode',
        {
          switchyard: () => restoreDatabase(ctx, backup),
          bare: () => bare(['--single-transaction']),
          bareJ2: () => bare(['-j', '2']), // -j cannot be combined with --single-transaction
          pipe: async () => {
            createBare();
            await pipeRestore(file, ['-d', BARE_DB, '--single-transaction', '--exit-on-error'], bareEnv);
          },
          streams: async () => {
            createBare();
            await restoreBackupFile(target, BARE_DB, file);
          },
          wholeTables: async () => {
            createBare();
            await restoreBackupFile(target, BARE_DB, file, [], { split: { fromBytes: Infinity } });
          },
          node: async () => {
            createBare();
            await nodeRestore(file, ['-d', BARE_DB, '--single-transaction', '--exit-on-error'], bareEnv);
          },
          file: () => fromTemp(['--single-transaction']),
          fileJ2: () => fromTemp(['-j', '2']),
        },
        (who) => {
          if (who !== 'switchyard') cluster.psql('postgres', `DROP DATABASE IF EXISTS ${BARE_DB} WITH (FORCE)`); // untimed
          fs.rmSync(temp, { force: true });
        },
        async () => {
          if (ONLY && !ONLY.includes('switchyard')) return;
          const b = await restoreBreakdown(ctx, backup);
          phases.push(b);
          console.log(`url mode: phases: ${breakdownLine(b)}`);
        },
      );
      return modeResult({ dbBytes, zstBytes, bareDump }, compared, medianBreakdown(phases), ctx.logLines);
    } finally {
      ctx.cleanup();
    }
  } finally {
    await cluster.stop();
  }
}

async function serviceMode(): Promise<ModeResult> {
  const { sandbox, dbBytes } = await filledSandbox('service mode', SIZE);
  try {
    const ctx = testContext({ database: '{ service: db, user: postgres, name: app }', projectDir: sandbox.dir });
    try {
      const { backup, zstBytes } = await takeBackup('service mode', ctx);
      const db = { ...(ctx.config.database as ServiceDatabase), clientPrograms: 'container' as const };
      const inContainer = serviceTarget(ctx.docker(), ctx.projectName, db);
      const exec = ['compose', '--project-directory', sandbox.dir, '-p', sandbox.project, 'exec', '-T', 'db'];
      const bareDump = path.join(ctx.root, 'bare.dump');
      await runTool('docker', [...exec, 'pg_dump', '-U', 'postgres', '-Fc', 'app'], {
        cwd: sandbox.dir,
        stdoutTo: bareDump,
      });
      const compared = await compare(
        'service mode',
        {
          switchyard: () => restoreDatabase(ctx, backup),
          // As before this host's programs took over: the archive staged in the container's /tmp, pg_restore -j there.
          inContainer: () => restoreDatabase({ ...ctx, database: () => inContainer }, backup),
          // As an operator does it: the host's file fed to the container's pg_restore.
          bare: async () => {
            sandbox.psql('postgres', `CREATE DATABASE ${BARE_DB} TEMPLATE template0`);
            await runTool(
              'docker',
              [...exec, 'pg_restore', '-U', 'postgres', '-d', BARE_DB, '--single-transaction', '--exit-on-error'],
              {
                cwd: sandbox.dir,
                stdinFrom: bareDump,
              },
            );
          },
        },
        (who) => {
          if (who === 'bare') sandbox.psql('postgres', `DROP DATABASE IF EXISTS ${BARE_DB} WITH (FORCE)`);
        },
      );
      return modeResult({ dbBytes, zstBytes, bareDump }, compared, null, ctx.logLines);
    } finally {
      ctx.cleanup();
    }
  } finally {
    sandbox.down();
  }
}

async function takeBackup(
  label: string,
  ctx: TestContext,
): Promise<{ backup: BackupRow; file: string; zstBytes: number }> {
  console.log(`${label}: taking the switchyard backup to restore ...`);
  const record = await backupNow(ctx, { reason: 'manual', actor: 'bench' });
  const backup = ctx.store.backups.get(record.id)!;
  const file = path.join(ctx.config.backups.dir, backup.fileName);
  const zstBytes = fs.statSync(file).size;
  console.log(`${label}: ${backup.fileName} is ${mb(zstBytes)} MB`);
  return { backup, file, zstBytes };
}

const breakdownLine = (b: Breakdown) =>
  Object.entries(b)
    .map(([phase, s]) => `${phase} ${s.toFixed(2)}`)
    .join(', ');

function modeLines(label: string, r: ModeResult): string[] {
  const lines = [
    `${label}: db ${mb(r.dbBytes)} MB, switchyard .dump.zst ${mb(r.zstBytes)} MB, bare dump ${mb(r.bareDumpBytes)} MB`,
  ];
  for (const [c, s] of Object.entries(r.seconds) as Array<[Contestant, number[]]>) {
    lines.push(`  ${(`${LABELS[c]}:`).padEnd(46)}median ${secs(r.medians[c]!)} s  (${s.map(secs).join(', ')})`);
  }
  lines.push(`  ratio switchyard/bare ${r.ratioToBare.toFixed(2)} (goal <= 1.0)`);
  if (r.medians.bareJ2)
    lines.push(`  ratio switchyard/bare-j2 ${(r.medians.switchyard! / r.medians.bareJ2).toFixed(2)}`);
  if (r.breakdown) lines.push(`  switchyard phases (median s): ${breakdownLine(r.breakdown)}`);
  for (const [via, times] of Object.entries(r.ways)) lines.push(`  switchyard restored ${times}x: ${via}`);
  return lines;
}

function rollbackLines(rollback: RollbackResult | null): string[] {
  if (!rollback) return ['service mode rollback: skipped (BENCH_ROLLBACK=0)'];
  return [
    `service mode rollback --database-only: db ${mb(rollback.dbBytes)} MB (pgbench -s ${rollback.scale}), dump ${mb(rollback.dumpBytes)} MB: ` +
      `${secs(rollback.totalSeconds)} s, ${rollback.status} (goal: 120 s for 1 GB)`,
    `  steps (s): ${Object.entries(rollback.steps)
      .map(([name, s]) => `${name} ${s.toFixed(2)}`)
      .join(', ')}`,
    `  (v2's pre-deploy backup of the same database took ${rollback.preDeployBackupSeconds?.toFixed(2) ?? '?'} s)`,
  ];
}

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: ROLLBACK || MODES.includes('service') });
  console.log(
    `restore benchmark: runs=${RUNS}, pgbench scale=${SIZE.scale}, service requests=${SIZE.requests}, modes=${MODES.join(',')}, ` +
      `rollback=${ROLLBACK ? `${ROLLBACK_MB} MB` : 'skipped'}`,
  );
  const url = MODES.includes('url') ? await urlMode() : null;
  stopIfInterrupted();
  const service = MODES.includes('service') ? await serviceMode() : null;
  stopIfInterrupted();
  const rollback = ROLLBACK ? await measureRollback(ROLLBACK_MB, DEFAULT_DATASET.minBytes) : null;
  const lines = [`restore benchmark (runs=${RUNS}, ${os.availableParallelism()} cores)`];
  if (url) lines.push(...modeLines('url mode', url));
  if (service) lines.push(...modeLines('service mode', service));
  lines.push(...rollbackLines(rollback));
  console.log(`\n${lines.join('\n')}`);
  writeResults(MODES.length === 1 ? `restore-${MODES[0]}.json` : 'restore.json', {
    date: new Date().toISOString(),
    runs: RUNS,
    scale: SIZE.scale,
    requests: SIZE.requests,
    url,
    service,
    rollback,
  });
}

runBenchmark(import.meta.url, 'restore benchmark', main);
