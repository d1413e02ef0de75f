import { Cron } from 'croner';
import type { BackupServicePorts } from './ports.js';
import { oneLine } from '../errors.js';
import { backupNow } from './service.js';

export interface BackupSchedule {
  /** Stops future runs and resolves once a run in progress has finished. */
  stop(): Promise<void>;
  next(): Date | null;
}

/** Runs scheduled backups in the server's local time; a run never overlaps the previous one. */
export function startBackupSchedule(ports: BackupServicePorts): BackupSchedule | undefined {
  const expr = ports.config.backups.schedule;
  if (!expr) return undefined;
  let running: Promise<void> = Promise.resolve();
  const runOnce = async () => {
    try {
      await backupNow(ports, { reason: 'scheduled', actor: 'scheduler' });
    } catch (e) {
      // createBackup already recorded a failed dump; a busy lock is recorded here.
      ports.log.error('scheduled backup did not run', { error: oneLine(e) });
      if ((e as { kind?: string }).kind === 'conflict') {
        ports.store.audit.record(
          {
            actor: 'scheduler',
            action: 'backup.create',
            outcome: 'refused',
            detail: ports.redactor.redact(oneLine(e)),
          },
          ports.clock.now(),
        );
        ports.notifier.send({
          event: 'backup',
          ok: false,
          summary: `scheduled backup skipped: ${oneLine(e)}`,
          details: { reason: 'scheduled' },
        });
      }
    }
  };
  const job = new Cron(expr, { protect: true }, () => {
    running = runOnce();
    return running;
  });
  ports.log.info('backup schedule active', { schedule: expr, next: job.nextRun()?.toISOString() });
  return {
    stop: async () => {
      job.stop();
      await running;
    },
    next: () => job.nextRun(),
  };
}
