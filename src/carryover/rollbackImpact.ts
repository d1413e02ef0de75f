import type { Redact } from '../util/redact.js';
import { readColumns, type TableColumns } from './catalog.js';
import { inspectDatabase, type DatabaseTarget } from '../database/index.js';
import { oneLine } from '../errors.js';
import type { BackupRow, Deployment, RowCounts } from '../store/index.js';

/** The live database to compare with the dump; its error is shown, so it passes the redactor. */
export interface ImpactPorts {
  database(): DatabaseTarget;
  redactor: Redact;
}

/**
 * What restoring a dump over the live database discards, per table: the rows
 * now against the rows in the dump. Counts only (not which rows): a table
 * whose count did not move may still have had rows edited. Whatever the
 * restore discards, the safety backup keeps: a dump of the replaced database as it was at the fence.
 */
export interface TableImpact {
  table: string;
  /** null: the table does not exist now (the restore brings it back). */
  rowsNow: number | null;
  /** null: the table is not in the dump (the restore drops it, with its rows). */
  rowsInDump: number | null;
  /** rowsNow − rowsInDump: rows the restore removes (negative: rows it brings back). */
  difference: number;
}

export interface RollbackImpact {
  backupId: number;
  backupTakenAt: string;
  tables: TableImpact[];
  /** Rows in the live database that are not in the dump, summed over tables that lose rows. */
  rowsDiscarded: number;
  /** Tables the restore drops (not in the dump), e.g. ones a migration added. */
  tablesDropped: string[];
  /** Tables the restore brings back (in the dump, gone now), e.g. ones a migration dropped. */
  tablesAdded: string[];
  /**
   * Per table in both, the columns the restore drops (added by a migration since the dump) and those it
   * brings back; only tables with a change. Null: the dump's columns are not known (an older backup).
   */
  columns: ColumnChange[] | null;
  /** The schema now differs from the dump's (migrations ran since). */
  schemaChanged: boolean;
  /** The safety backup (the replaced database, dumped after the swap) keeps every row listed here; restorable from History. */
  keptBySafetyBackup: true;
}

export interface ColumnChange {
  table: string;
  dropped: string[];
  added: string[];
}

/** Pure: the columns that differ, per table present both now and in the dump. */
export function compareColumns(now: TableColumns, dump: TableColumns): ColumnChange[] {
  return Object.keys(now)
    .filter((table) => table in dump)
    .sort()
    .map((table) => ({
      table,
      dropped: now[table]!.filter((c) => !dump[table]!.includes(c)),
      added: dump[table]!.filter((c) => !now[table]!.includes(c)),
    }))
    .filter((c) => c.dropped.length > 0 || c.added.length > 0);
}

/** Pure: compares the counts recorded with the dump to the counts now. */
export function compareRowCounts(now: RowCounts, dump: RowCounts): TableImpact[] {
  const tables = [...new Set([...Object.keys(now), ...Object.keys(dump)])].sort();
  return tables.map((table) => {
    const rowsNow = table in now ? now[table]! : null;
    const rowsInDump = table in dump ? dump[table]! : null;
    return { table, rowsNow, rowsInDump, difference: (rowsNow ?? 0) - (rowsInDump ?? 0) };
  });
}

export function rollbackImpact(
  now: { rowCounts: RowCounts; schemaFingerprint: string; columns?: TableColumns },
  dump: Pick<BackupRow, 'id' | 'createdAt' | 'rowCounts' | 'schemaFingerprint' | 'columns'>,
): RollbackImpact {
  const tables = compareRowCounts(now.rowCounts, dump.rowCounts ?? {});
  return {
    backupId: dump.id,
    backupTakenAt: dump.createdAt,
    tables,
    rowsDiscarded: tables.reduce(
      (sum, t) => sum + (t.rowsInDump === null ? (t.rowsNow ?? 0) : Math.max(0, t.difference)),
      0,
    ),
    tablesDropped: tables.filter((t) => t.rowsInDump === null).map((t) => t.table),
    tablesAdded: tables.filter((t) => t.rowsNow === null).map((t) => t.table),
    columns: now.columns && dump.columns ? compareColumns(now.columns, dump.columns) : null,
    schemaChanged: now.schemaFingerprint !== dump.schemaFingerprint,
    keptBySafetyBackup: true,
  };
}

/**
 * What the restore does to the schema, as phrases that follow "the restore": "drops table public.categories",
 * "drops column priority of public.requests", "brings back column …". The CLI and the confirmation page
 * both say it this way.
 */
export function schemaChanges(impact: Pick<RollbackImpact, 'tablesDropped' | 'tablesAdded' | 'columns'>): string[] {
  const names = (what: string, list: readonly string[]) => `${what}${list.length === 1 ? '' : 's'} ${list.join(', ')}`;
  return [
    ...(impact.tablesDropped.length ? [`drops ${names('table', impact.tablesDropped)}`] : []),
    ...(impact.tablesAdded.length ? [`brings back ${names('table', impact.tablesAdded)}`] : []),
    ...(impact.columns ?? []).flatMap((c) => [
      ...(c.dropped.length ? [`drops ${names('column', c.dropped)} of ${c.table}`] : []),
      ...(c.added.length ? [`brings back ${names('column', c.added)} of ${c.table}`] : []),
    ]),
  ];
}

/** Said when the dump's columns were not recorded (a backup from before they were). */
export const COLUMNS_UNKNOWN = 'which columns it drops or brings back is not known: the backup predates column records';

/** Reads the live database (one snapshot) and compares it with the dump; an error line when it cannot be read. */
export async function readRollbackImpact(
  ports: ImpactPorts,
  dump: BackupRow,
): Promise<RollbackImpact | { error: string }> {
  try {
    const session = await ports.database().session();
    try {
      const facts = await inspectDatabase(session);
      return rollbackImpact({ ...facts, columns: await readColumns(session) }, dump);
    } finally {
      await session.close();
    }
  } catch (e) {
    return { error: ports.redactor.redact(oneLine(e)) };
  }
}

/**
 * Why rolling back to before `target` would undo a rollback that already
 * happened, or null. A deploy that failed before changing anything, or that
 * was rolled back automatically, already left the state from before it; so
 * did one that a later rollback undid. Restoring its pre-deploy dump again
 * would throw away everything written since.
 */
export function alreadyUndone(target: Deployment, all: readonly Deployment[]): string | null {
  if (target.status === 'rolled-back')
    return `deployment #${target.id} was already rolled back automatically when it failed`;
  if (target.status === 'failed') return `deployment #${target.id} failed before changing anything`;
  const undo = all.find(
    (d) => d.kind === 'rollback' && d.rollbackOf === target.id && d.status === 'succeeded' && d.id > target.id,
  );
  return undo ? `deployment #${target.id} was already undone by rollback #${undo.id}` : null;
}
