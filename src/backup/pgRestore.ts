import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { DatabaseTarget } from '../database/index.js';
import { failed, oneLine } from '../errors.js';
import { redact } from '../util/redact.js';
import { tailOf } from '../util/process.js';

/**
 * pg_restore of a dump file into an existing database, in one transaction, fed
 * on stdin (so it works the same when pg_restore runs inside a container that
 * cannot see the host's backups folder). Throws with pg_restore's own words.
 */
export async function pgRestoreFile(target: DatabaseTarget, database: string, file: string, extraArgs: readonly string[] = []): Promise<void> {
  const proc = await target.spawn('pg_restore', ['--dbname', database, '--single-transaction', '--exit-on-error', ...extraArgs], { database, stdin: true });
  const errors = tailOf(proc.stderr);
  proc.stdout.resume();
  const fed = pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), proc.stdin!).catch((e: Error) => e);
  const [code, feedError] = await Promise.all([proc.exited, fed]);
  if (code !== 0) throw failed(`restore failed (pg_restore exited with code ${code}): ${redact(errors()) || 'no error output'}`);
  if (feedError) throw failed(`restore input failed: ${oneLine(feedError)}`);
}
