import type { FileHandle } from 'node:fs/promises';
import type { DatabaseTarget } from '../database/index.js';
import { failed } from '../errors.js';
import { tailOf, type ToolProcess } from '../util/process.js';

const PSQL = ['-X', '-q', '-v', 'ON_ERROR_STOP=1'];

async function finished(proc: ToolProcess, what: string): Promise<void> {
  const stderr = tailOf(proc.stderr);
  const code = await proc.exited;
  if (code !== 0) throw failed(`${what} failed (exit ${code}): ${stderr() || 'no error output'}`);
}

/** `copyOut` (COPY … TO STDOUT) run on `from`, its rows fed straight into `copyIn` (COPY … FROM STDIN) on `to`. */
export async function copyBetween(
  target: DatabaseTarget,
  from: string,
  copyOut: string,
  to: string,
  copyIn: string,
): Promise<void> {
  const reader = await target.spawn('psql', [...PSQL, '-c', copyOut], { database: from });
  let writer: ToolProcess;
  try {
    writer = await target.spawn('psql', [...PSQL, '-c', copyIn], { database: to, stdin: reader.stdout });
  } catch (e) {
    reader.kill();
    throw e;
  }
  const results = await Promise.allSettled([
    finished(reader, `reading rows from ${from}`),
    finished(writer, `staging rows in ${to}`),
  ]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

/** COPY … TO STDOUT on `database`, appended to an open file. */
export async function copyToFile(
  target: DatabaseTarget,
  database: string,
  copyOut: string,
  file: FileHandle,
): Promise<void> {
  const reader = await target.spawn('psql', [...PSQL, '-c', copyOut], { database });
  const done = finished(reader, `writing leftovers from ${database}`);
  for await (const chunk of reader.stdout) await file.write(chunk as Buffer);
  await done;
}
