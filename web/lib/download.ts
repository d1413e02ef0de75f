import type { Context as HonoContext } from 'hono';
import { downloadHeaders, openBackupDownload, openLeftoversDownload } from '../../src/backup/download.js';
import type { Runtime } from '../../src/app/runtime.js';

/** Streams a backup file to the browser (src/backup/download.ts decides which file and how it is labelled). */
export async function downloadBackup(c: HonoContext, ctx: Runtime, id: number, actor: string): Promise<Response> {
  const download = await openBackupDownload(ctx, id, actor);
  return c.body(download.body, 200, downloadHeaders(download));
}

/** Streams a rollback's leftovers file (src/backup/download.ts finds it through the rollback's journal). */
export async function downloadLeftovers(c: HonoContext, ctx: Runtime, id: number, actor: string): Promise<Response> {
  const download = await openLeftoversDownload(ctx, id, actor);
  return c.body(download.body, 200, downloadHeaders(download));
}
