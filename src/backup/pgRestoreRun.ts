import type { DatabaseTarget } from '../database/index.js';
import { failed } from '../errors.js';
import { maskUrlSecrets } from '../util/redact.js';
import { collect, spawnHost, type ToolProcess } from '../util/process.js';

/**
 * The archive in a stored `.dump.zst`, decompressed on its stdout by the host's zstd. The path is
 * the catalog's own name inside backups.dir; `--` keeps it from ever reading as an option.
 */
export const decompressArchive = (file: string): ToolProcess => spawnHost('zstd', ['-d', '-c', '-q', '--', file]);

/** The one wording of a pg_restore that failed: its own words (passwords masked), and what else went wrong. */
export const pgRestoreFailed = (what: 'restore' | 'read-back', code: number, stderr: string, also = '') =>
  failed(`${what} failed (pg_restore exited with code ${code}): ${maskUrlSecrets(stderr) || 'no error output'}${also}`);

/** Exit codes of a zstd that was only cut off: SIGPIPE (its reader had gone), SIGTERM (stopped here). */
const CUT_OFF_CODES = new Set([128 + 13, 128 + 15]);

/**
 * What to add to a stream's failed pg_restore about its zstd, once zstd has ended (at once, as its
 * reader has gone; stopped after 2 s if not): zstd's own words when it failed by itself (a missing
 * zstd, a damaged file), as the likely cause. Nothing when it succeeded, or was only cut off by the
 * pg_restore that stopped reading: killed by SIGPIPE, or its write refused (EPIPE, ECONNRESET: Node's
 * pipes between children are socket pairs). Which of the two ended first cannot tell them apart:
 * their exits reach this process in either order.
 */
export async function zstdCause(zstd: ToolProcess, errors: () => string): Promise<string> {
  const timer = setTimeout(() => zstd.kill(), 2000);
  const code = await zstd.exited.finally(() => clearTimeout(timer));
  const words = errors();
  if (code === 0 || CUT_OFF_CODES.has(code) || /write error/i.test(words)) return '';
  return ` (and zstd exited with code ${code}: ${words || 'no error output'})`;
}

/** One pg_restore run to its end; a failure is thrown with pg_restore's own words. */
export async function runPgRestore(target: DatabaseTarget, database: string, args: string[]): Promise<void> {
  const result = await collect(await target.spawn('pg_restore', args, { database }));
  if (result.code !== 0) throw pgRestoreFailed('restore', result.code, result.stderr);
}
