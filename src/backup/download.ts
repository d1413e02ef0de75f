import path from 'node:path';
import { Readable } from 'node:stream';
import type { DownloadPorts } from './ports.js';
import { failed, notFound } from '../errors.js';
import { contentTypeOf } from './format.js';
import { openRegularFile } from '../util/fsutil.js';
import { carryOverOf } from '../carryover/report.js';
import type { Store } from '../store/index.js';

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
  return openStoredFile(ports, backup.fileName, `the file of backup #${id}`, 'backup.download', actor);
}

/**
 * A rollback's leftovers file (carry-over), found only through the rollback's journal: the path it
 * recorded must name a plain file directly inside the backups dir, under a name switchyard makes.
 */
export async function openLeftoversDownload(
  ports: DownloadPorts & { store: Pick<Store, 'deployments'> },
  deploymentId: number,
  actor: string,
): Promise<BackupDownload> {
  const report = carryOverOf(ports.store.deployments.steps(deploymentId));
  const file = report?.leftoversFile;
  if (!file) throw notFound(`deployment #${deploymentId} wrote no leftovers file`);
  const name = path.basename(file);
  if (
    path.dirname(path.resolve(file)) !== path.resolve(ports.config.backups.dir) ||
    !/^[A-Za-z0-9][A-Za-z0-9._-]*\.sql$/.test(name)
  )
    throw failed(`deployment #${deploymentId} recorded a leftovers file outside ${ports.config.backups.dir}`);
  return openStoredFile(ports, name, `the leftovers file of deployment #${deploymentId}`, 'leftovers.download', actor);
}

/** Opens `fileName` in the backups dir (no symlink followed, a regular file only), and audits the download. */
async function openStoredFile(
  ports: DownloadPorts,
  fileName: string,
  what: string,
  action: string,
  actor: string,
): Promise<BackupDownload> {
  const file = path.join(ports.config.backups.dir, fileName);
  // Refused at once when it is not a regular file (a FIFO would hold a worker thread for good).
  const handle = await openRegularFile(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
    throw notFound(`${what} (${fileName}) is missing from ${ports.config.backups.dir}`);
  });
  const stats = await handle.stat();
  ports.store.audit.record({ actor, action, target: fileName, outcome: 'ok' }, ports.clock.now());
  const stream = handle.createReadStream(); // the file opened above, closed at its end
  return {
    fileName,
    contentType: fileName.endsWith('.sql') ? 'application/sql' : contentTypeOf(fileName),
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
