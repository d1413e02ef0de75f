import type { Context as HonoContext } from 'hono';
import { downloadHeaders, type BackupDownload } from '../../src/app/index.js';

/** Streams a file the app opened (a backup, a rollback's leftovers) to the browser, under its own name and type. */
export function sendDownload(c: HonoContext, download: BackupDownload): Response {
  return c.body(download.body, 200, downloadHeaders(download));
}
