import { Hono } from 'hono';
import { z } from 'zod';
import { backupNow, drillNow, getBackup, listBackups } from '../../backup/index.js';
import { downloadHeaders, openBackupDownload } from '../../backup/download.js';
import type { Runtime } from '../../app/runtime.js';
import { notFound } from '../../errors.js';
import { AUDIT_PAGE_MAX, auditQueryFrom } from '../../store/index.js';
import type { AuthVariables } from '../auth.js';
import { idParam, jsonBody } from '../body.js';

const createBody = z.object({ note: z.string().max(500).optional() }).strict();
const drillBody = z.object({ backupId: z.number().int().positive().optional() }).strict();

/** The runbook's backup routes, plus one backup, its file and the drill. */
export function backupRoutes(ctx: Runtime) {
  return new Hono<{ Variables: AuthVariables }>()
    .get('/backups', (c) => c.json({ backups: listBackups(ctx) }))
    .post('/backups/create', async (c) => {
      const body = await jsonBody(c, createBody);
      const backup = await backupNow(ctx, { reason: 'manual', note: body.note ?? null, actor: c.get('actor').name });
      return c.json({ backup }, 201);
    })
    .get('/backups/:id', (c) => {
      const id = idParam(c.req.param('id'), 'backup id');
      const backup = getBackup(ctx, id);
      if (!backup) throw notFound(`backup ${id} does not exist`);
      return c.json({ backup });
    })
    .get('/backups/:id/download', async (c) => {
      const download = await openBackupDownload(ctx, idParam(c.req.param('id'), 'backup id'), c.get('actor').name);
      return c.body(download.body, 200, downloadHeaders(download));
    })
    .post('/drills', async (c) => {
      const body = await jsonBody(c, drillBody);
      return c.json({ drill: await drillNow(ctx, body.backupId, c.get('actor').name) });
    })
    .get('/audit', (c) => {
      const { filter, limit } = auditQueryFrom(c.req.query(), { limit: AUDIT_PAGE_MAX, logins: 'show' });
      return c.json({ audit: ctx.store.audit.list(limit, filter) });
    });
}
