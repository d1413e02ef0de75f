import { describe, expect, it } from 'vitest';
import { planRecovery } from '../../src/domain/recoveryPlan.js';

/** The superseded rule of crash recovery, on records alone (decisions.test.ts runs it through recoverWith). */
describe('planRecovery', () => {
  it('undoes an orphan nothing finished after', () => {
    expect(planRecovery([{ id: 5 }], [{ id: 3, changedHost: true }])).toEqual([{ id: 5, action: 'undo' }]);
  });

  it('closes an orphan as superseded by the first later operation that changed what runs', () => {
    expect(
      planRecovery(
        [{ id: 5 }],
        [
          { id: 7, changedHost: true },
          { id: 6, changedHost: false }, // failed before any change: the orphan's half-done state still runs
          { id: 8, changedHost: true },
        ],
      ),
    ).toEqual([{ id: 5, action: 'supersede', by: 7 }]);
  });

  it('a later operation that changed nothing does not supersede', () => {
    expect(planRecovery([{ id: 5 }], [{ id: 6, changedHost: false }])).toEqual([{ id: 5, action: 'undo' }]);
  });

  it('undoes the remaining orphans newest first, after closing the superseded ones', () => {
    expect(planRecovery([{ id: 2 }, { id: 4 }, { id: 9 }, { id: 10 }], [{ id: 5, changedHost: true }])).toEqual([
      { id: 2, action: 'supersede', by: 5 },
      { id: 4, action: 'supersede', by: 5 },
      { id: 10, action: 'undo' },
      { id: 9, action: 'undo' },
    ]);
  });
});
