/**
 * What does a switchyard deploy cost on Docker Swarm, in time and in failed requests, against the bare
 * `docker stack deploy --with-registry-auth` of the same stack file with the same pins? Measured on the swarm
 * tests' app (test/fixtures/swarmApp.ts: 2 backend replicas behind Caddy, worker, db), switching v1 <-> v2 on every
 * run. switchyard: the CLI in its own process, `switchyard deploy vX` (pre-deploy backup, pull and pin, stack
 * deploy, health rule). Bare: the stack file switchyard rendered for that version (src/swarm/stack.ts), deployed,
 * then `docker service` tasks polled until every managed service runs its pinned digest (swarmServiceProblem, the
 * rule switchyard's health uses) and the proxy serves the version: both sides end "deployed and serving".
 * A resident asks through the proxy every 20 ms during each; its failed requests are counted.
 * A benchmark, not a test: prints medians, writes bench/results/swarm.json.
 *
 *   DOCKER_HOST=unix:///run/docker-b.sock BENCH_RUNS=3 npm run bench:swarm
 *
 * The engine must be (or becomes, and is then left again) a single-node swarm manager, as in test/swarm/live.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderProjectStack } from '../src/swarm/stack.js';
import { digestOf, readStackServices, type ServiceFacts, swarmServiceProblem } from '../src/swarm/tasks.js';
import type { ImagePins } from '../src/domain/images.js';
import { switchyard } from '../test/fixtures/cli.js';
import type { TestContext } from '../test/fixtures/context.js';
import { askEvery, type ClientTally } from '../test/fixtures/proxyClient.js';
import { createSwarmApp, startStackByHand, type SwarmApp, swarmAppContext } from '../test/fixtures/swarmApp.js';
import swarmSetup from '../test/fixtures/swarmSetup.js';
import {
  benchRuns,
  median,
  requireTools,
  rotate,
  runBenchmark,
  runTool,
  secs,
  sleep,
  stepSeconds,
  writeResults,
} from './lib.js';

const RUNS = benchRuns();
/** How long the bare side may wait for the tasks to converge before the run counts as broken. */
const CONVERGE_TIMEOUT_MS = 300_000;

type Side = 'switchyard' | 'bare';
type Version = { ref: string; file: string; pins: ImagePins };
interface Run {
  side: Side;
  ref: string;
  seconds: number;
  failed: number;
  /** switchyard: the journal's step seconds; bare: stack deploy, then converge. */
  steps: Record<string, number>;
  load: number;
  /** After it returned, until the proxy served only the new version (ten answers in a row): untimed. */
  settle: number;
}

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: true });
  const leaveSwarm = swarmSetup(); // leaves the swarm at the end only when it made it
  const app = createSwarmApp({ versions: ['v1', 'v2'] });
  const ctx = swarmAppContext(app);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-swarm-'));
  try {
    console.log(
      `swarm benchmark: runs=${RUNS}, stack ${app.stack}, DOCKER_HOST=${process.env.DOCKER_HOST ?? '(default)'}`,
    );
    await startStackByHand(ctx);
    // Untimed warm-up: switchyard adopts the stack at v2, then deploys v1; after each the stack file it rendered
    // (HEAD and pins at that version) is kept for the bare side, so both deploy the same file with the same pins.
    const versions: Version[] = [];
    for (const ref of ['v2.0.0', 'v1.0.0']) {
      console.log(`warm-up: switchyard deploy ${ref} ...`);
      const { pins } = await switchyardDeploy(ctx, ref);
      const file = path.join(work, `stack-${ref}.json`);
      fs.writeFileSync(file, JSON.stringify((await renderProjectStack(ctx.config, pins)).document, null, 2));
      versions.unshift({ ref, file, pins });
    }

    const url = `http://127.0.0.1:${app.httpPort}/version`;
    const runs: Run[] = [];
    let switches = 0; // every run switches to the other version, whichever side makes it: v1 runs now
    await rotate<Side>({
      label: 'swarm',
      rounds: RUNS,
      order: ['switchyard', 'bare'],
      labels: { switchyard: 'switchyard deploy', bare: 'docker stack deploy' },
      run: async (side) => {
        const target = versions[++switches % 2]!;
        const load = os.loadavg()[0]!;
        const resident = askEvery(url, 20);
        let tally: ClientTally | undefined;
        let steps: Record<string, number> = {};
        const started = performance.now();
        try {
          steps =
            side === 'switchyard'
              ? (await switchyardDeploy(ctx, target.ref)).steps
              : await bareDeploy(ctx, app, target, url);
        } finally {
          tally = await resident.stop();
        }
        const seconds = (performance.now() - started) / 1000;
        // Untimed: an old task still draining may answer a little longer; past 30 s the switch did not happen.
        const settling = performance.now();
        await servesOnly(url, target.ref);
        const settle = (performance.now() - settling) / 1000;
        const run = { side, ref: target.ref, seconds, failed: tally.failed, steps, load, settle };
        runs.push(run);
        console.log(
          `  ${side} -> ${target.ref}: settle ${settle.toFixed(2)} s, failed requests ${tally.failed} of ${tally.ok + tally.failed}, load ${load.toFixed(2)}; ` +
            stepsLine(steps),
        );
      },
    });

    const summary = { switchyard: summarize(runs, 'switchyard'), bare: summarize(runs, 'bare') };
    const ratio = summary.switchyard.median / summary.bare.median;
    console.log(
      `\nswarm benchmark (runs=${RUNS}): switchyard median ${secs(summary.switchyard.median)} s, ` +
        `docker stack deploy median ${secs(summary.bare.median)} s, ratio ${ratio.toFixed(2)}; ` +
        `failed requests: switchyard ${summary.switchyard.failed.join(', ')}, bare ${summary.bare.failed.join(', ')}`,
    );
    console.log(`switchyard steps (median s): ${stepsLine(summary.switchyard.stepMedians)}`);
    console.log(`bare steps (median s): ${stepsLine(summary.bare.stepMedians)}`);
    writeResults('swarm.json', { date: new Date().toISOString(), runs: RUNS, ratio, ...summary, each: runs });
  } finally {
    ctx.cleanup();
    app.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
    leaveSwarm();
  }
}

/** `switchyard deploy REF` as an operator runs it; the deployment's pins and its journal's step seconds. */
async function switchyardDeploy(
  ctx: TestContext,
  ref: string,
): Promise<{ pins: ImagePins; steps: Record<string, number> }> {
  const r = await switchyard(['deploy', ref, '--config', ctx.configFile]);
  const d = ctx.store.deployments.list(1)[0];
  if (r.code !== 0 || d?.ref !== ref || d.status !== 'succeeded')
    throw new Error(`switchyard deploy ${ref} exited ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
  return { pins: d.images!, steps: stepSeconds(ctx.store.deployments.steps(d.id)) };
}

/** The bare side: the same stack file and pins, `docker stack deploy`, then waits until the tasks run them and the proxy serves. */
async function bareDeploy(
  ctx: TestContext,
  app: SwarmApp,
  target: Version,
  url: string,
): Promise<Record<string, number>> {
  const started = performance.now();
  await runTool('docker', [
    'stack',
    'deploy',
    '--with-registry-auth',
    '--prune',
    '--detach=true',
    '-c',
    target.file,
    app.stack,
  ]);
  const deployed = performance.now();
  const deadline = deployed + CONVERGE_TIMEOUT_MS;
  const services = Object.keys(target.pins);
  for (;;) {
    const facts = await readStackServices(ctx.docker(), app.stack, services);
    const problem = services
      .map((s) => swarmServiceProblem(s, facts[s], target.pins[s]!) ?? draining(s, facts[s]!, target.pins[s]!))
      .find((p) => p !== null);
    const served = problem
      ? null
      : await fetch(url).then(
          (r) => r.text(),
          () => '',
        );
    if (!problem && served?.trim() === target.ref) break;
    if (performance.now() > deadline)
      throw new Error(`the stack did not converge on ${target.ref}: ${problem ?? `serves ${served}`}`);
    await sleep(250);
  }
  return { 'stack deploy': (deployed - started) / 1000, converge: (performance.now() - deployed) / 1000 };
}

/** A task of the old digest still running (desired shutdown, draining): the old version may still answer. */
function draining(service: string, facts: ServiceFacts, pin: string): string | null {
  const old = facts.tasks.filter((t) => t.state === 'running' && digestOf(t.image) !== digestOf(pin));
  return old.length ? `service ${service}: ${old.length} task(s) of another digest still run` : null;
}

/** Waits until the proxy's answers are all `ref`, ten in a row; throws after 30 s. */
async function servesOnly(url: string, ref: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  let inARow = 0;
  let last = '';
  while (inARow < 10) {
    last = await fetch(url).then(
      (r) => r.text().then((t) => t.trim()),
      (e: Error) => e.message,
    );
    inARow = last === ref ? inARow + 1 : 0;
    if (performance.now() > deadline)
      throw new Error(`the proxy still serves ${last}, not ${ref}, 30 s after the switch`);
    await sleep(50);
  }
}

function summarize(runs: Run[], side: Side) {
  const mine = runs.filter((r) => r.side === side);
  const stepMedians: Record<string, number> = {};
  for (const name of new Set(mine.flatMap((r) => Object.keys(r.steps))))
    stepMedians[name] = median(mine.flatMap((r) => (r.steps[name] === undefined ? [] : [r.steps[name]])));
  return {
    seconds: mine.map((r) => r.seconds),
    median: median(mine.map((r) => r.seconds)),
    failed: mine.map((r) => r.failed),
    stepMedians,
  };
}

const stepsLine = (steps: Record<string, number>) =>
  Object.entries(steps)
    .map(([name, s]) => `${name} ${s.toFixed(2)}`)
    .join(', ');

runBenchmark(import.meta.url, 'swarm benchmark', main);
