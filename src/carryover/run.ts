import type { DatabaseTarget, SqlSession } from '../database/index.js';
import { quoteIdent } from '../database/index.js';
import { readCatalog, STAGING_SCHEMA } from './catalog.js';
import { copyBetween } from './copy.js';
import { writeLeftovers, type LeftoverSection } from './leftovers.js';
import { planCarryOver, type TablePlan } from './plan.js';
import * as sql from './sql.js';

export type CarryOverMode = 'inserts' | 'none';
export const CARRY_OVER_MODES: readonly CarryOverMode[] = ['inserts', 'none'];

/** What became of one live table's rows that the dump did not hold. */
export interface TableCarryReport {
  table: string;
  /** Inserted since the dump and now in the restored database. */
  carried: number;
  /** Rows in the leftovers file instead (inserted rows that do not fit, rows of a table that cannot be compared). */
  leftover: number;
  /** Updated since the dump: the restored database has the dump's version, the leftovers file the live one. */
  updated: number;
  /** Deleted since the dump: back in the restored database, their keys in the leftovers file. */
  deleted: number;
  /** Why rows were left over, and what else the leftovers file holds for this table. */
  reasons: string[];
}

export interface CarryOverReport {
  mode: CarryOverMode;
  tables: TableCarryReport[];
  /** Absolute path of the leftovers file; null when nothing was compared (mode none). */
  leftoversFile: string | null;
}

/** The first pass's outcome: how each live table's rows are compared, and since when rows count as new. */
export interface StagedRows {
  plans: TablePlan[];
  /** The oldest transaction that could still commit when the first pass began (64-bit xid). */
  since: bigint;
  /** Per plan, how many staged rows predate the first pass. */
  oldRows: number[];
}

/**
 * The first pass, while the app still serves: every live table's rows copied, as text, into staging
 * tables inside the restored copy `incoming`, and compared there with the dump (inserted, updated, deleted
 * since it), so that the fence only has to look at what was written since. Takes as long as a read of the
 * database and a comparison, off the critical path.
 */
export async function stageRows(target: DatabaseTarget, live: string, incoming: string): Promise<StagedRows> {
  const liveSession = await target.session(live);
  const copy = await target.session(incoming).catch(async (e) => {
    await liveSession.close(); // or the open socket keeps the process (the CLI) alive after the rollback ends
    throw e;
  });
  try {
    const plans = planCarryOver(await readCatalog(liveSession), await readCatalog(copy));
    const since = BigInt(await liveSession.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text'));
    await copy.query(`DROP SCHEMA IF EXISTS ${quoteIdent(STAGING_SCHEMA)} CASCADE`);
    await copy.query(`CREATE SCHEMA ${quoteIdent(STAGING_SCHEMA)}`);
    await copy.query(sql.READS_BACK);
    for (const [i, plan] of plans.entries()) await copy.query(sql.createStaging(plan, i));
    for (const [i, plan] of plans.entries())
      await copyBetween(target, live, sql.copyOut(plan, since), incoming, sql.copyIn(plan, i));
    const oldRows: number[] = [];
    for (const [i, plan] of plans.entries()) {
      oldRows.push(Number(await copy.query(sql.countOldStaged(i))));
      const compare = plan.kind === 'carry' ? [...sql.classify(plan, i, 'all'), ...sql.markUnfit(plan, i, 'all')] : [];
      for (const statement of [...compare, ...sql.prepareFence(plan, i)]) await copy.query(statement);
    }
    return { plans, since, oldRows };
  } finally {
    await Promise.all([liveSession.close(), copy.close()]);
  }
}

/**
 * The second pass and the carry, with the live database fenced (`fenced` is the one session left on it):
 * the rows written since the first pass replace their staged versions and are told inserted, updated or
 * unchanged by primary key (through the staging tables' indexes, never reading the unchanged rows), the inserted rows that fit go into the restored copy in foreign-key order,
 * sequences move past them, and whatever was not carried goes to the leftovers file. The staging schema
 * is dropped last, so the copy holds only the application's tables when it is swapped in.
 */
export async function carryOver(
  target: DatabaseTarget,
  fenced: SqlSession,
  incoming: string,
  staged: StagedRows,
  leftovers: { file: string; title: string },
): Promise<CarryOverReport> {
  const copy = await target.session(incoming);
  try {
    const { plans, since } = staged;
    for (const [i, plan] of plans.entries()) await catchUp(fenced, copy, plan, i, since, staged.oldRows[i] ?? -1);
    const liveSequences = await fenced.query(sql.LIVE_SEQUENCES);

    const tables: TableCarryReport[] = [];
    const sections: LeftoverSection[] = [];
    for (const [i, plan] of plans.entries()) {
      const { report, leftoverSections } = await settleTable(copy, plan, i);
      tables.push(report);
      sections.push(...leftoverSections);
    }
    await copy.query(sql.advanceSequences(liveSequences));
    await writeLeftovers(target, incoming, leftovers.file, leftovers.title, tables, sections);
    await copy.query(`DROP SCHEMA ${quoteIdent(STAGING_SCHEMA)} CASCADE`);
    return { mode: 'inserts', tables, leftoversFile: leftovers.file };
  } finally {
    await copy.close();
  }
}

/**
 * Brings one staging table level with the fenced live table: recent rows replaced, vanished old rows dropped.
 * Old rows cannot appear after the first pass, so equal counts of old rows mean the same rows; a carry table
 * whose old rows were updated finds them by key, and only a deletion makes it compare every old row's ctid.
 */
async function catchUp(fenced: SqlSession, copy: SqlSession, plan: TablePlan, i: number, since: bigint, old: number) {
  const recent = JSON.parse(await fenced.query(sql.readRecent(plan, since))) as { old: number; rows: unknown[] };
  for (const statement of sql.replaceRecent(plan, i, JSON.stringify(recent.rows))) await copy.query(statement);
  let staleOld = old;
  if (staleOld !== recent.old && plan.kind === 'carry' && sql.liveKeyUnique(plan))
    staleOld -= Number(await copy.query(sql.supersede(plan, i)));
  if (staleOld !== recent.old)
    await copy.query(sql.dropGone(plan, i, await fenced.query(sql.readOldCtids(plan, since))));
}

const count = async (session: SqlSession, query: string) =>
  Number(await session.query(`SELECT count(*) FROM (${query}) x`));
const liveColumns = (plan: TablePlan) => plan.live.columns.map((_, i) => `c${i}`).join(', ');
const liveNames = (plan: TablePlan) => plan.live.columns.map((c) => c.name);

async function settleTable(
  copy: SqlSession,
  plan: TablePlan,
  i: number,
): Promise<{ report: TableCarryReport; leftoverSections: LeftoverSection[] }> {
  const s = sql.stagingTable(i);
  const report: TableCarryReport = { table: plan.table, carried: 0, leftover: 0, updated: 0, deleted: 0, reasons: [] };
  if (plan.kind === 'absent') {
    report.leftover = Number(await copy.query(`SELECT count(*) FROM ${s}`));
    if (report.leftover) report.reasons.push(`${report.leftover} rows: ${plan.reason}`);
    const section = { table: plan.table, what: 'rows (left over)', columns: liveNames(plan), rows: report.leftover };
    return { report, leftoverSections: [{ ...section, query: `SELECT ${liveColumns(plan)} FROM ${s}` }] };
  }
  if (plan.kind === 'keyless') {
    const shared = new Set(plan.shared);
    const restoredAsLive = plan.live.columns
      .map((c) => (shared.has(c.name) ? `${quoteIdent(c.name)}::text` : 'NULL::text'))
      .join(', ');
    const leftOver = `SELECT ${liveColumns(plan)} FROM ${s} EXCEPT ALL SELECT ${restoredAsLive} FROM ${plan.table}`;
    report.leftover = await count(copy, leftOver);
    report.deleted = await count(
      copy,
      `SELECT ${restoredAsLive} FROM ${plan.table} EXCEPT ALL SELECT ${liveColumns(plan)} FROM ${s}`,
    );
    if (report.leftover) report.reasons.push(`${report.leftover} rows: ${plan.reason}`);
    const section = {
      table: plan.table,
      what: 'rows not in the restored table (left over)',
      columns: liveNames(plan),
      rows: report.leftover,
    };
    return { report, leftoverSections: [{ ...section, query: leftOver }] };
  }

  const recentOnly = [...sql.classify(plan, i, 'recent'), ...sql.markUnfit(plan, i, 'recent')];
  for (const statement of [...recentOnly, ...sql.settleDeleted(plan, i)]) await copy.query(statement);
  try {
    await copy.query(sql.carryAll(plan, i));
  } catch {
    // Some row breaks a constraint: carry row by row, each refusal marked with its constraint.
    await copy.query(sql.carryEach(plan, i));
  }
  const tally = JSON.parse(await copy.query(sql.tally(i))) as {
    carried: number;
    updated: number;
    reasons: Record<string, number>;
  };
  report.carried = tally.carried;
  report.updated = tally.updated;
  for (const [reason, n] of Object.entries(tally.reasons)) {
    report.leftover += n;
    report.reasons.push(`${n} rows: ${reason}`);
  }
  const deleted = sql.deletedKeys(plan, i);
  report.deleted = await count(copy, deleted);
  if (report.updated)
    report.reasons.push(`${report.updated} rows updated since the dump: live versions in the leftovers`);
  if (report.deleted)
    report.reasons.push(`${report.deleted} rows deleted since the dump are back: keys in the leftovers`);

  const col = (name: string) => `c${plan.live.columns.findIndex((c) => c.name === name)}`;
  const sections: LeftoverSection[] = [
    {
      table: plan.table,
      what: 'inserted since the dump, not carried',
      columns: ['reason', ...liveNames(plan)],
      rows: report.leftover,
      query: `SELECT _sy_reason, ${liveColumns(plan)} FROM ${s} WHERE _sy_kind = 'insert' AND _sy_reason IS NOT NULL`,
    },
    {
      table: plan.table,
      what: 'updated since the dump (live version)',
      columns: liveNames(plan),
      rows: report.updated,
      query: `SELECT ${liveColumns(plan)} FROM ${s} WHERE _sy_kind = 'update'`,
    },
    {
      table: plan.table,
      what: 'deleted since the dump (keys)',
      columns: plan.key,
      rows: report.deleted,
      query: deleted,
    },
  ];
  if (plan.liveOnly.length) {
    const values = plan.liveOnly.map(col);
    const withValues = `SELECT ${[...plan.key.map(col), ...values].join(', ')} FROM ${s}
      WHERE NOT (_sy_kind IS NOT DISTINCT FROM 'insert' AND _sy_reason IS NOT NULL) AND ${sql.liveOnlyValues(values)}`;
    const n = await count(copy, withValues);
    if (n) {
      report.reasons.push(
        `values of column ${plan.liveOnly.join(', ')} (not in the restored schema) of ${n} rows in the leftovers`,
      );
      sections.push({
        table: plan.table,
        what: `values of columns the restored schema lacks`,
        columns: [...plan.key, ...plan.liveOnly],
        rows: n,
        query: withValues,
      });
    }
  }
  return { report, leftoverSections: sections };
}
