/**
 * Helpers shared by the benchmarks (bench/*.ts). Importing this module has no
 * side effects: signal handlers are installed, and a benchmark's main() runs,
 * only through runBenchmark() in the file that node was started with.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { DeploymentStep } from '../src/store/index.js';
import { hasCompose, hasDocker } from '../test/fixtures/env.js';
import { hasPostgres } from '../test/fixtures/postgres.js';

export const MiB = 1024 * 1024;
export const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url)); // from dist/bench/

export function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

/** BENCH_RUNS: how many timed rounds a benchmark runs (3 by default). */
export const benchRuns = (): number => envInt('BENCH_RUNS', 3, 1);

/** BENCH_MODES: the database modes to measure, `url` and/or `service` (both by default). */
export const benchModes = (): string[] => (process.env.BENCH_MODES ?? 'url,service').split(',');

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const mb = (bytes: number) => Math.round(bytes / MiB);
export const secs = (s: number) => s.toFixed(s < 10 ? 2 : 1);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds since `started` (a performance.now() value). */
export const since = (started: number) => (performance.now() - started) / 1000;

/** Runs a command (argument array, no shell), optionally streaming its stdout into a file, or a file into its stdin. */
export async function runTool(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdoutTo?: string; stdinFrom?: string } = {},
): Promise<void> {
  const stdin = options.stdinFrom ? fs.openSync(options.stdinFrom, 'r') : 'ignore';
  const child = spawn(cmd, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: [stdin, options.stdoutTo ? 'pipe' : 'ignore', 'pipe'],
  });
  if (typeof stdin === 'number') fs.closeSync(stdin); // the child has its own copy
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

/** The journal's own timestamps (ms resolution), in seconds per step name. */
export function stepSeconds(steps: readonly DeploymentStep[]): Record<string, number> {
  const seconds: Record<string, number> = {};
  for (const s of steps) {
    if (s.finishedAt) seconds[s.name] = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
  }
  return seconds;
}

/** Throws when a dependency of the benchmark is missing, naming all of them. */
export function requireTools(needs: { postgres?: boolean; docker?: boolean }): void {
  const checks: Array<[string, () => boolean]> = [];
  if (needs.postgres) checks.push(['PostgreSQL binaries', hasPostgres]);
  if (needs.docker) checks.push(['Docker engine', hasDocker], ['docker compose v2', hasCompose]);
  const missing = checks.filter(([, ok]) => !ok()).map(([what]) => what);
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
}

export function writeResults(name: string, results: unknown): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
}

let interruptedBy: string | undefined;

/** Throws between runs once Ctrl-C (or SIGTERM) was received. */
export function stopIfInterrupted(): void {
  if (interruptedBy) throw new Error(`interrupted (${interruptedBy})`);
}

export interface Rotation<C extends string> {
  label: string;
  rounds: number;
  /** The contestants, in round 0's order. */
  order: readonly C[];
  labels: Record<C, string>;
  run(who: C): Promise<void>;
  /** Untimed clean-up after each run, even a failed one. */
  afterEach?(who: C): void;
  /** Untimed work between rounds. */
  afterRound?(): Promise<void>;
}

/**
 * Times every contestant `rounds` times, rotating the order each round (a Latin square: each goes first,
 * second, … equally often, so none always gets the warmest cache). Returns each one's seconds, in run order.
 */
export async function rotate<C extends string>(r: Rotation<C>): Promise<Record<C, number[]>> {
  const seconds = Object.fromEntries(r.order.map((c) => [c, [] as number[]])) as Record<C, number[]>;
  for (let round = 0; round < r.rounds; round++) {
    for (let i = 0; i < r.order.length; i++) {
      const who = r.order[(round + i) % r.order.length]!;
      stopIfInterrupted();
      const started = performance.now();
      try {
        await r.run(who);
        seconds[who].push(since(started));
      } finally {
        r.afterEach?.(who);
      }
      console.log(
        `${r.label}: run ${seconds[who].length}/${r.rounds} ${r.labels[who]} ${secs(seconds[who].at(-1)!)} s`,
      );
    }
    if (r.afterRound) {
      stopIfInterrupted();
      await r.afterRound();
    }
  }
  return seconds;
}

/**
 * Runs `main` only when `moduleUrl` is the file node was started with, so that
 * importing a benchmark (or this module) never starts one. Ctrl-C reaches our
 * child processes too, so the step in progress fails and the finally blocks
 * tear everything down; stopIfInterrupted() stops the loops between runs.
 */
export function runBenchmark(moduleUrl: string, label: string, main: () => Promise<void>): void {
  const entry = process.argv[1];
  if (!entry || realPath(entry) !== realPath(fileURLToPath(moduleUrl))) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interruptedBy = signal;
      console.error(`\n${signal}: stopping after the current step, then cleaning up`);
    });
  }
  main().then(
    () => process.exit(0), // explicit: a lingering docker API socket must not keep a finished benchmark alive
    (e: unknown) => {
      console.error(`${label} failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
