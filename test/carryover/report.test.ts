import { describe, expect, it } from 'vitest';
import { carryOverOf } from '../../src/carryover/report.js';
import type { CarryOverReport } from '../../src/carryover/run.js';
import type { DeploymentStep } from '../../src/store/index.js';

const report: CarryOverReport = {
  mode: 'inserts',
  tables: [{ table: 'public.requests', carried: 3, leftover: 0, updated: 1, deleted: 0, reasons: [] }],
  leftoversFile: '/srv/app/backups/20261207T000000Z_rollback-4.leftovers.sql',
};
let seq = 0;
const step = (name: string, detail: unknown = null, status: DeploymentStep['status'] = 'ok'): DeploymentStep => ({
  seq: ++seq,
  name,
  status,
  startedAt: '2026-12-07T00:00:00.000Z',
  finishedAt: '2026-12-07T00:00:01.000Z',
  error: null,
  detail,
});

describe('carryOverOf (an operation carry-over report, from its journal)', () => {
  it("reads a rollback's own carry over step", () => {
    expect(carryOverOf([step('fence'), step('carry over', report), step('swap database')])).toEqual(report);
  });

  it('reads the carry-over of the automatic rollback of a failed deploy (the undo restored the pre-deploy dump)', () => {
    const steps = [step('up'), step('health', null, 'failed'), step('rollback: carry over', report)];
    expect(carryOverOf([...steps, step('rollback: swap database')])).toEqual(report);
  });

  it('is mode none for a database swapped without one, and null where no database was swapped', () => {
    const none = { mode: 'none', tables: [], leftoversFile: null };
    expect(carryOverOf([step('fence'), step('swap database')])).toEqual(none);
    expect(carryOverOf([step('rollback: fence'), step('rollback: swap database')])).toEqual(none);
    expect(carryOverOf([step('up'), step('health')])).toBeNull();
    expect(carryOverOf([step('carry over', report, 'failed')])).toBeNull();
  });
});
