/**
 * What does starting switchyard cost, against `node -e 0` in the same run?
 *   - backup → pg_dump: from spawning a URL-mode `switchyard backup` to pg_dump's start, as recorded
 *     by a `pg_dump` on PATH that writes the time (`date +%s%N`) and execs the real one; `node -e 0`:
 *     from its spawn to its exit;
 *   - the daemon's RSS (VmRSS): idle (3 s after /api/health first answers), during and after a
 *     defined load, and its peak (VmHWM); `node` idle with a timer: its RSS.
 * The load: 200 concurrent GET /api/system/versions (30 commits of history, one service whose
 * images the engine looks up in the loopback registry) together with 50 mixed API requests
 * (10 each of backups, deployments, audit, whoami and a missing backup), all at once; the RSS
 * "after" is read 3 s after the last answer. /api/health is timed every 100 ms meanwhile, from this
 * process (which also reads the load's answers: the daemon's own share is smaller; see the test
 * test/server/versionsLoad.test.ts, which loads from a separate process).
 * The three are measured BENCH_RUNS times (5 by default), in rotated order; medians are printed
 * and written to bench/results/startup.json. Goals (issue 24): pg_dump within 0.3 s of the start;
 * the idle daemon under 80 MB, under 120 MB after the load.
 *
 *   npm run bench:startup
 *   BENCH_RUNS=3 npm run bench:startup
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI } from '../test/fixtures/cli.js';
import { SAMPLE_SCHEMA } from '../test/fixtures/data.js';
import { freePort, untilHealthy } from '../test/fixtures/env.js';
import { startPgCluster } from '../test/fixtures/postgres.js';
import { linearHistory } from '../test/versions/gitRepo.js';
import { benchRuns, median, MiB, requireTools, runBenchmark, sleep, stopIfInterrupted, writeResults } from './lib.js';

const RUNS = benchRuns();
const TOKEN = `startup-bench-token-${Math.random().toString(36).slice(2)}`;
const LISTINGS = 200;
const MIXED = ['backups', 'deployments', 'audit', 'whoami', 'backups/999999'];
const MIXED_EACH = 10;

/** Wall-clock milliseconds with sub-millisecond precision, comparable with `date +%s%N`. */
const wallMs = () => performance.timeOrigin + performance.now();

function exited(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
  });
}

/** Milliseconds from spawning `node -e 0` to its exit. */
async function nodeBare(): Promise<number> {
  const started = wallMs();
  const code = await exited(spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }));
  if (code !== 0) throw new Error(`node -e 0 exited ${code}`);
  return wallMs() - started;
}

/** A `pg_dump` that records when it started, then becomes the real one (the backup's child env is filtered: the log path is written into it). */
function pgDumpRecorder(dir: string): { binDir: string; startedAt(): number } {
  const real = (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((d) => path.join(d, 'pg_dump'))
    .find((f) => fs.existsSync(f));
  if (!real) throw new Error('pg_dump not on PATH');
  const binDir = path.join(dir, 'bin');
  const log = path.join(dir, 'pg_dump.started');
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(
    path.join(binDir, 'pg_dump'),
    `#!/bin/sh\ndate +%s%N > ${JSON.stringify(log)}\nexec ${JSON.stringify(real)} "$@"\n`,
    { mode: 0o755 },
  );
  return {
    binDir,
    startedAt() {
      const ns = fs.readFileSync(log, 'utf8').trim();
      fs.rmSync(log);
      return Number(BigInt(ns) / 1000n) / 1000;
    },
  };
}

/** Milliseconds from spawning `switchyard backup` (URL mode) to pg_dump's start. */
async function backupToPgDump(config: string, recorder: ReturnType<typeof pgDumpRecorder>): Promise<number> {
  const started = wallMs();
  const child = spawn(process.execPath, [CLI, 'backup', '--config', config], {
    env: { ...process.env, PATH: `${recorder.binDir}${path.delimiter}${process.env.PATH}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  const code = await exited(child);
  if (code !== 0) throw new Error(`switchyard backup exited ${code}: ${stderr.trim()}`);
  return recorder.startedAt() - started;
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** RSS of an idle node process (a timer keeps it alive), read after 3 s like the daemon's. */
async function nodeIdleRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(3000);
    return memoryOf(child.pid!).rss;
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
}

interface DaemonRun {
  idleRss: number;
  afterRss: number;
  peakRss: number;
  /** Seconds until all 200 listings answered. */
  listingsSeconds: number;
  /** The slowest /api/health answer during the load, ms. */
  healthMaxMs: number;
}

async function daemonUnderLoad(config: string, port: number): Promise<DaemonRun> {
  const base = `http://127.0.0.1:${port}`;
  const daemon = spawn(process.execPath, [CLI, 'serve', '--config', config], {
    env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN },
    stdio: 'ignore',
  });
  try {
    await untilHealthy(base);
    await sleep(3000);
    const idleRss = memoryOf(daemon.pid!).rss;

    const get = (route: string) =>
      fetch(`${base}/api/system/${route}`, { headers: { authorization: `Bearer ${TOKEN}` } }).then(async (r) => {
        await r.arrayBuffer();
        if (route === 'versions' && r.status !== 200) throw new Error(`GET ${route}: HTTP ${r.status}`);
      });
    const started = performance.now();
    let listingsSeconds = 0;
    const listings = Promise.all(Array.from({ length: LISTINGS }, () => get('versions'))).then(() => {
      listingsSeconds = (performance.now() - started) / 1000;
    });
    const mixed = Promise.all(MIXED.flatMap((route) => Array.from({ length: MIXED_EACH }, () => get(route))));
    let done = false;
    const all = Promise.all([listings, mixed]).finally(() => (done = true));
    let healthMaxMs = 0;
    while (!done) {
      const asked = performance.now();
      // On a connection of its own; the time includes this process's work on the load's answers.
      await new Promise((resolve, reject) =>
        http.get(`${base}/api/health`, { agent: false }, (r) => r.resume().once('end', resolve)).once('error', reject),
      );
      healthMaxMs = Math.max(healthMaxMs, performance.now() - asked);
      await sleep(100);
    }
    await all;
    await sleep(3000);
    const after = memoryOf(daemon.pid!);
    return { idleRss, afterRss: after.rss, peakRss: after.peak, listingsSeconds, healthMaxMs };
  } finally {
    daemon.kill('SIGTERM');
    await exited(daemon);
  }
}

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: true });
  const pg = await startPgCluster();
  const repo = linearHistory(30);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bench-startup-'));
  try {
    pg.createDatabase('app');
    pg.psql('app', SAMPLE_SCHEMA);
    const port = await freePort();
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      [
        `project: { dir: ${repo.dir} }`,
        `database: { url: "${pg.url('app')}" }`,
        `stateDir: ${dir}/state`,
        `backups: { dir: ${dir}/backups }`,
        `server: { listen: "127.0.0.1:${port}" }`,
        'services: { backend: { image: 127.0.0.1:5000/sy-bench-startup/backend } }',
      ].join('\n'),
    );
    const recorder = pgDumpRecorder(dir);
    const bare: number[] = [];
    const toPgDump: number[] = [];
    const nodeRss: number[] = [];
    const daemon: DaemonRun[] = [];
    const steps: Array<() => Promise<void>> = [
      async () => void bare.push(await nodeBare()),
      async () => void toPgDump.push(await backupToPgDump(config, recorder)),
      async () => void nodeRss.push(await nodeIdleRss()),
      async () => void daemon.push(await daemonUnderLoad(config, port)),
    ];
    for (let round = 0; round < RUNS; round++) {
      for (let i = 0; i < steps.length; i++) {
        stopIfInterrupted();
        await steps[(round + i) % steps.length]!();
      }
      const d = daemon.at(-1)!;
      console.log(
        `round ${round + 1}/${RUNS}: node -e 0 ${bare.at(-1)!.toFixed(0)} ms, backup → pg_dump ${toPgDump.at(-1)!.toFixed(0)} ms; ` +
          `RSS node ${mb(nodeRss.at(-1)!)}, daemon idle ${mb(d.idleRss)}, after load ${mb(d.afterRss)}, peak ${mb(d.peakRss)} MB; ` +
          `200 listings ${d.listingsSeconds.toFixed(2)} s, /api/health at most ${d.healthMaxMs.toFixed(0)} ms`,
      );
    }
    const med = (pick: (d: DaemonRun) => number) => median(daemon.map(pick));
    const results = {
      runs: RUNS,
      machine: { cpus: os.cpus().length, loadavg: os.loadavg() },
      load: `${LISTINGS} concurrent GET /api/system/versions + ${MIXED.length * MIXED_EACH} mixed API requests (${MIXED.join(', ')}), at once`,
      ms: { nodeBare: median(bare), backupToPgDump: median(toPgDump), healthMax: med((d) => d.healthMaxMs) },
      mb: {
        nodeIdle: mb(median(nodeRss)),
        daemonIdle: mb(med((d) => d.idleRss)),
        daemonAfterLoad: mb(med((d) => d.afterRss)),
        daemonPeak: mb(med((d) => d.peakRss)),
      },
      listingsSeconds: med((d) => d.listingsSeconds),
      samples: { bare, toPgDump, nodeRss, daemon },
    };
    console.log(
      `\nmedians of ${RUNS}: ${JSON.stringify({ ms: results.ms, mb: results.mb, listingsSeconds: results.listingsSeconds })}`,
    );
    writeResults('startup.json', results);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    repo.cleanup();
    await pg.stop();
  }
}

const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

runBenchmark(import.meta.url, 'bench:startup', main);
