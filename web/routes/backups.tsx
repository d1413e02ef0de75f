import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, type UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { sendDownload } from '../lib/download.js';
import { formatBytes } from '../lib/format.js';
import { formBody, idFromPath } from '../lib/form.js';
import { redirectWithError, redirectWithNotice } from '../lib/respond.js';
import { BackupDetail } from '../views/backupDetail.js';
import { BackupsView } from '../views/backups.js';
import { renderPage } from '../views/render.js';

const createForm = z.object({ note: z.string().trim().max(500).optional() });

/** Backups: list, take one now, one backup's details and drill, download. */
export function backupRoutes({ app }: UiDeps) {
  // A path that names no id is no page (404), as any unknown page; the app finds the backup or says not found.
  const idOf = (raw: string | undefined) => idFromPath(raw, 'backup');

  return new Hono<UiEnv>()
    .get('/backups', (c) => {
      const session = c.get('session');
      const note = session.flash?.fields?.note; // a refused backup's note, typed again for nobody
      return renderPage(
        c,
        { title: 'Backups', section: 'backups', session },
        <BackupsView backups={app.backups.list()} session={session} note={note} />,
      );
    })
    .post('/backups', async (c) => {
      let note: string | undefined;
      try {
        ({ note } = await formBody(c, createForm));
        const backup = await app.backups.backUp(actorOf(c.get('session')), { note });
        return redirectWithNotice(
          c,
          `Backup #${backup.id} ${backup.fileName} (${formatBytes(backup.sizeBytes)}) taken and verified.`,
          '/backups',
        );
      } catch (e) {
        return redirectWithError(c, e, '/backups', note ? { note } : undefined);
      }
    })
    .get('/backups/:id', (c) => {
      const { backup, report } = app.backups.detail(idOf(c.req.param('id')));
      const session = c.get('session');
      return renderPage(
        c,
        { title: `Backup #${backup.id}`, section: 'backups', session },
        <BackupDetail b={backup} report={report} session={session} />,
      );
    })
    .post('/backups/:id/drill', async (c) => {
      const b = app.backups.get(idOf(c.req.param('id')));
      try {
        const drill = await app.backups.drill(actorOf(c.get('session')), b.id);
        const text = drill.verified
          ? 'Drill finished: data verified.'
          : `Drill finished: NOT verified (${drill.issues[0] ?? 'see the report'}).`;
        return redirectWithNotice(c, text, `/backups/${b.id}`);
      } catch (e) {
        return redirectWithError(c, e, `/backups/${b.id}`);
      }
    })
    .get('/backups/:id/download', async (c) =>
      sendDownload(c, await app.backups.download(actorOf(c.get('session')), idOf(c.req.param('id')))),
    );
}
