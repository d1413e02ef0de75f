import type { RollbackImpact } from './rollbackImpact.js';
import type { CarryOverMode } from './run.js';

/**
 * What the carry-over would do per table, from row counts alone (nothing is read but the counts the
 * rollback plan already has): an estimate. A table the dump lacks is left over whole; elsewhere the rows
 * added since the dump are carried with `inserts` and discarded with `none`. Rows updated or deleted,
 * and inserts hidden by deletions, show only in the rollback's own report.
 */
export interface CarryOverPreview {
  mode: CarryOverMode;
  estimate: true;
  tables: Array<{ table: string; carried: number; leftover: number; discarded: number }>;
}

export function previewCarryOver(impact: RollbackImpact, mode: CarryOverMode): CarryOverPreview {
  const tables = impact.tables
    .filter((t) => t.rowsNow !== null && (t.rowsInDump === null || t.difference > 0))
    .map((t) => {
      const added = t.rowsInDump === null ? t.rowsNow! : t.difference;
      if (mode === 'none') return { table: t.table, carried: 0, leftover: 0, discarded: added };
      return t.rowsInDump === null
        ? { table: t.table, carried: 0, leftover: added, discarded: 0 }
        : { table: t.table, carried: added, leftover: 0, discarded: 0 };
    });
  return { mode, estimate: true, tables };
}
