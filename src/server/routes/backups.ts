import { Hono } from 'hono';
import { z } from 'zod';
import { downloadHeaders, type Switchyard } from '../../app/index.js';
import type { AuthVariables } from '../auth.js';
import { jsonBody } from '../body.js';

const createBody = z.object({ note: z.string().max(500).optional() }).strict();
const drillBody = z.object({ backupId: z.number().int().positive().optional() }).strict();

/** The runbook's backup routes, plus one backup, its file and the drill; and the audit log. */
export function backupRoutes(app: Switchyard) {
  return new Hono<{ Variables: AuthVariables }>()
    .get('/backups', (c) => c.json({ backups: app.backups.list() }))
    .post('/backups/create', async (c) => {
      const body = await jsonBody(c, createBody);
      return c.json({ backup: await app.backups.backUp(c.get('actor'), body) }, 201);
    })
    .get('/backups/:id', (c) => c.json({ backup: app.backups.get(c.req.param('id')) }))
    .get('/backups/:id/download', async (c) => {
      const download = await app.backups.download(c.get('actor'), c.req.param('id'));
      return c.body(download.body, 200, downloadHeaders(download));
    })
    .post('/drills', async (c) => {
      const body = await jsonBody(c, drillBody);
      return c.json({ drill: await app.backups.drill(c.get('actor'), body.backupId) });
    })
    .get('/audit', (c) => c.json({ audit: app.audit.entries(c.req.query()) }));
}
