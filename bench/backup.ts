/**
 * What does a verified switchyard backup cost, against the bare tools on the
 * same database in the same run?
 *   - switchyard: backupNow() (pg_dump -Fc -Z0 → read-back pg_restore + zstd → file, sha256, fsync);
 *   - bare: `pg_dump -Fc -f FILE` (pg_dump's zlib, one thread), as an operator types it;
 *   - floor: `pg_dump -Fc -Z0 > /dev/null`, the cost of reading the database at all (in service mode
 *     inside the container, so that no transport out of it is counted);
 *   - pipeline: the issue's reference, bare tools doing what switchyard does minus the merged chunks:
 *     `pg_dump -Fc -Z0 | tee >(zstd -T0 > FILE) | pg_restore --file=/dev/null`, wired here without a
 *     shell (in service mode pg_dump writes into a pipe in the container's /tmp, as switchyard's does).
 * Goals (issue 9): switchyard ≤ 0.45× bare and ≤ 1.8× floor; its file no larger than bare's.
 * Measured in both database modes:
 *   - URL mode: host binaries against a throwaway cluster (test/fixtures/postgres.ts);
 *   - service mode: the `db` container of a compose sandbox (test/fixtures/compose.ts); switchyard
 *     reaches it with this host's programs over its socket, the bare tools run inside it.
 * Four contestants; in service mode a fifth, switchyard with `database.clientPrograms: container`
 * (the container's own programs through `docker exec`, as before this host's took over). Rotated
 * every round. A benchmark, not a test: it prints medians and writes bench/results/backup.json.
 *
 *   npm run bench:backup                                             # full run (~950 MB database, bench/dataset.ts)
 *   BENCH_SCALE=2 BENCH_REQUESTS=50000 BENCH_RUNS=3 npm run bench:backup   # smoke run
 *   BENCH_MODES=url npm run bench:backup                             # one mode only (url or service)
 *   BENCH_ZSTD_LEVEL=2 npm run bench:backup                          # another zstd level (default 3)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { backupNow } from '../src/backup/service.js';
import { createDocker, findServiceContainer } from '../src/docker/client.js';
import { containerRoot, containerTmp } from '../src/docker/containerRoot.js';
import { testContext, type TestContext } from '../test/fixtures/context.js';
import { datasetSizeFromEnv, filledCluster, filledSandbox } from './dataset.js';
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

const RUNS = benchRuns();
const SIZE = datasetSizeFromEnv();
const MODES = benchModes();
/** BENCH_ZSTD_LEVEL=2: switchyard at another zstd level than the default 3 (README's figures are at 3). */
const LEVEL = envInt('BENCH_ZSTD_LEVEL', 3, 1);
const BACKUPS = `compression: { method: zstd, level: ${LEVEL}, threads: 0 }`;

const CONTESTANTS = ['switchyard', 'bare', 'floor', 'pipeline', 'inContainer'] as const;
type Contestant = (typeof CONTESTANTS)[number];
const LABELS: Record<Contestant, string> = {
  switchyard: 'switchyard verified backup',
  bare: 'bare pg_dump -Fc -f',
  floor: 'floor pg_dump -Fc -Z0 > /dev/null',
  pipeline: 'bare pipeline: tee, zstd, pg_restore',
  inContainer: "switchyard, the container's programs",
};

interface ModeResult {
  dbBytes: number;
  /** The bare pg_dump -Fc file and switchyard's stored file. */
  bareFileBytes: number;
  switchyardFileBytes: number;
  switchyardFile: string;
  /** Service mode also times `inContainer`: switchyard with `database.clientPrograms: container`. */
  seconds: Partial<Record<Contestant, number[]>>;
  medians: Partial<Record<Contestant, number>>;
  ratioToBare: number;
  ratioToFloor: number;
  sizeRatioToBare: number;
  /** The reference pipeline against bare: what bare tools reach on this machine. */
  pipelineRatioToBare: number;
}

interface Bare {
  /** pg_dump -Fc into `file`. */
  dump(file: string): Promise<void>;
  /** pg_dump -Fc -Z0 with its output thrown away as it comes. */
  floor(): Promise<void>;
  /** Starts what writes `pg_dump -Fc -Z0`'s archive into `stdout` (teePipeline). */
  archiveInto(stdout: Writable): ChildProcess[];
}

/**
 * Times the contestants in rotation (rotate in lib.ts), `inContainer` only when given (service
 * mode). Every output file is removed right after it is measured.
 */
async function compare(
  label: string,
  ctx: TestContext,
  dbBytes: number,
  bare: Bare,
  inContainer?: TestContext,
): Promise<ModeResult> {
  let bareFileBytes = 0;
  let switchyardFileBytes = 0;
  let switchyardFile = '';
  const bareFile = path.join(ctx.root, 'bare.dump'); // same filesystem as switchyard's backups dir
  const switchyard = async (ports: TestContext) => {
    const backup = await backupNow(ports, { reason: 'manual', actor: 'bench' });
    switchyardFileBytes = backup.sizeBytes ?? 0;
    switchyardFile = backup.fileName;
    fs.rmSync(path.join(ports.config.backups.dir, backup.fileName), { force: true });
  };
  const runs: Partial<Record<Contestant, () => Promise<void>>> = {
    switchyard: () => switchyard(ctx),
    bare: async () => {
      await bare.dump(bareFile);
      bareFileBytes = fs.statSync(bareFile).size;
      fs.rmSync(bareFile, { force: true });
    },
    floor: () => bare.floor(),
    pipeline: async () => {
      await teePipeline(bareFile, bare.archiveInto);
      fs.rmSync(bareFile, { force: true });
    },
    ...(inContainer ? { inContainer: () => switchyard(inContainer) } : {}),
  };
  const order = CONTESTANTS.filter((c) => runs[c]);
  const seconds = await rotate({ label, rounds: RUNS, order, labels: LABELS, run: (who) => runs[who]!() });
  const medians = Object.fromEntries(order.map((c) => [c, median(seconds[c])])) as Record<Contestant, number>;
  return {
    dbBytes,
    bareFileBytes,
    switchyardFileBytes,
    switchyardFile,
    seconds,
    medians,
    ratioToBare: medians.switchyard / medians.bare,
    ratioToFloor: medians.switchyard / medians.floor,
    sizeRatioToBare: switchyardFileBytes / bareFileBytes,
    pipelineRatioToBare: medians.pipeline / medians.bare,
  };
}

/**
 * `SOURCE | tee >(zstd -LEVEL -T0 > FILE) | pg_restore --file=/dev/null`: child processes joined by
 * kernel pipes, as a shell would join them; `archiveInto` starts the source. zstd reads a named pipe
 * that tee writes, since Node's pipes to a child are socket pairs, which tee cannot open by path.
 */
async function teePipeline(file: string, archiveInto: Bare['archiveInto']): Promise<void> {
  const fifo = path.join(path.dirname(file), 'pipeline.fifo');
  fs.rmSync(fifo, { force: true });
  execFileSync('mkfifo', ['-m', '0600', '--', fifo]);
  const out = fs.openSync(file, 'w');
  const zstd = spawn('zstd', ['-q', '-c', `-${LEVEL}`, '-T0', '--', fifo], { stdio: ['ignore', out, 'inherit'] });
  fs.closeSync(out);
  const readBack = spawn('pg_restore', ['--file=/dev/null'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const tee = spawn('tee', ['--', fifo], { stdio: ['pipe', readBack.stdin!, 'inherit'] });
  const sources = archiveInto(tee.stdin!);
  // The children hold these ends now; ours would keep each pipe open past its writer's end.
  for (const end of [readBack.stdin!, tee.stdin!]) end.destroy();
  const all = [...sources, tee, zstd, readBack];
  const codes = await Promise.all(
    all.map((child) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))),
  );
  fs.rmSync(fifo, { force: true });
  if (codes.some((code) => code !== 0))
    throw new Error(`the reference pipeline failed: exit codes ${codes.join(', ')}`);
}

async function urlMode(): Promise<ModeResult> {
  const { cluster, env, dbBytes } = await filledCluster('url mode', SIZE);
  try {
    const ctx = testContext({ database: `{ url: ${JSON.stringify(cluster.url('app'))} }`, backups: BACKUPS });
    try {
      // Same pg_dump on PATH that switchyard's URL target spawns.
      return await compare('url mode', ctx, dbBytes, {
        dump: (file) => runTool('pg_dump', ['-Fc', '-f', file], { env }),
        floor: () => runTool('pg_dump', ['-Fc', '-Z0'], { env }), // stdout: /dev/null (runTool ignores it)
        archiveInto: (stdout) => [spawn('pg_dump', ['-Fc', '-Z0'], { env, stdio: ['ignore', stdout, 'inherit'] })],
      });
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
    // The compose file sets `name:`, so switchyard finds the project from its directory alone.
    const ctx = testContext({
      database: '{ service: db, user: postgres, name: app }',
      projectDir: sandbox.dir,
      backups: BACKUPS,
    });
    const inContainer = testContext({
      database: '{ service: db, user: postgres, name: app, clientPrograms: container }',
      projectDir: sandbox.dir,
      backups: BACKUPS,
    });
    try {
      const exec = [
        'compose',
        '--project-directory',
        sandbox.dir,
        '-p',
        sandbox.project,
        'exec',
        '-T',
        'db',
        'pg_dump',
        '-U',
        'postgres',
      ];
      const docker = createDocker();
      const tmp = (await containerTmp(
        (await containerRoot(docker, await findServiceContainer(docker, sandbox.project, 'db')))!,
      ))!;
      const fifo = 'bench-pipeline.fifo';
      // bare streams its dump out of the container to the host, as an operator would; the floor reads the
      // database inside the container and throws the archive away there, so no transport is counted.
      return await compare(
        'service mode',
        ctx,
        dbBytes,
        {
          dump: (file) => runTool('docker', [...exec, '-Fc', 'app'], { cwd: sandbox.dir, stdoutTo: file }),
          floor: () =>
            runTool('docker', [...exec, '-Fc', '-Z0', '--no-sync', '-f', '/dev/null', 'app'], { cwd: sandbox.dir }),
          archiveInto: (stdout) => {
            const here = path.join(tmp.here, fifo);
            fs.rmSync(here, { force: true });
            execFileSync('mkfifo', ['-m', '0666', '--', here]);
            return [
              spawn('cat', ['--', here], { stdio: ['ignore', stdout, 'inherit'] }),
              spawn('docker', [...exec, '-Fc', '-Z0', '--no-sync', `--file=${tmp.there}/${fifo}`, 'app'], {
                cwd: sandbox.dir,
                stdio: ['ignore', 'ignore', 'inherit'],
              }),
            ];
          },
        },
        inContainer,
      );
    } finally {
      ctx.cleanup();
      inContainer.cleanup();
    }
  } finally {
    sandbox.down();
  }
}

function summaryLines(label: string, r: ModeResult): string[] {
  return [
    `${label} db ${mb(r.dbBytes)} MB; bare file ${mb(r.bareFileBytes)} MB, switchyard file ${mb(r.switchyardFileBytes)} MB (${r.sizeRatioToBare.toFixed(2)}x)`,
    ...CONTESTANTS.filter((c) => r.seconds[c]).map(
      (c) =>
        `  ${(`${LABELS[c]}:`).padEnd(40)}median ${secs(r.medians[c]!)} s  (${r.seconds[c]!.map(secs).join(', ')})`,
    ),
    ...(r.medians.inContainer
      ? [`  ratio with the container's programs/bare ${(r.medians.inContainer / r.medians.bare!).toFixed(2)}`]
      : []),
    `  ratio switchyard/bare ${r.ratioToBare.toFixed(2)} (goal <= 0.45), switchyard/floor ${r.ratioToFloor.toFixed(2)} (goal <= 1.8)`,
    `  ratio pipeline/bare ${r.pipelineRatioToBare.toFixed(2)} (the bare tools' own pipeline, for reference)`,
  ];
}

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: MODES.includes('service') });
  console.log(
    `backup benchmark: runs=${RUNS}, pgbench scale=${SIZE.scale}, service requests=${SIZE.requests}, modes=${MODES.join(',')}, zstd level ${LEVEL}`,
  );
  const url = MODES.includes('url') ? await urlMode() : null;
  stopIfInterrupted();
  const service = MODES.includes('service') ? await serviceMode() : null;

  const lines = [`backup benchmark (runs=${RUNS}, zstd level ${LEVEL})`];
  if (url) lines.push(...summaryLines('url mode:', url));
  if (service) lines.push(...summaryLines('service mode:', service));
  console.log(`\n${lines.join('\n')}`);
  const name = `backup${MODES.length === 1 ? `-${MODES[0]}` : ''}${LEVEL === 3 ? '' : `-zstd${LEVEL}`}.json`;
  writeResults(name, {
    date: new Date().toISOString(),
    runs: RUNS,
    zstdLevel: LEVEL,
    scale: SIZE.scale,
    requests: SIZE.requests,
    url,
    service,
  });
}

runBenchmark(import.meta.url, 'backup benchmark', main);
