import fs from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseTarget } from '../database/index.js';
import { processIsAlive, tailOf, type ToolProcess } from '../util/process.js';
import { hostScratch, removeOrphans, scratchName } from '../util/scratchDir.js';
import { spareCores } from '../util/spareCores.js';
import { readArchiveIndex } from './archiveIndex.js';
import { decompressArchive, pgRestoreFailed, runPgRestore, zstdCause } from './pgRestoreRun.js';
import { parseArchiveHead, type TocEntry } from './compactArchive.js';
import { planDataStreams, SPLIT_FROM_BYTES, type SplitRule } from './restorePlan.js';
import { allOrNone, type RunningStream } from './runningStream.js';
import { startSplitTable } from './splitTable.js';

/**
 * Restores a `.dump.zst` with host client programs in three steps, the data in parallel streams
 * straight from the file, with nothing decompressed to disk:
 *   1. `pg_restore --section=pre-data` of the archive's head (its table of contents, no data),
 *      kept as a small file: tables, types, functions;
 *   2. the data, all at once (restorePlan.ts): one `zstd -dc FILE | pg_restore --section=data
 *      --use-list=LIST` per stream, each pipe a kernel pipe between the two; and a table too large
 *      for one stream in several COPY sessions (splitTable.ts);
 *   3. `pg_restore --section=post-data --jobs=N` of the head again: indexes and constraints.
 *
 * Why (bench:restore): `pg_restore -j` needs a file it can seek in, so a `.dump.zst` had first to
 * be decompressed to disk (0.7 s for the 818 MB bench archive) and pg_restore started only then,
 * beside the kernel writing that file out. Streams start loading at once.
 *
 * Returns what ran at once, or null when the archive's head is not one this reader knows
 * (compactArchive.ts): the caller restores it another way. `split` overrides the rule for splitting
 * a table (restorePlan.ts): by default from 64 MiB, over as many sessions as cores are free
 * (spareCores.ts, over 50 ms while the head is read). The caller has checked the file's sha256.
 * Like `-j`, this is not one transaction: the database is fresh, and dropped by the caller when
 * this throws.
 */
export async function restoreInStreams(
  target: DatabaseTarget,
  database: string,
  file: string,
  extraArgs: readonly string[],
  jobs: number,
  split: Partial<SplitRule> = {},
): Promise<StreamsRan | null> {
  // Free cores are counted while the head is read (two reads of /proc/stat), and waited for only
  // when a table is large enough to split at all.
  const counting = split.spareCores ?? spareCores();
  const head = await readArchiveHead(file);
  if (!head) return null;
  const sizes = await readArchiveIndex(file);
  const fromBytes = split.fromBytes ?? SPLIT_FROM_BYTES;
  const planWith = (cores: number) => planDataStreams(head.entries, sizes, jobs, { fromBytes, spareCores: cores });
  const free = planWith(Infinity).split.length > 0 ? await counting : Infinity;
  const plan = planWith(free);
  const scratch = hostScratch().here;
  await removeOrphans(scratch, processIsAlive);
  const written: string[] = [];
  const writeScratch = async (kind: 'dump' | 'list', content: Buffer | string) => {
    const name = path.join(scratch, scratchName(kind));
    written.push(name);
    await fs.writeFile(name, content, { mode: 0o600, flag: 'wx' });
    return name;
  };
  try {
    const toc = await writeScratch('dump', head.bytes);
    // A list names entries by dump id; pg_restore reads the number before the semicolon.
    const listOf = (ids: number[]) => writeScratch('list', ids.map((id) => `${id};\n`).join(''));
    const lists = await Promise.all(plan.lists.map(listOf));
    const splitLists = await Promise.all(plan.split.map((table) => listOf([table.dumpId])));
    const common = ['--dbname', database, '--exit-on-error', ...extraArgs];
    await runPgRestore(target, database, [...common, '--section=pre-data', '--', toc]);
    await allOrNone([
      ...lists.map((list) => startStream(target, database, file, [...common, '--section=data', `--use-list=${list}`])),
      ...plan.split.map((table, i) => startSplitTable(target, database, file, splitLists[i]!, table.sessions)),
    ]);
    await runPgRestore(target, database, [...common, '--section=post-data', `--jobs=${jobs}`, '--', toc]);
    const splitSessions = plan.split.reduce((sum, table) => sum + table.sessions, 0);
    return { streams: lists.length, splitSessions, keptWhole: plan.keptWhole, spareCores: free };
  } finally {
    await Promise.all(written.map((name) => fs.rm(name, { force: true })));
  }
}

/** What ran at once, for the log. */
export interface StreamsRan {
  /** `pg_restore --use-list` streams. */
  streams: number;
  /** COPY sessions sharing the rows of split tables. */
  splitSessions: number;
  /** Tables large enough to split, each loaded in one session: too few cores were free. */
  keptWhole: number;
  /** Cores free as it started, when they were counted (a table large enough to split); else Infinity. */
  spareCores: number;
}

/** Most a table of contents may take: far above any real one (a few hundred bytes per object). */
const MAX_HEAD_BYTES = 64 << 20;

/**
 * The archive's header and table of contents, decompressed from the start of the file (zstd is
 * stopped as soon as they are whole), with its entries. Null when it is not an archive this reader
 * knows, or the file ends first. It parses again only each time the bytes have doubled, so a large
 * table of contents costs linear time.
 */
export async function readArchiveHead(file: string): Promise<{ bytes: Buffer; entries: TocEntry[] } | null> {
  const zstd = decompressArchive(file);
  zstd.stderr.resume();
  const chunks: Buffer[] = [];
  let length = 0;
  let parseAt = 0;
  const parse = () => {
    const bytes = Buffer.concat(chunks, length);
    const head = parseArchiveHead(bytes);
    if (head.kind === 'compactable') return { bytes: bytes.subarray(0, head.dataStart), entries: head.entries };
    return head.kind === 'leave' || length > MAX_HEAD_BYTES ? null : 'more';
  };
  try {
    for await (const chunk of zstd.stdout as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length < parseAt) continue;
      parseAt = 2 * length;
      const head = parse();
      if (head !== 'more') return head;
    }
    const head = parse(); // the file ended before the bytes doubled again
    return head === 'more' ? null : head;
  } finally {
    zstd.kill();
  }
}

/**
 * One data stream. pg_restore reads every block it lists whole, framing and all, so its success is
 * the stream's: the file's sha256 was checked before. It exits as soon as it has restored its last
 * entry, often long before the end of the file, and zstd, cut off then, fails to write (SIGPIPE,
 * EPIPE, ECONNRESET): that is no error. zstd's own words count only beside a pg_restore that
 * failed, and only when zstd failed by itself (zstdCause).
 */
function startStream(target: DatabaseTarget, database: string, file: string, args: string[]): RunningStream {
  const zstd = decompressArchive(file);
  const zstdErrors = tailOf(zstd.stderr);
  let restore: ToolProcess | undefined;
  let stopped = false;
  const done = (async () => {
    try {
      restore = await target.spawn('pg_restore', args, { database, stdin: zstd.stdout });
    } catch (e) {
      zstd.kill();
      throw e;
    }
    if (stopped) restore.kill();
    const restoreErrors = tailOf(restore.stderr);
    restore.stdout.resume();
    const code = await restore.exited;
    if (code !== 0) throw pgRestoreFailed('restore', code, restoreErrors(), await zstdCause(zstd, zstdErrors));
    zstd.kill(); // when it still runs, nothing reads its output any more
    await zstd.exited;
  })();
  return {
    done,
    stop() {
      stopped = true;
      restore?.kill();
      zstd.kill();
    },
  };
}
