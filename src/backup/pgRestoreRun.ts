import type { DatabaseTarget } from '../database/index.js';
import { failed } from '../errors.js';
import { maskUrlPasswords } from '../util/redact.js';
import { collect, spawnHost, type ToolProcess } from '../util/process.js';

/**
 * The archive in a stored `.dump.zst`, decompressed on its stdout by the host's zstd. The path is
 * the catalog's own name inside backups.dir; `--` keeps it from ever reading as an option.
 */
export const decompressArchive = (file: string): ToolProcess => spawnHost('zstd', ['-d', '-c', '-q', '--', file]);

/** The one wording of a pg_restore that failed: its own words (passwords masked), and what else went wrong. */
export const pgRestoreFailed = (what: 'restore' | 'read-back', code: number, stderr: string, also = '') =>
  failed(
    `${what} failed (pg_restore exited with code ${code}): ${maskUrlPasswords(stderr) || 'no error output'}${also}`,
  );

/**
 * What to add to a stream's pg_restore failure about its zstd: zstd's words only when zstd had
 * already ended, and failed, before pg_restore did (a missing zstd, a damaged file). A zstd still
 * running then was only cut off by a pg_restore that stopped reading, which is no cause.
 */
export const zstdCause = (codeBefore: number | null, errors: string): string =>
  codeBefore !== null && codeBefore !== 0
    ? ` (and zstd exited with code ${codeBefore}: ${errors || 'no error output'})`
    : '';

/** One pg_restore run to its end; a failure is thrown with pg_restore's own words. */
export async function runPgRestore(target: DatabaseTarget, database: string, args: string[]): Promise<void> {
  const result = await collect(await target.spawn('pg_restore', args, { database }));
  if (result.code !== 0) throw pgRestoreFailed('restore', result.code, result.stderr);
}
