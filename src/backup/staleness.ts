import { Cron } from 'croner';
import type { StalenessPorts } from './ports.js';

/** Without a schedule to judge by, the runbook's drill pre-check: the newest backup is younger than a day. */
const UNSCHEDULED_MAX_AGE_HOURS = 24;

export interface BackupStaleness {
  /** Age of the newest good backup; null when there is none. */
  ageHours: number | null;
  /** The age the schedule allows: one full interval plus an hour of grace; without a schedule, 24 h. */
  allowedHours: number;
  basis: 'schedule' | 'runbook';
  /** No backup at all, or older than allowed. */
  stale: boolean;
}

/** The one staleness rule, for the overview and the backup-stale notification. Pure. */
export function backupStaleness(
  schedule: string | undefined,
  newestCreatedAt: string | undefined,
  now = new Date(),
): BackupStaleness {
  const allowedMs = allowedBackupAgeMs(schedule, now);
  const allowedHours = allowedMs === null ? UNSCHEDULED_MAX_AGE_HOURS : allowedMs / 3_600_000;
  const basis: BackupStaleness['basis'] = allowedMs === null ? 'runbook' : 'schedule';
  const ageHours = newestCreatedAt === undefined ? null : (now.getTime() - Date.parse(newestCreatedAt)) / 3_600_000;
  return { ageHours, allowedHours, basis, stale: ageHours === null || ageHours > allowedHours };
}

/**
 * The newest good backup is older than the schedule allows. Returns the age in hours, or null when
 * all is well, when there is no schedule to judge by, or no backup yet (the first scheduled run will tell).
 */
export function staleBackupHours(
  ports: Pick<StalenessPorts, 'config' | 'store' | 'clock'>,
  now = ports.clock.now(),
): number | null {
  const newest = ports.store.backups.list({ status: 'ok' })[0];
  const s = backupStaleness(ports.config.backups.schedule, newest?.createdAt, now);
  return s.basis === 'schedule' && s.ageHours !== null && s.stale ? s.ageHours : null;
}

/** How old the newest backup (or off-site copy) may be: one schedule interval plus an hour; null without a schedule. */
export function allowedBackupAgeMs(expr: string | undefined, now: Date): number | null {
  if (!expr) return null;
  const [a, b] = new Cron(expr, { paused: true }).nextRuns(2, now);
  return a && b ? b.getTime() - a.getTime() + 3_600_000 : null;
}

/** Checks every 10 minutes and notifies once per stale episode. */
export function watchBackupAge(ports: StalenessPorts): () => void {
  let notifiedFor: string | undefined;
  const check = () => {
    const hours = staleBackupHours(ports);
    const newest = ports.store.backups.list({ status: 'ok' })[0]?.fileName ?? 'none';
    if (hours === null || notifiedFor === newest) return;
    notifiedFor = newest;
    ports.log.warn('newest backup is older than the schedule allows', { newest, hours: Number(hours.toFixed(1)) });
    ports.notifier.send({
      event: 'backup-stale',
      ok: false,
      summary: `newest backup ${newest} is ${hours.toFixed(1)} h old, older than backups.schedule allows`,
      details: { newest, hours },
    });
  };
  check();
  const timer = setInterval(check, 600_000);
  timer.unref();
  return () => clearInterval(timer);
}
