import type { DataSizes } from './archiveIndex.js';
import { Section, type TocEntry } from './compactArchive.js';

/**
 * Splits an archive's data section over at most `jobs` streams that restore at once, each a
 * `pg_restore --section=data --use-list` of its own `zstd -dc` (pgRestore.ts). Pure.
 *
 * The largest table goes first, each onto the stream with the least data so far (longest
 * processing time first), so that the one table that takes longest starts at once and the
 * others fill the remaining streams around it. `sizes` are the archive's own (archiveIndex.ts);
 * without them (a file written before it had them) every table counts the same. Entries without a
 * data block (a sequence's value) join the least loaded stream.
 *
 * Each stream lists its entries in the archive's order: a stream is read once, front to back, and
 * pg_restore cannot go back for a block it has passed. Streams that get nothing are left out.
 */
export function planDataStreams(entries: readonly TocEntry[], sizes: DataSizes | null, jobs: number): number[][] {
  const position = new Map(entries.map((entry, i) => [entry.dumpId, i]));
  const sections = sectionsAsRestored(entries);
  const data = entries.filter((_, i) => sections[i] === Section.Data);
  const tables = data
    .filter((entry) => entry.hasData)
    .map((entry) => ({ id: entry.dumpId, bytes: sizes ? (sizes.get(entry.dumpId) ?? 0) : 1 }))
    .sort((a, b) => b.bytes - a.bytes || position.get(a.id)! - position.get(b.id)!);
  const streams = Array.from({ length: Math.max(1, Math.min(jobs, tables.length)) }, () => ({
    bytes: 0,
    ids: [] as number[],
  }));
  const leastLoaded = () => streams.reduce((least, s) => (s.bytes < least.bytes ? s : least));
  for (const table of tables) {
    const stream = leastLoaded();
    stream.ids.push(table.id);
    stream.bytes += table.bytes;
  }
  for (const entry of data) if (!entry.hasData) leastLoaded().ids.push(entry.dumpId);
  return streams.filter((s) => s.ids.length > 0).map((s) => s.ids.sort((a, b) => position.get(a)! - position.get(b)!));
}

/**
 * Each entry's section as `pg_restore --section` counts it: an entry of no section of its own (a
 * comment, a grant) goes with the section of the entry before it, the first ones with pre-data.
 * Every entry is then in exactly one of the three steps, as in a plain restore.
 */
export function sectionsAsRestored(entries: readonly TocEntry[]): Section[] {
  let current = Section.PreData;
  return entries.map((entry) => {
    if (entry.section !== Section.None) current = entry.section;
    return current;
  });
}
