import { describe, expect, it } from 'vitest';
import { previewCarryOver } from '../../src/carryover/preview.js';
import { rollbackImpact } from '../../src/carryover/rollbackImpact.js';

const impact = rollbackImpact(
  {
    rowCounts: { 'public.requests': 60, 'public.categories': 4, 'public.users': 3, 'public.old': 0 },
    schemaFingerprint: 'b',
  },
  {
    id: 1,
    createdAt: '2031-01-01T00:00:00.000Z',
    rowCounts: { 'public.requests': 50, 'public.users': 5, 'public.old': 2 },
    schemaFingerprint: 'a',
  },
);

describe('previewCarryOver: the plan’s estimate from row counts (pure)', () => {
  it('inserts: added rows carried, a table the dump lacks left over, shrunk tables not listed', () => {
    expect(previewCarryOver(impact, 'inserts')).toEqual({
      mode: 'inserts',
      estimate: true,
      tables: [
        { table: 'public.categories', carried: 0, leftover: 4, discarded: 0 },
        { table: 'public.requests', carried: 10, leftover: 0, discarded: 0 },
      ],
    });
  });

  it('none: every added row discarded', () => {
    expect(previewCarryOver(impact, 'none').tables).toEqual([
      { table: 'public.categories', carried: 0, leftover: 0, discarded: 4 },
      { table: 'public.requests', carried: 0, leftover: 0, discarded: 10 },
    ]);
  });
});
