import type { DataSizes } from './archiveIndex.js';
import { Section, TABLE_DATA, type TocEntry } from './compactArchive.js';

/** How the data section of an archive is restored: what runs at once (restoreStreams.ts). */
export interface DataPlan {
  /** `pg_restore --section=data --use-list` streams, each a list of dump ids in the archive's order. */
  lists: number[][];
  /** Tables each too large for one stream: its rows dealt out over `sessions` COPYs at once (splitTable.ts). */
  split: SplitTable[];
  /** Tables that would have been split but for the host's busy cores: each in one stream. */
  keptWhole: number;
}

/** When a table is split. */
export interface SplitRule {
  /** The smallest table split. */
  fromBytes: number;
  /**
   * Cores free as the restore starts (spareCores.ts): a table is dealt over at most this many
   * sessions, and not at all over fewer than two. On a busy host the dealing's own CPU (about 1.5
   * CPU-seconds for 609 MB) costs more than the second session gains: by hand, beside two busy
   * loops, 13.7–14.2 s split against 12.3–12.7 s whole.
   */
  spareCores: number;
}

export interface SplitTable {
  dumpId: number;
  sessions: number;
}

/**
 * Below this a table loads in well under a second, and dealing its rows out costs more (a pg_restore,
 * a zstd and a psql per session) than it saves.
 */
export const SPLIT_FROM_BYTES = 64 << 20;

/**
 * Splits an archive's data section over at most about `jobs` streams that restore at once. Pure.
 *
 * A table larger than its share of the data (the total over `jobs`) would alone set how long the
 * data takes, since pg_restore loads a table in one COPY: its rows are dealt out over as many COPY
 * sessions as it has shares, as far as `rule` allows (bench:restore, a 609 MB table of 803 MB: the
 * data in 5.6 s against 6.6 s). Only with the archive's sizes.
 *
 * The other tables go, largest first, each onto the `--use-list` stream with the least data so far
 * (longest processing time first), over the jobs the split tables leave, at least one. `sizes` are
 * the archive's own (archiveIndex.ts); without them (a file written before it had them) every table
 * counts the same. Entries without a data block (a sequence's value) join the least loaded stream.
 *
 * Each stream lists its entries in the archive's order: a stream is read once, front to back, and
 * pg_restore cannot go back for a block it has passed. Streams that get nothing are left out.
 */
export function planDataStreams(
  entries: readonly TocEntry[],
  sizes: DataSizes | null,
  jobs: number,
  rule: SplitRule,
): DataPlan {
  const position = new Map(entries.map((entry, i) => [entry.dumpId, i]));
  const sections = sectionsAsRestored(entries);
  const data = entries.filter((_, i) => sections[i] === Section.Data);
  const tables = data
    .filter((entry) => entry.hasData)
    .map((entry) => ({ entry, bytes: sizes ? (sizes.get(entry.dumpId) ?? 0) : 1 }))
    .sort((a, b) => b.bytes - a.bytes || position.get(a.entry.dumpId)! - position.get(b.entry.dumpId)!);
  const share = tables.reduce((sum, t) => sum + t.bytes, 0) / jobs;
  const split: SplitTable[] = [];
  const rest: typeof tables = [];
  let keptWhole = 0;
  for (const table of tables) {
    const shares = Math.min(jobs, Math.ceil(table.bytes / share));
    const sessions = Math.min(shares, rule.spareCores);
    const large = sizes && table.entry.kind === TABLE_DATA && table.bytes >= rule.fromBytes && shares >= 2;
    if (large && sessions >= 2) split.push({ dumpId: table.entry.dumpId, sessions });
    else rest.push(table);
    if (large && sessions < 2) keptWhole++;
  }
  const taken = split.reduce((sum, s) => sum + s.sessions, 0);
  const streams = Array.from({ length: Math.max(1, Math.min(jobs - taken, rest.length)) }, () => ({
    bytes: 0,
    ids: [] as number[],
  }));
  const leastLoaded = () => streams.reduce((least, s) => (s.bytes < least.bytes ? s : least));
  for (const table of rest) {
    const stream = leastLoaded();
    stream.ids.push(table.entry.dumpId);
    stream.bytes += table.bytes;
  }
  for (const entry of data) if (!entry.hasData) leastLoaded().ids.push(entry.dumpId);
  const lists = streams
    .filter((s) => s.ids.length > 0)
    .map((s) => s.ids.sort((a, b) => position.get(a)! - position.get(b)!));
  return { lists, split, keptWhole };
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
