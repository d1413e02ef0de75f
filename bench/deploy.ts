/**
 * What does a switchyard deploy cost, in time and in downtime, compared with the
 * bare sequence an operator would type for the same version switch (checkout,
 * override with the new image tags, pull, pg_dump, `up --wait`)? Measured on the
 * deploy tests' sample app (test/fixtures/sampleApp.ts) behind Caddy, as the seed
 * app runs, switching v1 <-> v2 on every run, while a resident asks through the
 * proxy every 20 ms (failed requests counted); then an images-only rollback and an
 * automatic rollback (v4 never gets healthy), the same resident asking.
 * A benchmark, not a test: prints medians, writes bench/results/deploy.json.
 *
 *   BENCH_RUNS=5 npm run bench:deploy       # default 3 runs each
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deploy, startRollback } from '../src/app/ports/deploy.js';
import type { TestContext } from '../test/fixtures/context.js';
import { askEvery, type ClientTally } from '../test/fixtures/proxyClient.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../test/fixtures/sampleApp.js';
import {
  benchRuns,
  median,
  requireTools,
  runBenchmark,
  runTool,
  secs,
  sleep,
  stepSeconds,
  stopIfInterrupted,
  writeResults,
} from './lib.js';

const RUNS = benchRuns();
/** Rows of random hex in bench_data (~60 MB database), so the pre-deploy dump is not trivial. */
const DATA_ROWS = 200_000;
const PROBE_INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 1000;
/** How long the app may stay silent after a switch returned before the run counts as broken. */
const RECOVERY_TIMEOUT_MS = 30_000;

type Target = { ref: string; sha: string };

/**
 * Seconds: the whole switch, the longest gap between two 2xx answers of /version, and each step; and the
 * requests a resident asking one at a time every 20 ms through the proxy saw fail.
 */
type Measured = { seconds: number; longestGap: number; steps: Record<string, number>; failed: number };

/**
 * Starts a request every PROBE_INTERVAL_MS without waiting for the previous
 * one, so a request hanging on a dying container does not stop the clock, and
 * keeps the times of the 2xx answers.
 */
function startProbe(url: string) {
  const okAt: number[] = [];
  const probe = () =>
    void fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
      async (res) => {
        await res.arrayBuffer();
        if (res.ok) okAt.push(performance.now());
      },
      () => undefined, // refused, reset or timed out: down
    );
  probe();
  const timer = setInterval(probe, PROBE_INTERVAL_MS);
  return {
    okAt,
    /** The first 2xx answer at or after `since`. */
    async okAfter(since: number): Promise<number> {
      const deadline = performance.now() + RECOVERY_TIMEOUT_MS;
      let hit: number | undefined;
      while ((hit = okAt.find((t) => t >= since)) === undefined) {
        if (performance.now() > deadline) throw new Error(`${url} gave no 2xx answer within ${RECOVERY_TIMEOUT_MS} ms`);
        await sleep(10);
      }
      return hit;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Times one switch and its downtime: the window runs from a 2xx answer before
 * the switch to the first 2xx answer after it returned, so an app still down
 * when the command says it is done counts against it.
 */
async function measureSwitch(url: string, doSwitch: () => Promise<Record<string, number>>): Promise<Measured> {
  const probe = startProbe(url);
  const resident = askEvery(url, 20);
  let tally: ClientTally | undefined;
  try {
    const windowStart = await probe.okAfter(0);
    const started = performance.now();
    const steps = await doSwitch();
    const finished = performance.now();
    const windowEnd = await probe.okAfter(finished);
    tally = await resident.stop();
    const answers = probe.okAt.filter((t) => t >= windowStart && t <= windowEnd).sort((a, b) => a - b);
    let longestGap = 0;
    for (let i = 1; i < answers.length; i++) longestGap = Math.max(longestGap, answers[i]! - answers[i - 1]!);
    return { seconds: (finished - started) / 1000, longestGap: longestGap / 1000, steps, failed: tally.failed };
  } finally {
    probe.stop();
    if (!tally) await resident.stop();
  }
}

/** Times each step of a sequence: the bare side's breakdown. */
async function timedSteps(steps: Array<[string, () => Promise<void>]>): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  for (const [name, step] of steps) {
    const started = performance.now();
    await step();
    seconds[name] = (performance.now() - started) / 1000;
  }
  return seconds;
}

async function switchyardSwitch(ctx: TestContext, target: Target): Promise<Record<string, number>> {
  const d = await deploy(ctx, { ref: target.ref, actor: 'bench' });
  if (d.status !== 'succeeded') throw new Error(`switchyard deploy of ${target.ref} ended ${d.status}: ${d.error}`);
  // The journal's own timestamps say where switchyard spends its time.
  return stepSeconds(ctx.store.deployments.steps(d.id));
}

/**
 * What an operator types for the same switch. Its own override (not switchyard's
 * pin file in ctx.config.stateDir) selects the new images by tag; the dump is
 * the same `pg_dump -Fc` switchyard takes, minus the read-back verification.
 */
function bareSwitch(app: SampleApp, work: string, target: Target, dumpFile: string): Promise<Record<string, number>> {
  const override = path.join(work, 'docker-compose.override.yml');
  const image = `${app.imageRepo}:${target.sha.slice(0, 7)}`;
  const compose = [
    'compose',
    '--project-directory',
    app.dir,
    ...app.composeFiles.flatMap((f) => ['-f', path.join(app.dir, f)]),
    '-f',
    override,
  ];
  return timedSteps([
    ['checkout', () => runTool('git', ['-C', app.dir, 'checkout', '-q', target.sha])],
    [
      'override',
      async () =>
        fs.writeFileSync(override, `services:\n  backend:\n    image: ${image}\n  worker:\n    image: ${image}\n`),
    ],
    ['pull', () => runTool('docker', [...compose, 'pull', '--quiet', 'backend', 'worker'])],
    [
      'pg_dump',
      () =>
        runTool('docker', [...compose, 'exec', '-T', 'db', 'pg_dump', '-U', 'postgres', '-Fc', 'app'], {
          stdoutTo: dumpFile,
        }),
    ],
    ['up', () => runTool('docker', [...compose, 'up', '-d', '--no-build', '--remove-orphans', '--wait'])],
  ]);
}

function summarize(runs: Measured[]) {
  const seconds = runs.map((r) => r.seconds);
  const longestGaps = runs.map((r) => r.longestGap);
  const failed = runs.map((r) => r.failed);
  const stepMedians: Record<string, number> = {};
  for (const name of new Set(runs.flatMap((r) => Object.keys(r.steps)))) {
    stepMedians[name] = median(runs.flatMap((r) => (r.steps[name] === undefined ? [] : [r.steps[name]])));
  }
  return {
    seconds,
    longestGaps,
    failed,
    median: median(seconds),
    downtimeMedian: median(longestGaps),
    downtimeMax: Math.max(...longestGaps),
    stepMedians,
  };
}

const stepLine = (label: string, r: ReturnType<typeof summarize>) =>
  `${label} steps (median s): ${Object.entries(r.stepMedians)
    .map(([name, s]) => `${name} ${s.toFixed(2)}`)
    .join(', ')}`;

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: true });

  console.log(`deploy benchmark: runs=${RUNS}, bench_data rows=${DATA_ROWS}`);
  const app = createSampleApp({ versions: ['v1', 'v2', 'v4'], proxy: true });
  try {
    app.startByHand(); // v1 from :latest, as operators ran it before switchyard
    console.log(`filling bench_data with ${DATA_ROWS} rows ...`);
    app.psql(
      'CREATE TABLE bench_data (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), title text NOT NULL, body text NOT NULL)',
    );
    const hex = Array.from({ length: 6 }, () => 'md5(random()::text)').join(' || '); // 192 random hex chars a row
    app.psql(
      `INSERT INTO bench_data (title, body) SELECT 'request #' || g, ${hex} FROM generate_series(1, ${DATA_ROWS}) g`,
    );
    // Set hint bits now, or the first dump (whichever side runs it) would pay for writing them.
    app.psql('VACUUM (FREEZE, ANALYZE)');
    const dbBytes = Number(app.psql(`SELECT pg_database_size('app')`));
    console.log(`database is ${Math.round(dbBytes / 2 ** 20)} MB`);

    // The same context as test/deploy/deploy.test.ts builds for the sample app.
    const ctx = sampleAppContext(app);
    try {
      // The bare side's override and dump live in ctx.root, a temp dir that ctx.cleanup()
      // removes, on the same filesystem as switchyard's backups dir (and its pin file stays unused).
      const work = fs.mkdtempSync(path.join(ctx.root, 'bare-'));
      // Untimed warm-up: switchyard adopts the hand-started host at v1 (not a version
      // change), so the first timed run of either side is not the first of anything.
      console.log('warm-up: switchyard adopts the host at v1.0.0 ...');
      await switchyardSwitch(ctx, { ref: 'v1.0.0', sha: app.commits.v1 });

      const versions: Target[] = [
        { ref: 'v1.0.0', sha: app.commits.v1 },
        { ref: 'v2.0.0', sha: app.commits.v2 },
      ];
      let switches = 0;
      const url = `http://127.0.0.1:${app.httpPort}/version`;
      const dumpFile = path.join(work, 'pre-deploy.dump');
      let dumpBytes = 0;
      const switchyardRuns: Measured[] = [];
      const bareRuns: Measured[] = [];

      // Every switch goes to the other version, whichever side makes it.
      const timed = async (
        label: string,
        runs: Measured[],
        doSwitch: (target: Target) => Promise<Record<string, number>>,
      ) => {
        const target = versions[++switches % 2]!;
        const measured = await measureSwitch(url, () => doSwitch(target));
        const served = (await (await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).text()).trim();
        if (served !== target.ref) throw new Error(`${label} switched to ${target.ref} but the app serves ${served}`);
        runs.push(measured);
        console.log(
          `run ${runs.length}/${RUNS} ${label} -> ${target.ref}: ${secs(measured.seconds)} s, longest downtime ${measured.longestGap.toFixed(2)} s, failed requests ${measured.failed}`,
        );
      };
      const timeSwitchyard = () => timed('switchyard', switchyardRuns, (target) => switchyardSwitch(ctx, target));
      const timeBare = async () => {
        await timed('bare compose', bareRuns, (target) => bareSwitch(app, work, target, dumpFile));
        dumpBytes = fs.statSync(dumpFile).size;
        fs.rmSync(dumpFile, { force: true });
      };

      // ABBA: swap which side goes first every round, so neither always gets the warmer cache.
      for (let round = 0; round < RUNS; round++) {
        for (const step of round % 2 === 0 ? [timeSwitchyard, timeBare] : [timeBare, timeSwitchyard]) {
          stopIfInterrupted();
          await step();
        }
      }

      // The rollbacks, through the same switch: images only (to before the last deploy), and the automatic one.
      // Untimed: a switchyard deploy to the other version, so that the rollback to before it is a real switch.
      await switchyardSwitch(ctx, versions[++switches % 2]!);
      const last = ctx.store.deployments.list(1)[0]!;
      const rollback = await measureSwitch(url, async () => {
        const r = await (await startRollback(ctx, { deploymentId: last.id, mode: 'images-only', actor: 'bench' })).done;
        if (r.status !== 'succeeded') throw new Error(`images-only rollback ended ${r.status}: ${r.error}`);
        return stepSeconds(ctx.store.deployments.steps(r.id));
      });
      console.log(`images-only rollback: ${secs(rollback.seconds)} s, failed requests ${rollback.failed}`);
      const automatic = await measureSwitch(url, async () => {
        const r = await deploy(ctx, { ref: 'v4.0.0', actor: 'bench' });
        if (r.status !== 'rolled-back') throw new Error(`deploy of the broken v4.0.0 ended ${r.status}: ${r.error}`);
        return stepSeconds(ctx.store.deployments.steps(r.id));
      });
      console.log(
        `automatic rollback (v4.0.0 never healthy): ${secs(automatic.seconds)} s, failed requests ${automatic.failed}`,
      );

      const switchyard = summarize(switchyardRuns);
      const bare = summarize(bareRuns);
      const ratio = switchyard.median / bare.median;
      const summary =
        `deploy benchmark (runs=${RUNS}): switchyard median ${secs(switchyard.median)} s, bare median ${secs(bare.median)} s, ratio ${ratio.toFixed(2)}; ` +
        `longest downtime median/max: switchyard ${switchyard.downtimeMedian.toFixed(2)}/${switchyard.downtimeMax.toFixed(2)} s, ` +
        `bare ${bare.downtimeMedian.toFixed(2)}/${bare.downtimeMax.toFixed(2)} s; ` +
        `failed requests per switch: switchyard ${switchyard.failed.join(', ')}, bare ${bare.failed.join(', ')}; ` +
        `images-only rollback ${rollback.failed}, automatic rollback ${automatic.failed}`;
      console.log(`\n${summary}\n${stepLine('switchyard', switchyard)}\n${stepLine('bare compose', bare)}`);
      console.log(`database ${Math.round(dbBytes / 2 ** 20)} MB, dump ${Math.round(dumpBytes / 2 ** 20)} MB`);

      writeResults('deploy.json', {
        date: new Date().toISOString(),
        runs: RUNS,
        dataRows: DATA_ROWS,
        dbBytes,
        dumpBytes,
        ratio,
        switchyard,
        bare,
        rollback: { seconds: rollback.seconds, failed: rollback.failed, steps: rollback.steps },
        automaticRollback: { seconds: automatic.seconds, failed: automatic.failed, steps: automatic.steps },
      });
    } finally {
      ctx.cleanup();
    }
  } finally {
    app.cleanup();
  }
}

runBenchmark(import.meta.url, 'deploy benchmark', main);
