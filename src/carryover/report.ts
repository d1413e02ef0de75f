import type { DeploymentStep } from '../store/index.js';
import { ONLINE_RESTORE_STEPS } from '../domain/steps.js';
import type { CarryOverReport } from './run.js';

/** The totals over every table, for the audit entry and the webhook. */
export function carryOverCounts(report: CarryOverReport) {
  const sum = (key: 'carried' | 'leftover' | 'updated' | 'deleted') => report.tables.reduce((n, t) => n + t[key], 0);
  return {
    mode: report.mode,
    carried: sum('carried'),
    leftover: sum('leftover'),
    updated: sum('updated'),
    deleted: sum('deleted'),
    leftoversFile: report.leftoversFile,
  };
}

/** One line: "carry-over: 12 rows carried, 2 left over, 1 updated, 0 deleted (leftovers in FILE)". */
export function describeCarryOver(report: CarryOverReport): string {
  if (report.mode === 'none') return 'carry-over: none (the dump restored exactly)';
  const c = carryOverCounts(report);
  return `carry-over: ${c.carried} rows carried, ${c.leftover} left over, ${c.updated} updated, ${c.deleted} deleted (leftovers in ${c.leftoversFile})`;
}

/**
 * An operation's carry-over report, from its journal: the detail of its `carry over` step, a rollback's own or
 * that of the undo of a failed deploy, which restores the pre-deploy dump the same way;
 * mode none when the database was swapped without one (restored exactly).
 */
export function carryOverOf(steps: readonly DeploymentStep[]): CarryOverReport | null {
  for (const names of Object.values(ONLINE_RESTORE_STEPS)) {
    const step = steps.find((s) => s.name === names.carry && s.status === 'ok');
    const detail = step?.detail as CarryOverReport | undefined;
    if (detail && Array.isArray(detail.tables)) return detail;
    if (steps.some((s) => s.name === names.swap && s.status === 'ok'))
      return { mode: 'none', tables: [], leftoversFile: null };
  }
  return null;
}
