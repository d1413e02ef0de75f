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
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { carryOverCounts, carryOverOf } from '../src/carryover/report.js';
import type { CarryOverMode } from '../src/carryover/run.js';
import type { Deployment } from '../src/store/index.js';
import { switchyard } from '../test/fixtures/cli.js';
import { PG_BIN } from '../test/fixtures/postgres.js';
import type { SampleApp } from '../test/fixtures/sampleApp.js';
import { type DatasetSize, fillBenchDatabase, insertRequests, serviceFiller } from './dataset.js';
import {
  benchRuns,
  median,
  MiB,
  requireTools,
  runBenchmark,
  runTool,
  secs,
  sleep,
  stepSeconds,
  stopIfInterrupted,
  writeResults,
} from './lib.js';
import { dbAddress, type DeployedSampleApp, withSampleApp } from './restoreRollback.js';
import { longestGap, Writer } from './writer.js';

const INSERT_EVERY_MS = 50;
/** Every 10th insert (500 ms) is followed by an update. */
const UPDATE_EVERY = 10;
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

interface LastWrite {
  status: string;
  /** The writer's sequence number of that write. */
  seq: number;
  kind: 'insert' | 'update';
}

/**
 * What the writer committed, by case number (unique per row): each row's last acknowledged write. An
 * update whose connection broke before the answer may or may not have committed: its status is kept in
 * `unsure`, and a row showing it counts as found if that write came after the row's acknowledged one.
 */
export class RowLedger {
  readonly last = new Map<string, LastWrite>();
  readonly unsure = new Map<string, number>();

  acknowledged(caseNumber: string, write: LastWrite): void {
    this.last.set(caseNumber, write);
  }

  /** Rows whose last committed write shows in none of `seen` (case number → the statuses found for it). */
  missing(seen: ReadonlyMap<string, readonly string[]>): { inserted: number; updated: number } {
    const missing = { inserted: 0, updated: 0 };
    for (const [caseNumber, write] of this.last) {
      const found = (seen.get(caseNumber) ?? []).some(
        (status) => status === write.status || (this.unsure.get(status) ?? -1) > write.seq,
      );
      if (!found) missing[write.kind === 'insert' ? 'inserted' : 'updated']++;
    }
    return missing;
  }

  count(kind: LastWrite['kind']): number {
    return [...this.last.values()].filter((w) => w.kind === kind).length;
  }
}

/** The writer's one write per tick: a text-rich service request, and every UPDATE_EVERY ticks an update. */
function ledgerWriter(ledger: RowLedger, fillRows: number, next: () => number) {
  const ownIds: number[] = [];
  return async (client: pg.Client, tick: number) => {
    const n = next();
    const inserted = await client.query<{ id: string; case_number: string; status: string }>(
      `${insertRequests(n, n)} RETURNING id, case_number, status`,
    );
    const row = inserted.rows[0]!;
    ledger.acknowledged(row.case_number, { status: row.status, seq: n, kind: 'insert' });
    ownIds.push(Number(row.id));
    if (tick % UPDATE_EVERY !== 0) return;
    const u = next();
    const status = `updated by write ${u}`;
    // Alternately a row the dump holds and one of the writer's own (carried, or lost without carry-over).
    const id =
      tick % (2 * UPDATE_EVERY) === 0
        ? ownIds[Math.floor(Math.random() * ownIds.length)]!
        : 1 + Math.floor(Math.random() * fillRows);
    ledger.unsure.set(status, u);
    const updated = await client.query<{ case_number: string }>(
      'UPDATE service_requests SET status = $2, updated_at = now() WHERE id = $1 RETURNING case_number',
      [id, status],
    );
    ledger.unsure.delete(status);
    for (const r of updated.rows) ledger.acknowledged(r.case_number, { status, seq: u, kind: 'update' });
  };
}

async function withClient<T>(host: string, database: string, body: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host, port: 5432, user: 'postgres', database });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Case number → statuses, for the given rows of service_requests in the live database. */
async function liveStatuses(host: string, caseNumbers: string[]): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  const { rows } = await withClient(host, 'app', (c) =>
    c.query<{ case_number: string; status: string }>(
      'SELECT case_number, status FROM service_requests WHERE case_number = ANY($1::text[])',
      [caseNumbers],
    ),
  );
  for (const r of rows) seen.set(r.case_number, [...(seen.get(r.case_number) ?? []), r.status]);
  return seen;
}

const SCRATCH = 'bench_leftovers';

/**
 * The service requests a leftovers file holds, read as its head says a user would: `psql -f FILE` into a
 * scratch database, where each section is a table of text columns in schema switchyard_leftovers, named
 * by its comment ("public.service_requests: updated since the dump (live version)"). Also the file's
 * sections per table, for the report.
 */
async function leftoverStatuses(
  app: SampleApp,
  host: string,
  file: string,
): Promise<{ seen: Map<string, string[]>; sections: Record<string, number> }> {
  app.psql(`DROP DATABASE IF EXISTS ${SCRATCH}`);
  app.psql(`CREATE DATABASE ${SCRATCH}`);
  try {
    const psql = path.join(PG_BIN, 'psql');
    await runTool(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', host, '-U', 'postgres', '-d', SCRATCH, '-f', file]);
    return await withClient(host, SCRATCH, async (c) => {
      const tables = await c.query<{ name: string; comment: string; requests: boolean }>(`
        SELECT t.relname AS name, obj_description(t.oid, 'pg_class') AS comment,
               (SELECT count(*) FROM pg_attribute a
                 WHERE a.attrelid = t.oid AND a.attname IN ('case_number', 'status')) = 2 AS requests
          FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'switchyard_leftovers' AND t.relkind = 'r'`);
      const seen = new Map<string, string[]>();
      const sections: Record<string, number> = {};
      for (const t of tables.rows) {
        const from = `switchyard_leftovers.${t.name}`;
        if (t.requests && t.comment.startsWith('public.service_requests:')) {
          const { rows } = await c.query<{ case_number: string; status: string }>(
            `SELECT case_number, status FROM ${from}`,
          );
          for (const r of rows) seen.set(r.case_number, [...(seen.get(r.case_number) ?? []), r.status]);
          sections[t.comment] = rows.length;
        } else sections[t.comment] = Number((await c.query(`SELECT count(*) AS n FROM ${from}`)).rows[0].n);
      }
      return { seen, sections };
    });
  } finally {
    app.psql(`DROP DATABASE IF EXISTS ${SCRATCH}`);
  }
}

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
  const writer = new Writer({
    host: () => host,
    intervalMs: INSERT_EVERY_MS,
    write: ledgerWriter(ledger, s.fillRows, s.next),
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
  const leftovers = report?.leftoversFile
    ? await leftoverStatuses(app, host, report.leftoversFile)
    : { seen: new Map<string, string[]>(), sections: {} };
  const seen = await liveStatuses(host, [...ledger.last.keys()]);
  for (const [key, statuses] of leftovers.seen) seen.set(key, [...(seen.get(key) ?? []), ...statuses]);
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
    missing: ledger.missing(seen),
    carryOver: report ? carryOverCounts(report) : null,
    leftoverSections: leftovers.sections,
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
