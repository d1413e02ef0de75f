import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy } from '../../src/app/ports/deploy.js';
import type { CarryOverReport } from '../../src/carryover/run.js';
import type { Deployment, DeploymentStep } from '../../src/store/index.js';
import { switchyard } from '../fixtures/cli.js';
import { type LedgerTable, ledgerWrites, lookUpRows, RowLedger, withClient } from '../fixtures/committedRows.js';
import type { TestContext } from '../fixtures/context.js';
import { dumpRows } from '../fixtures/dumpRows.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { longestGap, Writer } from '../fixtures/outsideWriter.js';
import { hasPostgres } from '../fixtures/postgres.js';
import { createSampleApp, dbAddress, type SampleApp, sampleAppContext } from '../fixtures/sampleApp.js';

const ready =
  need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose()) && need('PostgreSQL', hasPostgres());

/**
 * The sample app's requests, as a job outside the managed services writes them: each title names the writer's
 * number and the database its session wrote to (by oid, which a rename keeps), so that the rows carried into the
 * restored database can be told from the rows written there after the swap.
 */
const REQUESTS: LedgerTable = {
  name: 'requests',
  key: 'title',
  status: 'status',
  dumpRows: 50, // v1's migration files 50 potholes
  insert: (n) => ({
    text: `INSERT INTO requests (title)
           VALUES ('outside write ' || $1::int || ' into database ' || (SELECT datid FROM pg_stat_activity WHERE pid = pg_backend_pid()))
           RETURNING id, title AS key, status`,
    values: [n],
  }),
};
const WRITE_EVERY_MS = 50;
/** What the v3 migration sets on every row: a later version of the writer's rows, not a loss. */
const V3_REWRITE = 'migrated-by-v3';

interface Through {
  record: Deployment;
  steps: DeploymentStep[];
  ledger: RowLedger;
  /** The writer's successful writes before the operation started, while it ran, and after it ended. */
  writes: { before: number; during: number; after: number };
  /** Oid of the database that was live when the operation started (the one the swap replaces). */
  replaced: string;
  /** The writer's first row number in this run. */
  first: number;
  /** The CLI from spawn to exit, and the longest time without a successful write around it. */
  seconds: number;
  downtime: number;
}

describe.runIf(ready)('an outside writer through a whole rollback (real PostgreSQL, Docker, CLI)', () => {
  let app: SampleApp;
  let ctx: TestContext;
  let number = 0;
  const next = () => ++number;

  beforeAll(async () => {
    app = createSampleApp({ versions: ['v1', 'v2', 'v3'] });
    app.startByHand();
    ctx = sampleAppContext(app);
    expect((await deploy(ctx, { ref: 'v1.0.0', actor: 'test' })).status).toBe('succeeded');
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  const deployed = async (ref: string) => {
    const d = await deploy(ctx, { ref, actor: 'test' });
    expect(d.status, d.error ?? '').toBe('succeeded');
    return d;
  };

  /**
   * Runs `args` as the CLI (its own process, like an operator's) while the writer inserts every 50 ms and
   * updates every 500 ms, from a second before it to a second after; returns the operation's record and journal.
   */
  async function writeThrough(args: string[]): Promise<Through> {
    let host = dbAddress(app);
    const replaced = await withClient(host, 'postgres', async (c) =>
      String((await c.query(`SELECT oid FROM pg_database WHERE datname = 'app'`)).rows[0].oid),
    );
    const ledger = new RowLedger();
    const first = number + 1;
    const writer = new Writer({
      host: () => host,
      intervalMs: WRITE_EVERY_MS,
      write: ledgerWrites(ledger, REQUESTS, next),
    });
    writer.start();
    let started = 0;
    let ended = 0;
    let out = '';
    try {
      await sleep(1000); // rows written after the dump and before the operation
      started = performance.now();
      const cli = await switchyard([...args, '--json', '--config', ctx.configFile]);
      ended = performance.now();
      out = cli.stdout;
      await sleep(1000); // the writer's first writes after the switch
    } finally {
      await writer.stop();
    }
    host = dbAddress(app);
    const last = out.trim().split('\n').at(-1);
    expect(last, `switchyard ${args.join(' ')} printed no record`).toBeTruthy();
    const { id } = JSON.parse(last!) as Deployment;
    const detail = await switchyard(['deployments', String(id), '--json', '--config', ctx.configFile]);
    const { deployment, steps } = JSON.parse(detail.stdout) as { deployment: Deployment; steps: DeploymentStep[] };
    const s = writer.successes;
    return {
      record: deployment,
      steps,
      ledger,
      writes: {
        before: s.filter((t) => t < started).length,
        during: s.filter((t) => t >= started && t <= ended).length,
        after: s.filter((t) => t > ended).length,
      },
      replaced,
      first,
      seconds: (ended - started) / 1000,
      downtime: longestGap(s, started, ended) / 1000,
    };
  }

  /** One line per run, for the record: what the writer did and what became of it. */
  const note = (label: string, run: Through, missing: object, report: CarryOverReport | null) =>
    console.log(
      `${label}: ${run.seconds.toFixed(1)} s (downtime ${run.downtime.toFixed(1)} s), writes ${JSON.stringify(run.writes)}, rows ${run.ledger.count('insert')} inserted ` +
        `${run.ledger.count('update')} updated, missing ${JSON.stringify(missing)}, report ${JSON.stringify(
          report?.tables.map(({ reasons: _, ...t }) => t),
        )}`,
    );

  /**
   * What the carry-over had to carry: the writer's rows of this run written into the replaced database that the
   * restored dump (backup `backupId`) lacks, found in the live database.
   */
  const toCarry = async (run: Through, backupId: number | null) => {
    const dump = ctx.store.backups.get(backupId ?? -1)!;
    const inDump = new Set(dumpRows(path.join(ctx.config.backups.dir, dump.fileName), 'requests').map((r) => r[1]));
    const { rows } = await withClient(dbAddress(app), 'app', (c) =>
      c.query<{ n: number; title: string }>(
        `SELECT split_part(title, ' ', 3)::int AS n, title FROM requests WHERE title LIKE 'outside write % into database ' || $1`,
        [run.replaced],
      ),
    );
    return rows.filter((r) => r.n >= run.first && !inDump.has(r.title)).length;
  };

  /** Each table's counts in the report against the rows the leftovers file's sections hold. */
  const sectionCounts = (report: CarryOverReport, sections: Record<string, number>) => {
    const rows = (table: string, ...what: string[]) => what.reduce((n, w) => n + (sections[`${table}: ${w}`] ?? 0), 0);
    return {
      reported: report.tables.map((t) => ({ table: t.table, leftover: t.leftover, updated: t.updated })),
      inFile: report.tables.map((t) => ({
        table: t.table,
        leftover: rows(
          t.table,
          'inserted since the dump, not carried',
          'rows (left over)',
          'rows not in the restored table (left over)',
        ),
        updated: rows(t.table, 'updated since the dump (live version)'),
      })),
    };
  };

  it('with carry-over inserts: every row whose write was acknowledged is in the live database or the leftovers file', async () => {
    const v2 = await deployed('v2.0.0'); // its migration adds a column and a table; its pre-deploy dump is the target
    const run = await writeThrough(['rollback', String(v2.id), '--carry-over', 'inserts']);
    expect(run.record.error).toBeNull();
    expect(run.record).toMatchObject({ kind: 'rollback', status: 'succeeded', rollbackOf: v2.id });
    expect(run.writes.before).toBeGreaterThan(5);
    expect(run.writes.after).toBeGreaterThan(5);
    expect(run.ledger.count('insert')).toBeGreaterThan(10);
    expect(run.ledger.count('update')).toBeGreaterThan(0);

    const report = (await switchyardCarryOver(run.record.id))!;
    expect(report.mode).toBe('inserts');
    const found = await lookUpRows(dbAddress(app), REQUESTS, run.ledger, report.leftoversFile);
    note('carry-over inserts', run, run.ledger.missing(found.seen), report);
    expect(run.ledger.missing(found.seen)).toEqual({ inserted: 0, updated: 0 });

    // Carried: exactly the writer's rows written into the replaced database, now in the live one.
    const requests = report.tables.find((t) => t.table === 'public.requests')!;
    expect(requests.carried).toBeGreaterThan(10);
    expect(requests.carried).toBe(await toCarry(run, v2.backupId));
    expect(requests).toMatchObject({ leftover: 0, deleted: 0 });
    expect(requests.updated).toBeGreaterThanOrEqual(10); // v2's migration triaged 10 of the dump's rows
    expect(report.tables.find((t) => t.table === 'public.categories')).toMatchObject({ carried: 0, leftover: 2 });
    const counts = sectionCounts(report, found.sections);
    expect(counts.inFile).toEqual(counts.reported);
  }, 300_000);

  it('with carry-over none: the same check finds the rows written since the dump missing (it can fail)', async () => {
    const v2 = await deployed('v2.0.0');
    const run = await writeThrough(['rollback', String(v2.id), '--carry-over', 'none']);
    expect(run.record).toMatchObject({ kind: 'rollback', status: 'succeeded' });
    expect(run.writes.before).toBeGreaterThan(5);
    const report = await switchyardCarryOver(run.record.id);
    expect(report).toMatchObject({ mode: 'none', leftoversFile: null });
    const found = await lookUpRows(dbAddress(app), REQUESTS, run.ledger, null);
    const missing = run.ledger.missing(found.seen);
    note('carry-over none', run, missing, report);
    // Every row the writer inserted before the fence is gone from the live database (the safety backup has them).
    expect(missing.inserted).toBeGreaterThan(5);
    expect(await toCarry(run, v2.backupId)).toBe(0);
  }, 300_000);

  it('through the automatic rollback of a failed deploy (v3, whose migration ran): none missing either', async () => {
    const run = await writeThrough(['deploy', 'v3.0.0']);
    expect(run.record).toMatchObject({ kind: 'deploy', status: 'rolled-back' });
    expect(run.steps.map((s) => s.name)).toContain('rollback: swap database');
    expect(run.writes.before).toBeGreaterThan(5);
    expect(run.writes.after).toBeGreaterThan(5);

    // The configured carry-over (rollback.carryOver, inserts by default), reported as a rollback's is.
    const report = (await switchyardCarryOver(run.record.id))!;
    expect(report).toMatchObject({ mode: 'inserts' });
    const found = await lookUpRows(dbAddress(app), REQUESTS, run.ledger, report.leftoversFile);
    // v3's migration set every row's status: the writer's rows from before it are there in that later version.
    note('failed deploy, automatic rollback', run, run.ledger.missing(found.seen, [V3_REWRITE]), report);
    expect(run.ledger.missing(found.seen, [V3_REWRITE])).toEqual({ inserted: 0, updated: 0 });
    const requests = report.tables.find((t) => t.table === 'public.requests')!;
    expect(requests.carried).toBeGreaterThan(0);
    expect(requests.carried).toBe(await toCarry(run, run.record.backupId));
    const counts = sectionCounts(report, found.sections);
    expect(counts.inFile).toEqual(counts.reported);
  }, 300_000);

  async function switchyardCarryOver(id: number): Promise<CarryOverReport | null> {
    const detail = await switchyard(['deployments', String(id), '--json', '--config', ctx.configFile]);
    return (JSON.parse(detail.stdout) as { carryOver: CarryOverReport | null }).carryOver;
  }
});
