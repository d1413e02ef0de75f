import { Cron } from 'croner';
import type { Context } from '../context.js';

/**
 * The newest good backup is older than the schedule allows: one full interval
 * plus an hour of grace. Returns the age in hours, or null when all is well
 * (or there is no schedule to judge by).
 */
export function staleBackupHours(ctx: Context, now = new Date()): number | null {
  const allowedMs = allowedBackupAgeMs(ctx.config.backups.schedule, now);
  if (allowedMs === null) return null;
  const newest = ctx.store.backups.list({ status: 'ok' })[0];
  const since = newest ? Date.parse(newest.createdAt) : undefined;
  if (since === undefined) return null; // no backup yet: the first scheduled run will tell
  const age = now.getTime() - since;
  return age > allowedMs ? age / 3_600_000 : null;
}

/** How old the newest backup (or off-site copy) may be: one schedule interval plus an hour; null without a schedule. */
export function allowedBackupAgeMs(expr: string | undefined, now: Date): number | null {
  if (!expr) return null;
  const [a, b] = new Cron(expr, { paused: true }).nextRuns(2, now);
  return a && b ? b.getTime() - a.getTime() + 3_600_000 : null;
}

/** Checks every 10 minutes and notifies once per stale episode. */
export function watchBackupAge(ctx: Context): () => void {
  let notifiedFor: string | undefined;
  const check = () => {
    const hours = staleBackupHours(ctx);
    const newest = ctx.store.backups.list({ status: 'ok' })[0]?.fileName ?? 'none';
    if (hours === null || notifiedFor === newest) return;
    notifiedFor = newest;
    ctx.log.warn('newest backup is older than the schedule allows', { newest, hours: Number(hours.toFixed(1)) });
    ctx.notifier.send({ event: 'backup-stale', ok: false, summary: `newest backup ${newest} is ${hours.toFixed(1)} h old, older than backups.schedule allows`, details: { newest, hours } });
  };
  check();
  const timer = setInterval(check, 600_000);
  timer.unref();
  return () => clearInterval(timer);
}
