import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TOOL_ENV, type DatabaseTarget } from '../database/index.js';
import { failed, oneLine } from '../errors.js';
import { redact } from '../util/redact.js';
import { spawnHost, tailOf, type ToolProcess } from '../util/process.js';
import { backupFormat } from './format.js';

/**
 * Restores a stored backup file, of either format (format.ts), into an existing
 * database: in one transaction, the archive fed on stdin (so it works the same
 * when pg_restore runs inside a container that cannot see the host's backups
 * folder). A `.dump.zst` is decompressed by the host's zstd on the way. Throws
 * with pg_restore's (or zstd's) own words. The caller checks the sha256 first.
 *
 * This is the one way a stored file is read back: the rollback restore, the
 * drill and the off-site copy all come through here.
 */
export async function restoreBackupFile(target: DatabaseTarget, database: string, file: string, extraArgs: readonly string[] = []): Promise<void> {
  const args = ['--dbname', database, '--single-transaction', '--exit-on-error', ...extraArgs];
  await feedArchive(file, () => target.spawn('pg_restore', args, { database, stdin: true }), 'restore');
}

/**
 * Reads a stored backup file back in full with the host's `pg_restore
 * --file=/dev/null` (which, unlike --list, catches a truncated archive),
 * without any database. For copies kept elsewhere (off-site) that come back.
 */
export async function readBackBackupFile(file: string): Promise<void> {
  await feedArchive(file, async () => spawnHost('pg_restore', ['--file=/dev/null'], { stdin: true, env: TOOL_ENV }), 'read-back');
}

/**
 * The consumer is started first and the decompressor second, each with its
 * output read from the tick it exists (a child that exits unread loses its output).
 */
async function feedArchive(file: string, startConsumer: () => Promise<ToolProcess>, what: 'restore' | 'read-back'): Promise<void> {
  const consumer = await startConsumer();
  const consumerErrors = tailOf(consumer.stderr);
  consumer.stdout.resume();
  const source = openArchive(file);
  const fed = pipeline(source.stream, consumer.stdin!).then(
    () => null,
    (e: Error) => e,
  );
  const [code, feedError, sourceError] = await Promise.all([consumer.exited, fed, source.finished]);
  // When both fail, pg_restore's words come first: a zstd cut off by a pg_restore that stopped is only the echo.
  if (code !== 0) {
    const also = sourceError ? ` (and ${sourceError})` : '';
    throw failed(`${what} failed (pg_restore exited with code ${code}): ${redact(consumerErrors()) || 'no error output'}${also}`);
  }
  if (sourceError) throw failed(`${what} failed: ${sourceError}`);
  if (feedError) throw failed(`${what} input failed: ${oneLine(feedError)}`);
}

interface ArchiveSource {
  /** The pg_dump custom-format archive, as pg_dump wrote it. */
  stream: Readable;
  /** null once the whole file was read; else what went wrong. */
  finished: Promise<string | null>;
}

/** The archive inside a stored file: the file itself, or `zstd -dc` of it. */
function openArchive(file: string): ArchiveSource {
  if (backupFormat(file) === 'custom') {
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    return { stream, finished: new Promise((resolve) => stream.once('error', (e) => resolve(oneLine(e))).once('close', () => resolve(null))) };
  }
  // The path is the catalog's own name inside backups.dir; `--` keeps it from ever reading as an option.
  const zstd = spawnHost('zstd', ['-d', '-c', '-q', '--', file], { env: TOOL_ENV });
  const errors = tailOf(zstd.stderr);
  return {
    stream: zstd.stdout,
    finished: zstd.exited.then((code) => (code === 0 ? null : `zstd could not decompress the file (code ${code}): ${errors() || 'no error output'}`)),
  };
}
