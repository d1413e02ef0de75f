import { Cron } from 'croner';
import type { Context } from '../context.js';
import { oneLine } from '../errors.js';
import { backupNow } from './service.js';

/** Runs scheduled backups in the server's local time; a run never overlaps the previous one. */
export function startBackupSchedule(ctx: Context): { stop(): void; next(): Date | null } | undefined {
  const expr = ctx.config.backups.schedule;
  if (!expr) return undefined;
  const job = new Cron(expr, { protect: true }, async () => {
    try {
      await backupNow(ctx, { reason: 'scheduled', actor: 'scheduler' });
    } catch (e) {
      // createBackup already recorded the failure; a busy lock is recorded here.
      ctx.log.error('scheduled backup did not run', { error: oneLine(e) });
      if ((e as { kind?: string }).kind === 'conflict') {
        ctx.store.audit.record({ actor: 'scheduler', action: 'backup.create', outcome: 'refused', detail: oneLine(e) });
      }
    }
  });
  ctx.log.info('backup schedule active', { schedule: expr, next: job.nextRun()?.toISOString() });
  return { stop: () => job.stop(), next: () => job.nextRun() };
}
