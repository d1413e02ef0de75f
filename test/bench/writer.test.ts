import { describe, expect, it } from 'vitest';
import { RowLedger } from '../../bench/rollback.js';
import { longestGap } from '../../bench/writer.js';

describe('longestGap (downtime as the writer saw it)', () => {
  it('runs from the last success before the window to the first after it', () => {
    // Writes every 50 ms until 1000, none until 4200, then again: the rollback ran from 1100 to 4000.
    const successes = [900, 950, 1000, 4200, 4250];
    expect(longestGap(successes, 1100, 4000)).toBe(3200);
  });

  it('takes the longest of several gaps inside the window', () => {
    expect(longestGap([0, 100, 1100, 1150, 3150, 3200, 3250], 50, 3300)).toBe(2000);
  });

  it('is bounded by the window where no write succeeded beyond it', () => {
    expect(longestGap([], 1000, 2500)).toBe(1500);
    expect(longestGap([1200], 1000, 2500)).toBe(1300);
  });

  it('is no gap at all for a writer that never paused', () => {
    const successes = Array.from({ length: 100 }, (_, i) => i * 50);
    expect(longestGap(successes, 1000, 2000)).toBe(50);
  });
});

describe('RowLedger (rows committed that are in neither the result nor the leftovers)', () => {
  const ledger = () => {
    const l = new RowLedger();
    l.acknowledged('SR-2024-90000001', { status: 'open', seq: 1, kind: 'insert' });
    l.acknowledged('SR-2021-00000042', { status: 'updated by write 2', seq: 2, kind: 'update' });
    return l;
  };

  it('finds each row by its last acknowledged write', () => {
    const seen = new Map([
      ['SR-2024-90000001', ['open']],
      ['SR-2021-00000042', ['closed', 'updated by write 2']], // the dump's version, and the leftovers' live one
    ]);
    expect(ledger().missing(seen)).toEqual({ inserted: 0, updated: 0 });
  });

  it('counts a row missing when only an older version of it is anywhere', () => {
    const seen = new Map([['SR-2021-00000042', ['closed']]]);
    expect(ledger().missing(seen)).toEqual({ inserted: 1, updated: 1 });
  });

  it('accepts a later write whose answer was lost, not an earlier one', () => {
    const l = ledger();
    l.unsure.set('updated by write 3', 3);
    l.unsure.set('updated by write 0', 0);
    expect(l.missing(new Map([['SR-2024-90000001', ['updated by write 3']]]))).toMatchObject({ inserted: 0 });
    expect(l.missing(new Map([['SR-2024-90000001', ['updated by write 0']]]))).toMatchObject({ inserted: 1 });
  });
});
