import type { Context as HonoContext } from 'hono';
import { downloadHeaders, type BackupDownload } from '../../src/app/index.js';
import { openLeftoversDownload } from '../../src/backup/download.js';
import type { Runtime } from '../../src/app/runtime.js';

/** Streams a file the app opened (a backup, a rollback's leftovers) to the browser, under its own name and type. */
export function sendDownload(c: HonoContext, download: BackupDownload): Response {
  return c.body(download.body, 200, downloadHeaders(download));
}

/**
 * Transitional, for web/routes/deployments.tsx until its leftovers download comes from the app (its area:
 * deployments); then this goes, with the two core imports above, and that route calls sendDownload.
 */
export async function downloadLeftovers(c: HonoContext, ctx: Runtime, id: number, actor: string): Promise<Response> {
  return sendDownload(c, await openLeftoversDownload(ctx, id, actor));
}
