import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Context as HonoContext } from 'hono';
import type { Context } from '../../src/context.js';
import { failed, notFound } from '../../src/errors.js';

/**
 * Streams a backup file to the browser. The file is found only through the
 * catalog, by backup id: nothing from the request becomes part of a path, and
 * only files switchyard made and still keeps (status ok) are served.
 */
export async function downloadBackup(c: HonoContext, ctx: Context, id: number, actor: string): Promise<Response> {
  const backup = ctx.store.backups.get(id);
  if (!backup) throw notFound(`backup #${id} does not exist`);
  if (backup.status !== 'ok') throw notFound(`backup #${id} is ${backup.status}: there is no file to download`);
  // The catalog only holds names switchyard generated; refuse anything else rather than trust it blindly.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(backup.fileName)) throw failed(`backup #${id} has an unexpected file name in the catalog`);
  const file = path.join(ctx.config.backups.dir, backup.fileName);

  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    throw notFound(`the file of backup #${id} (${backup.fileName}) is missing from ${ctx.config.backups.dir}`);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw failed(`${backup.fileName} in the backups folder is not a regular file`);
  }
  ctx.store.audit.record({ actor, action: 'backup.download', target: backup.fileName, outcome: 'ok' });
  const stream = fs.createReadStream(file, { fd: handle }); // reads the file opened above; closes it at the end or on abort
  return c.body(Readable.toWeb(stream) as ReadableStream<Uint8Array>, 200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(stats.size),
    'Content-Disposition': `attachment; filename="${backup.fileName}"`,
    'X-Content-Type-Options': 'nosniff',
  });
}
