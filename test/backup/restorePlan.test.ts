import { describe, expect, it } from 'vitest';
import { Section, type TocEntry } from '../../src/backup/compactArchive.js';
import { planDataStreams, sectionsAsRestored, SPLIT_FROM_BYTES, type SplitRule } from '../../src/backup/restorePlan.js';

const table = (dumpId: number): TocEntry => ({ dumpId, kind: 'TABLE DATA', section: Section.Data, hasData: true });
const largeObjects = (dumpId: number): TocEntry => ({ dumpId, kind: 'BLOBS', section: Section.Data, hasData: true });
const sequenceValue = (dumpId: number): TocEntry => ({
  dumpId,
  kind: 'SEQUENCE SET',
  section: Section.Data,
  hasData: false,
});
const schema = (dumpId: number, section = Section.PreData): TocEntry => ({
  dumpId,
  kind: 'TABLE',
  section,
  hasData: false,
});
/** The `--use-list` streams alone, for a plan that splits no table. */
const lists = (entries: TocEntry[], sizes: Map<number, number> | null, jobs: number, rule: SplitRule = IDLE) => {
  const plan = planDataStreams(entries, sizes, jobs, rule);
  expect(plan.split).toEqual([]);
  return plan.lists;
};
const MiB = 1 << 20;
/** The default rule on a host with every core free. */
const IDLE: SplitRule = { fromBytes: SPLIT_FROM_BYTES, spareCores: 4 };
/** Data sizes by dump id. */
const bytes = (byId: Record<number, number>) => new Map(Object.entries(byId).map(([id, n]) => [Number(id), n]));

/** The bench database's shape: pgbench's four tables, then the 311 requests, in the archive's order. */
const BENCH = [
  schema(216),
  table(3368),
  table(3369),
  table(3366),
  table(3367),
  table(3371),
  sequenceValue(3379),
  schema(3217, Section.PostData),
];
const BENCH_SIZES = new Map([
  [3368, 193_988_901],
  [3369, 156],
  [3366, 5],
  [3367, 2207],
  [3371, 609_392_371],
]);

describe('planning the data streams of a restore', () => {
  it('deals the rows of a table larger than its share of the data over sessions, the rest in one stream', () => {
    // 609 of 803 MB: more than half, so two sessions; the other tables and the sequence in a third stream.
    expect(planDataStreams(BENCH, BENCH_SIZES, 2, IDLE)).toEqual({
      lists: [[3368, 3369, 3366, 3367, 3379]],
      split: [{ dumpId: 3371, sessions: 2 }],
      keptWhole: 0,
    });
    // A share of 201 MB: the table has four, and one stream is left for the rest.
    expect(planDataStreams(BENCH, BENCH_SIZES, 4, IDLE)).toEqual({
      lists: [[3368, 3369, 3366, 3367, 3379]],
      split: [{ dumpId: 3371, sessions: 4 }],
      keptWhole: 0,
    });
  });

  it('splits every table larger than its share, each over as many sessions as it has shares', () => {
    const entries = [table(1), table(2), table(3), table(4)];
    const sizes = bytes({ 1: 400 * MiB, 2: 250 * MiB, 3: 200 * MiB, 4: 150 * MiB });
    // Shares of 250 MB: table 1 takes two sessions, table 2 is not larger than its share.
    expect(planDataStreams(entries, sizes, 4, IDLE)).toEqual({
      lists: [[2], [3, 4]],
      split: [{ dumpId: 1, sessions: 2 }],
      keptWhole: 0,
    });
  });

  it('splits no table below splitFrom, nor large objects, nor without the sizes', () => {
    expect(lists(BENCH, BENCH_SIZES, 2, { ...IDLE, fromBytes: Infinity })).toEqual([
      [3371],
      [3368, 3369, 3366, 3367, 3379],
    ]);
    expect(lists([table(1), table(2)], bytes({ 1: 63 * MiB, 2: MiB }), 2)).toEqual([[1], [2]]);
    expect(lists([largeObjects(1), table(2)], bytes({ 1: 900 * MiB, 2: MiB }), 2)).toEqual([[1], [2]]);
    expect(lists(BENCH, null, 2)).toEqual([
      [3368, 3366, 3371],
      [3369, 3367, 3379],
    ]);
  });

  it('splits a small table when told to (splitFrom), as the tests of the split restore do', () => {
    expect(planDataStreams([table(1), table(2)], bytes({ 1: 3000, 2: 1000 }), 2, { ...IDLE, fromBytes: 1 })).toEqual({
      lists: [[2]],
      split: [{ dumpId: 1, sessions: 2 }],
      keptWhole: 0,
    });
  });

  it('deals a table over no more sessions than cores are free, and keeps it whole with fewer than two', () => {
    expect(planDataStreams(BENCH, BENCH_SIZES, 4, { ...IDLE, spareCores: 3 }).split).toEqual([
      { dumpId: 3371, sessions: 3 },
    ]);
    for (const spareCores of [1, 0])
      expect(planDataStreams(BENCH, BENCH_SIZES, 2, { ...IDLE, spareCores })).toEqual({
        lists: [[3371], [3368, 3369, 3366, 3367, 3379]],
        split: [],
        keptWhole: 1,
      });
  });

  it('balances by size, largest first onto the least loaded stream', () => {
    const entries = [table(1), table(2), table(3), table(4), table(5)];
    const sizes = new Map([
      [1, 70],
      [2, 50],
      [3, 40],
      [4, 30],
      [5, 10],
    ]);
    // 70 | 50 | 40, then 30 onto the 40 and 10 onto the 50.
    expect(lists(entries, sizes, 3)).toEqual([[1], [2, 5], [3, 4]]);
  });

  it('counts every table the same when the file has no sizes', () => {
    expect(lists(BENCH, null, 2)).toEqual([
      [3368, 3366, 3371],
      [3369, 3367, 3379],
    ]);
  });

  it('makes no more streams than there are tables, and none for an archive without data', () => {
    expect(lists([table(7), sequenceValue(8)], new Map([[7, 10]]), 4)).toEqual([[7, 8]]);
    expect(lists([schema(1), sequenceValue(2)], new Map(), 4)).toEqual([[2]]);
    expect(lists([schema(1), schema(2, Section.PostData)], new Map(), 4)).toEqual([]);
  });

  it('leaves out entries of the other sections', () => {
    const plan = planDataStreams(BENCH, BENCH_SIZES, 4, IDLE);
    const streams = [...plan.lists.flat(), ...plan.split.map((table) => table.dumpId)];
    expect(streams).not.toContain(216);
    expect(streams).not.toContain(3217);
    expect(streams.sort()).toEqual([3366, 3367, 3368, 3369, 3371, 3379]);
  });

  it('counts an entry of no section (a comment, a grant) in the section before it, as pg_restore does', () => {
    const none = (dumpId: number): TocEntry => ({ dumpId, kind: 'COMMENT', section: Section.None, hasData: false });
    const entries = [none(1), schema(2), none(3), table(4), none(5), schema(6, Section.PostData), none(7)];
    expect(sectionsAsRestored(entries)).toEqual([
      Section.PreData,
      Section.PreData,
      Section.PreData,
      Section.Data,
      Section.Data,
      Section.PostData,
      Section.PostData,
    ]);
    expect(lists(entries, new Map([[4, 10]]), 2)).toEqual([[4, 5]]);
  });
});
