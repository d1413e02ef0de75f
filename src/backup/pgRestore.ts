import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DatabaseTarget } from '../database/index.js';
import { failed, oneLine } from '../errors.js';
import { freeBytes } from '../util/diskSpace.js';
import { collect, spawnHost, tailOf, type ToolProcess } from '../util/process.js';
import { backupFormat } from './format.js';
import { openRegularFile } from '../util/fsutil.js';
import { decompressArchive, pgRestoreFailed, runPgRestore } from './pgRestoreRun.js';
import type { SplitRule } from './restorePlan.js';
import { restoreInStreams, type StreamsRan } from './restoreStreams.js';

/**
 * Restores a stored backup file, of either format (format.ts), into an existing,
 * fresh database (one the caller drops if this throws). Throws with pg_restore's
 * (or zstd's) own words. The caller checks the sha256 first. This is the one way
 * a stored file is restored: the rollback restore, the drill and the off-site
 * copy all come through here. Returns how it went, for the log.
 *
 * The fastest way that works where pg_restore runs (measured by bench:restore):
 *   - a `.dump.zst` for the host's pg_restore: parallel streams straight from the
 *     file (restoreStreams.ts);
 *   - otherwise `pg_restore -j N` of a file (stageArchive): an old `.dump` on the
 *     host as it is; into a container, either format written into its /tmp;
 *   - when neither works (no room to stage; a container whose /tmp this host
 *     cannot reach; an archive whose head is not one restoreStreams knows):
 *     `--single-transaction`, the archive fed on stdin (through `zstd -dc`).
 * Neither of the first two is one transaction, which `-j` excludes: the database
 * is fresh and dropped on failure, so a half-restored copy is never used.
 */
export async function restoreBackupFile(
  reachable: DatabaseTarget,
  database: string,
  file: string,
  extraArgs: readonly string[] = [],
  { keepFree = KEEP_FREE, split }: { keepFree?: number; split?: Partial<SplitRule> } = {},
): Promise<string> {
  const target = await reachable.reach(); // one way for every program below
  const jobs = restoreJobs();
  if (target.readsHostFiles && backupFormat(file) === 'zstd') {
    const ran = await restoreInStreams(target, database, file, extraArgs, jobs, split);
    if (ran !== null) return describeStreams(ran);
  }
  const archive = await stageArchive(target, file, keepFree);
  if (archive) {
    try {
      await runPgRestore(target, database, [
        '--dbname',
        database,
        `--jobs=${jobs}`,
        '--exit-on-error',
        ...extraArgs,
        '--',
        archive.path,
      ]);
      return `pg_restore --jobs=${jobs} of ${archive.staged ? 'a staged copy' : 'the file'}`;
    } finally {
      await archive.remove();
    }
  }
  const args = ['--dbname', database, '--single-transaction', '--exit-on-error', ...extraArgs];
  await feedArchive(file, (stdin) => target.spawn('pg_restore', args, { database, stdin }), 'restore');
  return 'one transaction, fed on stdin';
}

/**
 * For the log: e.g. `3 parallel streams from the file, 2 of them sharing a large table's rows`, or
 * `2 parallel streams from the file, a large table in one of them: 1 core free`.
 */
function describeStreams({ streams, splitSessions, keptWhole, spareCores }: StreamsRan): string {
  const all = streams + splitSessions;
  const sharing = splitSessions > 0 ? `, ${splitSessions} of them sharing a large table's rows` : '';
  const cores = `${spareCores} core${spareCores === 1 ? '' : 's'} free`;
  const whole = keptWhole > 0 ? `, a large table in one of them: ${cores}` : '';
  return `${all} parallel stream${all === 1 ? '' : 's'} from the file${sharing}${whole}`;
}

/** pg_restore -j: one job per core, at least 2 (the I/O overlaps), at most 4. */
const restoreJobs = () => Math.min(4, Math.max(2, os.availableParallelism()));

/**
 * The archive as a file pg_restore opens by name: on this host a `.dump` as it
 * is; in a container, either format written into its /tmp (DatabaseTarget.tempFile).
 * Null when there is no such place, or no room for it (`keepFree` bytes must stay
 * free there), and for a `.dump.zst` on this host (restoreStreams.ts reads those):
 * the caller streams instead.
 */
async function stageArchive(
  target: DatabaseTarget,
  file: string,
  keepFree: number,
): Promise<{ path: string; staged: boolean; remove: () => Promise<void> } | null> {
  const zstd = backupFormat(file) === 'zstd';
  if (target.readsHostFiles) return zstd ? null : { path: file, staged: false, remove: async () => undefined };
  const temp = await target.tempFile();
  if (!temp) return null;
  const remove = () => fs.rm(temp.here, { force: true });
  const roomLeft = async (adding = 0) => ((await freeBytes(path.dirname(temp.here))) ?? Infinity) - adding >= keepFree;
  try {
    if ((await (zstd ? decompressWhileRoom : copy)(file, temp.here, roomLeft)) === 'no room') {
      await remove();
      return null;
    }
    await fs.chmod(temp.here, temp.mode);
    return { path: temp.there, staged: true, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

/**
 * What a staged archive must leave free where it is written. That filesystem is
 * often the live database's too (the backups dir, Docker's own disk), and the
 * database must never be the one to find it full: below this, staging stops and
 * the archive is streamed instead. A stream needs no room at all.
 */
export const KEEP_FREE = 1 << 30;

const NO_ROOM = /no space|quota|ENOSPC|EDQUOT/i;

/** zstd -d into `to`, stopped as soon as `roomLeft` says no (checked before it starts, then every 200 ms). */
export async function decompressWhileRoom(
  file: string,
  to: string,
  roomLeft: (adding?: number) => Promise<boolean>,
): Promise<'done' | 'no room'> {
  if (!(await roomLeft())) return 'no room';
  const zstd = spawnHost('zstd', ['-d', '-q', '-f', '-o', to, '--', file]);
  let full = false;
  const watch = setInterval(() => {
    void roomLeft().then((ok) => {
      if (ok || full) return;
      full = true;
      zstd.kill();
    });
  }, 200);
  const result = await collect(zstd).finally(() => clearInterval(watch));
  if (full) return 'no room';
  if (result.code === 0) return 'done';
  if (NO_ROOM.test(result.stderr)) return 'no room';
  throw failed(
    `restore failed: zstd could not decompress the file (code ${result.code}): ${result.stderr || 'no error output'}`,
  );
}

/** A `.dump` copied into `to`, when `roomLeft` says its size fits. */
async function copy(
  file: string,
  to: string,
  roomLeft: (adding: number) => Promise<boolean>,
): Promise<'done' | 'no room'> {
  try {
    if (!(await roomLeft((await fs.stat(file)).size))) return 'no room';
    await fs.copyFile(file, to);
    return 'done';
  } catch (e) {
    if (NO_ROOM.test((e as NodeJS.ErrnoException).code ?? '')) return 'no room';
    throw failed(`restore failed: could not copy the archive for pg_restore: ${oneLine(e)}`, e);
  }
}

/**
 * Reads a stored backup file back in full with the host's `pg_restore
 * --file=/dev/null` (which, unlike --list, catches a truncated archive),
 * without any database. For copies kept elsewhere (off-site) that come back.
 */
export async function readBackBackupFile(file: string): Promise<void> {
  await feedArchive(file, async (stdin) => spawnHost('pg_restore', ['--file=/dev/null'], { stdin }), 'read-back');
}

type StartConsumer = (stdin: true | Readable) => Promise<ToolProcess>;

/**
 * A `.dump.zst` goes through the host's `zstd -dc`, whose stdout is handed to
 * pg_restore as its stdin: on the host a kernel pipe joins the two (measured
 * faster than copying through this process, see bench/restore.ts); into a
 * container the target copies it. A `.dump` is fed from the file. Every
 * child's output has its reader from the tick it exists.
 */
async function feedArchive(file: string, startConsumer: StartConsumer, what: 'restore' | 'read-back'): Promise<void> {
  let consumer: ToolProcess;
  let producer: ToolProcess | undefined;
  let fed: Promise<Error | null>;
  let source: Promise<string | null>;
  if (backupFormat(file) === 'zstd') {
    const zstd = (producer = decompressArchive(file));
    const zstdErrors = tailOf(zstd.stderr);
    source = zstd.exited.then((code) =>
      code === 0 ? null : `zstd could not decompress the file (code ${code}): ${zstdErrors() || 'no error output'}`,
    );
    try {
      consumer = await startConsumer(zstd.stdout);
    } catch (e) {
      zstd.kill();
      throw e;
    }
    fed = Promise.resolve(null);
  } else {
    const handle = await openRegularFile(file);
    try {
      consumer = await startConsumer(true);
    } catch (e) {
      await handle.close();
      throw e;
    }
    const stream = handle.createReadStream({ highWaterMark: 1 << 20 });
    source = new Promise((resolve) =>
      stream.once('error', (e) => resolve(oneLine(e))).once('close', () => resolve(null)),
    );
    fed = pipeline(stream, consumer.stdin!).then(
      () => null,
      (e: Error) => e,
    );
  }
  const consumerErrors = tailOf(consumer.stderr);
  consumer.stdout.resume();
  const code = await consumer.exited;
  if (code !== 0) producer?.kill(); // its output has nowhere to go any more
  const [feedError, sourceError] = await Promise.all([fed, source]);
  // When both fail, pg_restore's words come first: a zstd cut off by a pg_restore that stopped is only the echo.
  if (code !== 0) {
    const also = sourceError ? ` (and ${sourceError})` : '';
    throw pgRestoreFailed(what, code, consumerErrors(), also);
  }
  if (sourceError) throw failed(`${what} failed: ${sourceError}`);
  if (feedError) throw failed(`${what} input failed: ${oneLine(feedError)}`);
}
