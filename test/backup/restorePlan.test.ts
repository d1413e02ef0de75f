import { describe, expect, it } from 'vitest';
import { Section, type TocEntry } from '../../src/backup/compactArchive.js';
import { planDataStreams, sectionsAsRestored } from '../../src/backup/restorePlan.js';

const table = (dumpId: number): TocEntry => ({ dumpId, section: Section.Data, hasData: true });
const sequenceValue = (dumpId: number): TocEntry => ({ dumpId, section: Section.Data, hasData: false });
const schema = (dumpId: number, section = Section.PreData): TocEntry => ({ dumpId, section, hasData: false });

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
  it('gives the largest table a stream of its own and the rest to the others, each in archive order', () => {
    expect(planDataStreams(BENCH, BENCH_SIZES, 2)).toEqual([[3371], [3368, 3369, 3366, 3367, 3379]]);
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
    expect(planDataStreams(entries, sizes, 3)).toEqual([[1], [2, 5], [3, 4]]);
  });

  it('counts every table the same when the file has no sizes', () => {
    expect(planDataStreams(BENCH, null, 2)).toEqual([
      [3368, 3366, 3371],
      [3369, 3367, 3379],
    ]);
  });

  it('makes no more streams than there are tables, and none for an archive without data', () => {
    expect(planDataStreams([table(7), sequenceValue(8)], new Map([[7, 10]]), 4)).toEqual([[7, 8]]);
    expect(planDataStreams([schema(1), sequenceValue(2)], new Map(), 4)).toEqual([[2]]);
    expect(planDataStreams([schema(1), schema(2, Section.PostData)], new Map(), 4)).toEqual([]);
  });

  it('leaves out entries of the other sections', () => {
    const streams = planDataStreams(BENCH, BENCH_SIZES, 4).flat();
    expect(streams).not.toContain(216);
    expect(streams).not.toContain(3217);
    expect(streams.sort()).toEqual([3366, 3367, 3368, 3369, 3371, 3379]);
  });

  it('counts an entry of no section (a comment, a grant) in the section before it, as pg_restore does', () => {
    const none = (dumpId: number): TocEntry => ({ dumpId, section: Section.None, hasData: false });
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
    expect(planDataStreams(entries, new Map([[4, 10]]), 2)).toEqual([[4, 5]]);
  });
});
