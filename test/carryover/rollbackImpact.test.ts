import { describe, expect, it } from 'vitest';
import { alreadyUndone, compareRowCounts, rollbackImpact, schemaChanges } from '../../src/carryover/rollbackImpact.js';
import type { Deployment } from '../../src/store/index.js';

describe('rollback impact: rows now against rows in the dump', () => {
  it('compares every table, including ones only in the dump or only now', () => {
    expect(
      compareRowCounts(
        { 'public.a': 10, 'public.new': 3, 'public.same': 5 },
        { 'public.a': 7, 'public.gone': 2, 'public.same': 5 },
      ),
    ).toEqual([
      { table: 'public.a', rowsNow: 10, rowsInDump: 7, difference: 3 },
      { table: 'public.gone', rowsNow: null, rowsInDump: 2, difference: -2 },
      { table: 'public.new', rowsNow: 3, rowsInDump: null, difference: 3 },
      { table: 'public.same', rowsNow: 5, rowsInDump: 5, difference: 0 },
    ]);
  });

  it('sums what the restore discards (more rows now, and whole tables the dump lacks), not what comes back', () => {
    const impact = rollbackImpact(
      { rowCounts: { 'public.requests': 53, 'public.attachments': 4, 'public.users': 1 }, schemaFingerprint: 'new' },
      {
        id: 7,
        createdAt: '2026-01-01T00:00:00Z',
        rowCounts: { 'public.requests': 50, 'public.users': 2 },
        schemaFingerprint: 'old',
      },
    );
    expect(impact).toMatchObject({
      backupId: 7,
      rowsDiscarded: 7,
      tablesDropped: ['public.attachments'],
      schemaChanged: true,
      keptBySafetyBackup: true,
    });
  });

  it('says nothing is discarded when nothing was written since', () => {
    const counts = { 'public.requests': 50 };
    expect(
      rollbackImpact(
        { rowCounts: counts, schemaFingerprint: 'x' },
        { id: 1, createdAt: '', rowCounts: counts, schemaFingerprint: 'x' },
      ),
    ).toMatchObject({
      rowsDiscarded: 0,
      tablesDropped: [],
      schemaChanged: false,
    });
  });
});

describe('rollback impact: columns and tables the restore drops or brings back', () => {
  const dump = {
    id: 3,
    createdAt: '',
    rowCounts: { 'public.requests': 5, 'public.old': 1 },
    schemaFingerprint: 'old',
    columns: { 'public.requests': ['id', 'title', 'legacy'], 'public.old': ['id'] },
  };
  const now = {
    rowCounts: { 'public.requests': 5, 'public.categories': 2 },
    schemaFingerprint: 'new',
    columns: { 'public.requests': ['id', 'title', 'priority', 'due'], 'public.categories': ['id', 'name'] },
  };

  it('lists per table the columns a migration added (dropped by the restore) and removed (brought back)', () => {
    const impact = rollbackImpact(now, dump);
    expect(impact.columns).toEqual([{ table: 'public.requests', dropped: ['priority', 'due'], added: ['legacy'] }]);
    expect(impact.tablesAdded).toEqual(['public.old']);
    expect(schemaChanges(impact)).toEqual([
      'drops table public.categories',
      'brings back table public.old',
      'drops columns priority, due of public.requests',
      'brings back column legacy of public.requests',
    ]);
  });

  it('says the columns are not known for a backup recorded without them, and nothing when none changed', () => {
    expect(rollbackImpact(now, { ...dump, columns: null }).columns).toBeNull();
    const same = rollbackImpact({ ...now, columns: dump.columns }, dump);
    expect(same.columns).toEqual([]);
  });
});

describe('a rollback that would undo one that already happened', () => {
  const d = (id: number, over: Partial<Deployment>): Deployment => ({
    id,
    kind: 'deploy',
    ref: null,
    commit: null,
    tag: null,
    status: 'succeeded',
    actor: 't',
    createdAt: '',
    finishedAt: '',
    error: null,
    images: null,
    previousCommit: null,
    previousImages: null,
    backupId: null,
    rollbackOf: null,
    ...over,
  });

  it('names a deploy rolled back automatically, one that failed before any change, and one a later rollback undid', () => {
    const all = [d(4, { kind: 'rollback', rollbackOf: 2 }), d(3, { status: 'rolled-back' }), d(2, {}), d(1, {})];
    expect(alreadyUndone(all[1]!, all)).toBe('deployment #3 was already rolled back automatically when it failed');
    expect(alreadyUndone(d(5, { status: 'failed' }), all)).toBe('deployment #5 failed before changing anything');
    expect(alreadyUndone(all[2]!, all)).toBe('deployment #2 was already undone by rollback #4');
    expect(alreadyUndone(all[3]!, all)).toBeNull();
    // A rollback that failed undid nothing.
    expect(alreadyUndone(d(2, {}), [d(4, { kind: 'rollback', rollbackOf: 2, status: 'rolled-back' })])).toBeNull();
  });
});
