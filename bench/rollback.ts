/**
 * bench:rollback (issue #25): a whole rollback with carry-over (`--carry-over inserts`) against the same
 * rollback restoring the dump exactly (`--carry-over none`, what a rollback did before), alternating, on
 * the sample app (test/fixtures/sampleApp.ts) with its database filled with the benches' text-rich rows
 * (bench/dataset.ts), once per size:
 *
 *   BENCH_SIZES_MB=100,1000 BENCH_RUNS=3 npm run bench:rollback
 *
 * Each run deploys v2 (its pre-deploy backup is the dump to go back to), then `switchyard rollback`
 * (the CLI, its own process) to before it, while a writer outside the managed services (its own
 * node-postgres connection, like a cron job) inserts a service request every 50 ms and updates one
 * every 500 ms (alternately a row of the dump and one of its own), retrying after errors. Afterwards
 * every row whose last write was committed is looked for in the live database and in the leftovers
 * file, loaded as a user would (`psql -f` into a scratch database): "missing" counts the rows in
 * neither (goal 0 with carry-over). Downtime is the longest gap between the writer's successful writes
 * around the rollback (goals: ≤ 6 s, and the largest size ≤ 1.3× the smallest's). Not run in CI.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { carryOverCounts, carryOverOf } from '../src/carryover/report.js';
import type { CarryOverMode } from '../src/carryover/run.js';
import type { Deployment } from '../src/store/index.js';
import { switchyard } from '../test/fixtures/cli.js';
import { type LedgerTable, ledgerWrites, lookUpRows, RowLedger, UPDATE_EVERY } from '../test/fixtures/committedRows.js';
import { longestGap, Writer } from '../test/fixtures/outsideWriter.js';
import { dbAddress, type SampleApp } from '../test/fixtures/sampleApp.js';
import { type DatasetSize, fillBenchDatabase, insertRequests, serviceFiller } from './dataset.js';
import {
  benchRuns,
  median,
  MiB,
  requireTools,
  runBenchmark,
  secs,
  sleep,
  stepSeconds,
  stopIfInterrupted,
  writeResults,
} from './lib.js';
import { type DeployedSampleApp, withSampleApp } from './restoreRollback.js';

const INSERT_EVERY_MS = 50;
/** The writer's rows are numbered from here: far above the fill's, and still 8 digits in a case number. */
const FIRST_WRITER_NUMBER = 90_000_000;
const MODES: readonly CarryOverMode[] = ['inserts', 'none'];
const DOWNTIME_GOAL_SECONDS = 6;
const DOWNTIME_GROWTH_GOAL = 1.3;

export function sizesFromEnv(): number[] {
  const raw = process.env.BENCH_SIZES_MB || '100,1000';
  return raw.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 10) throw new Error(`BENCH_SIZES_MB: sizes in MB, each >= 10, got "${s}"`);
    return n;
  });
}

/** bench/dataset.ts's 1 GB (pgbench -s 20 and 1 M requests), scaled: about a third pgbench, two thirds requests. */
const datasetOf = (sizeMb: number): DatasetSize => ({
  scale: Math.max(1, Math.round(sizeMb / 50)),
  requests: sizeMb * 1000,
  minBytes: Math.round(sizeMb * 0.8) * MiB,
});

/** The benches' service requests, as the writer writes them: case numbers from SR-…-90000001 up. */
const requestsTable = (fillRows: number): LedgerTable => ({
  name: 'service_requests',
  key: 'case_number',
  status: 'status',
  dumpRows: fillRows,
  insert: (n) => ({ text: `${insertRequests(n, n)} RETURNING id, case_number AS key, status` }),
  touch: 'updated_at = now()',
});

interface RunResult {
  mode: CarryOverMode;
  rollbackId: number;
  /** 1-minute load average as the rollback started. */
  loadAverage: number;
  /** `switchyard rollback` from its spawn to its exit. */
  wholeSeconds: number;
  downtimeSeconds: number;
  writesAttempted: number;
  writesFailed: number;
  /** Rows whose last committed write was the writer's insert, or an update, during this run. */
  rowsInserted: number;
  rowsUpdated: number;
  /** Of those, rows in neither the live database nor the leftovers file. */
  missing: { inserted: number; updated: number };
  carryOver: ReturnType<typeof carryOverCounts> | null;
  leftoverSections: Record<string, number>;
  steps: Record<string, number>;
}

interface Session {
  sample: DeployedSampleApp;
  fillRows: number;
  next: () => number;
  /** The `switchyard deployments ID` output of the first carry-over run, for README's example. */
  example?: string;
}

async function oneRollback(s: Session, mode: CarryOverMode): Promise<RunResult> {
  const { app, ctx, deployed } = s.sample;
  let host = dbAddress(app);
  const ledger = new RowLedger();
  const table = requestsTable(s.fillRows);
  const writer = new Writer({
    host: () => host,
    intervalMs: INSERT_EVERY_MS,
    write: ledgerWrites(ledger, table, s.next),
  });
  let started = 0;
  let ended = 0;
  let attempts = 0;
  let failures = 0;
  let record: Deployment;
  let loadAverage = 0;
  writer.start();
  try {
    const v2 = await deployed('v2.0.0');
    await sleep(1000); // rows written after the dump and before the rollback: the carry-over's first pass
    stopIfInterrupted();
    loadAverage = os.loadavg()[0]!;
    [attempts, failures] = [writer.attempts, writer.failures];
    started = performance.now();
    const cli = await switchyard([
      'rollback',
      String(v2.id),
      '--carry-over',
      mode,
      '--json',
      '--config',
      ctx.configFile,
    ]);
    ended = performance.now();
    const last = cli.stdout.trim().split('\n').at(-1);
    if (!last) throw new Error(`switchyard rollback printed no record (exit ${cli.code}): ${cli.stderr.slice(-1000)}`);
    record = JSON.parse(last) as Deployment;
    if (record.status !== 'succeeded')
      throw new Error(`rollback ${record.id} ended ${record.status}: ${record.error ?? cli.stderr.slice(-1000)}`);
    await sleep(1000); // the writer's first writes after the switch
  } finally {
    await writer.stop();
  }
  host = dbAddress(app);
  const steps = ctx.store.deployments.steps(record.id);
  const report = carryOverOf(steps);
  const found = await lookUpRows(host, table, ledger, report?.leftoversFile ?? null);
  if (mode === 'inserts' && s.example === undefined)
    s.example = (await switchyard(['deployments', String(record.id), '--config', ctx.configFile])).stdout;

  const result: RunResult = {
    mode,
    rollbackId: record.id,
    loadAverage,
    wholeSeconds: (ended - started) / 1000,
    downtimeSeconds: longestGap(writer.successes, started, ended) / 1000,
    writesAttempted: writer.attempts - attempts,
    writesFailed: writer.failures - failures,
    rowsInserted: ledger.count('insert'),
    rowsUpdated: ledger.count('update'),
    missing: ledger.missing(found.seen),
    carryOver: report ? carryOverCounts(report) : null,
    leftoverSections: found.sections,
    steps: stepSeconds(steps),
  };
  console.log(
    `  carry-over ${mode.padEnd(7)} rollback #${result.rollbackId} ${secs(result.wholeSeconds)} s, downtime ${secs(result.downtimeSeconds)} s ` +
      `(${result.writesFailed}/${result.writesAttempted} writes failed), rows missing ${result.missing.inserted}/${result.rowsInserted} inserted, ` +
      `${result.missing.updated}/${result.rowsUpdated} updated; load ${loadAverage.toFixed(2)}\n    steps: ${Object.entries(
        result.steps,
      )
        .map(([name, t]) => `${name} ${secs(t)}`)
        .join(', ')}`,
  );
  return result;
}

interface SizeResult {
  sizeMb: number;
  dbBytes: number;
  runs: RunResult[];
  medians: Record<CarryOverMode, { wholeSeconds: number; downtimeSeconds: number; maxDowntimeSeconds: number }>;
  /** The carry-over rollback's whole time over the exact restore's (medians). */
  wholeRatio: number;
  missingWithCarryOver: number;
  example: string | undefined;
}

async function measureSize(
  sizeMb: number,
  rounds: number,
  next: () => number,
  /** Called after each run: a 1 GB run takes minutes, and an interrupted bench keeps what it measured. */
  measured: (runs: RunResult[]) => void,
): Promise<SizeResult> {
  const size = datasetOf(sizeMb);
  const label = `${sizeMb} MB`;
  const fill = (app: SampleApp) =>
    fillBenchDatabase(label, serviceFiller({ ...app, psql: (_database, sql) => app.psql(sql) }), size);
  return withSampleApp(label, fill, async (sample) => {
    const session: Session = { sample, fillRows: size.requests, next };
    const runs: RunResult[] = [];
    for (let round = 0; round < rounds; round++) {
      console.log(`${label}: round ${round + 1}/${rounds}`);
      for (const mode of round % 2 ? [...MODES].reverse() : MODES) {
        runs.push(await oneRollback(session, mode));
        measured(runs);
      }
    }
    const of = (mode: CarryOverMode) => runs.filter((r) => r.mode === mode);
    const medians = Object.fromEntries(
      MODES.map((m) => [
        m,
        {
          wholeSeconds: median(of(m).map((r) => r.wholeSeconds)),
          downtimeSeconds: median(of(m).map((r) => r.downtimeSeconds)),
          maxDowntimeSeconds: Math.max(...of(m).map((r) => r.downtimeSeconds)),
        },
      ]),
    ) as SizeResult['medians'];
    return {
      sizeMb,
      dbBytes: sample.dbBytes,
      runs,
      medians,
      wholeRatio: medians.inserts.wholeSeconds / medians.none.wholeSeconds,
      missingWithCarryOver: of('inserts').reduce((n, r) => n + r.missing.inserted + r.missing.updated, 0),
      example: session.example,
    };
  });
}

function printTable(results: SizeResult[]): void {
  const rows = [
    ['size', 'carry-over', 'runs', 'whole (median)', 'vs none', 'downtime (median, max)', 'rows missing (all runs)'],
  ];
  for (const r of results)
    for (const mode of MODES) {
      const runs = r.runs.filter((x) => x.mode === mode);
      const m = r.medians[mode];
      const missing = runs.reduce((n, x) => n + x.missing.inserted + x.missing.updated, 0);
      const written = runs.reduce((n, x) => n + x.rowsInserted + x.rowsUpdated, 0);
      rows.push([
        `${Math.round(r.dbBytes / MiB)} MB`,
        mode,
        String(runs.length),
        `${secs(m.wholeSeconds)} s`,
        mode === 'inserts' ? `${r.wholeRatio.toFixed(2)}×` : '',
        `${secs(m.downtimeSeconds)} s, ${secs(m.maxDowntimeSeconds)} s`,
        `${missing} of ${written}`,
      ]);
    }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')}`);
}

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: true });
  const sizes = sizesFromEnv();
  const rounds = benchRuns();
  console.log(
    `rollback benchmark: ${sizes.join(', ')} MB, ${rounds} rounds of carry-over inserts and none (alternating); ` +
      `a writer inserts every ${INSERT_EVERY_MS} ms and updates every ${INSERT_EVERY_MS * UPDATE_EVERY} ms`,
  );
  let number = FIRST_WRITER_NUMBER;
  const next = () => ++number;
  const results: SizeResult[] = [];
  for (const sizeMb of sizes) {
    stopIfInterrupted();
    const partial = (runs: RunResult[]) =>
      writeResults('rollback.json', {
        date: new Date().toISOString(),
        rounds,
        unfinished: true,
        sizes: results,
        current: { sizeMb, runs },
      });
    results.push(await measureSize(sizeMb, rounds, next, partial));
  }
  printTable(results);
  const [smallest, largest] = [results[0]!, results.at(-1)!];
  const downtimeGrowth = largest.medians.inserts.downtimeSeconds / smallest.medians.inserts.downtimeSeconds;
  const goals = {
    noRowMissing: results.every((r) => r.missingWithCarryOver === 0),
    downtimeUnder6s: results.every((r) => r.medians.inserts.downtimeSeconds <= DOWNTIME_GOAL_SECONDS),
    downtimeGrowthUnder1_3: results.length < 2 || downtimeGrowth <= DOWNTIME_GROWTH_GOAL,
  };
  console.log(
    `downtime with carry-over, ${largest.sizeMb} MB over ${smallest.sizeMb} MB: ${downtimeGrowth.toFixed(2)}× ` +
      `(goal <= ${DOWNTIME_GROWTH_GOAL}); goals: ${JSON.stringify(goals)}`,
  );
  if (smallest.example) console.log(`\nexample report (switchyard deployments ID):\n${smallest.example}`);
  writeResults('rollback.json', {
    date: new Date().toISOString(),
    rounds,
    cores: os.cpus().length,
    loadAverageAtEnd: os.loadavg(),
    downtimeGrowth,
    goals,
    sizes: results,
  });
}

runBenchmark(import.meta.url, 'rollback benchmark', main);
