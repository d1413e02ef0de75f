import { Hono } from 'hono';
import { z } from 'zod';
import {
  backupNow,
  drillMarkdown,
  drillNow,
  getBackup,
  listBackups,
  type BackupListing,
} from '../../src/backup/index.js';
import { notFound } from '../../src/errors.js';
import { actorOf, type UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { downloadBackup } from '../lib/download.js';
import { formatBytes } from '../lib/format.js';
import { formBody, idFromPath } from '../lib/form.js';
import { redirectWithError, redirectWithNotice } from '../lib/respond.js';
import { BackupDetail, type DrillSummary } from '../views/backupDetail.js';
import { BackupsView } from '../views/backups.js';
import { renderPage } from '../views/render.js';

const createForm = z.object({ note: z.string().trim().max(500).optional() });

/** Backups: list, take one now, one backup's details and drill, download. */
export function backupRoutes({ ctx }: UiDeps) {
  const find = (raw: string | undefined): BackupListing => {
    const id = idFromPath(raw, 'backup');
    const backup = getBackup(ctx, id);
    if (!backup) throw notFound(`backup #${id} does not exist`);
    return backup;
  };

  return new Hono<UiEnv>()
    .get('/backups', (c) => {
      const session = c.get('session');
      const note = session.flash?.fields?.note; // a refused backup's note, typed again for nobody
      return renderPage(
        c,
        { title: 'Backups', section: 'backups', session },
        <BackupsView backups={listBackups(ctx)} session={session} note={note} />,
      );
    })
    .post('/backups', async (c) => {
      let note: string | undefined;
      try {
        ({ note } = await formBody(c, createForm));
        const backup = await backupNow(ctx, {
          reason: 'manual',
          note: note || null,
          actor: actorOf(c.get('session')).name,
        });
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
      const b = find(c.req.param('id'));
      const session = c.get('session');
      return renderPage(
        c,
        { title: `Backup #${b.id}`, section: 'backups', session },
        <BackupDetail b={b} report={drillReport(ctx.config.database.name, b)} session={session} />,
      );
    })
    .post('/backups/:id/drill', async (c) => {
      const b = find(c.req.param('id'));
      try {
        const drill = await drillNow(ctx, b.id, actorOf(c.get('session')).name);
        const text = drill.verified
          ? 'Drill finished: data verified.'
          : `Drill finished: NOT verified (${drill.issues[0] ?? 'see the report'}).`;
        return redirectWithNotice(c, text, `/backups/${b.id}`);
      } catch (e) {
        return redirectWithError(c, e, `/backups/${b.id}`);
      }
    })
    .get('/backups/:id/download', (c) =>
      downloadBackup(c, ctx, idFromPath(c.req.param('id'), 'backup'), actorOf(c.get('session')).name),
    );
}

/** The runbook's "DR Drill Results" of the backup's last drill, rebuilt from the drill record. */
function drillReport(database: string, b: BackupListing): DrillSummary | null {
  const drill = b.lastDrill;
  if (!drill) return null;
  const backupAgeHours = (Date.parse(drill.startedAt) - Date.parse(b.createdAt)) / 3_600_000;
  return {
    backupAgeHours,
    markdown: drillMarkdown({
      ...drill,
      backupFile: b.fileName,
      backupAgeHours,
      scratchDatabase: `${database}_dr_test`,
    }),
  };
}
