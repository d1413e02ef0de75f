import path from 'node:path';
import { Readable } from 'node:stream';
import type { DownloadPorts } from './ports.js';
import { failed, notFound } from '../errors.js';
import { contentTypeOf } from './format.js';
import { openRegularFile } from './fsutil.js';

export interface BackupDownload {
  fileName: string;
  contentType: string;
  sizeBytes: number;
  /** The file as stored, opened before this was returned; closes at its end or on abort. */
  body: ReadableStream<Uint8Array>;
}

/**
 * Opens a backup file for download, by the UI and the API alike. The file is
 * found only through the catalog, by backup id: nothing from the request becomes
 * part of a path, and only files switchyard made and still keeps (status ok)
 * are served, under their own name and their format's content type.
 */
export async function openBackupDownload(ports: DownloadPorts, id: number, actor: string): Promise<BackupDownload> {
  const backup = ports.store.backups.get(id);
  if (!backup) throw notFound(`backup #${id} does not exist`);
  if (backup.status !== 'ok') throw notFound(`backup #${id} is ${backup.status}: there is no file to download`);
  // The catalog only holds names switchyard generated; refuse anything else rather than trust it blindly.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(backup.fileName))
    throw failed(`backup #${id} has an unexpected file name in the catalog`);
  const file = path.join(ports.config.backups.dir, backup.fileName);

  // Refused at once when it is not a regular file (a FIFO would hold a worker thread for good).
  const handle = await openRegularFile(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
    throw notFound(`the file of backup #${id} (${backup.fileName}) is missing from ${ports.config.backups.dir}`);
  });
  const stats = await handle.stat();
  ports.store.audit.record(
    { actor, action: 'backup.download', target: backup.fileName, outcome: 'ok' },
    ports.clock.now(),
  );
  const stream = handle.createReadStream(); // the file opened above, closed at its end
  return {
    fileName: backup.fileName,
    contentType: contentTypeOf(backup.fileName),
    sizeBytes: stats.size,
    body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
  };
}

/** The response headers of a download: the stored name, its format's type, never sniffed. */
export function downloadHeaders(d: BackupDownload): Record<string, string> {
  return {
    'Content-Type': d.contentType,
    'Content-Length': String(d.sizeBytes),
    'Content-Disposition': `attachment; filename="${d.fileName}"`,
    'X-Content-Type-Options': 'nosniff',
  };
}
