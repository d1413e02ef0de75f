import { allowedBackupAgeMs } from '../backup/staleness.js';
import type { OffsitePorts } from './ports.js';
import { oneLine } from '../errors.js';
import type { Bucket } from './bucket.js';
import { pushPending } from './push.js';
import { newestOffsiteCopy, offsiteStaleHours } from './queue.js';

const PASS_INTERVAL_MS = 30_000;

export interface OffsiteWorker {
  /** Runs a pass now (after a backup), or right after the one running: that pass may have listed the queue before it. */
  kick(): void;
  /** Stops future passes and waits for the one in progress. */
  stop(): Promise<void>;
}

/**
 * The daemon's background copier: every 30 s (and when kicked) it queues new
 * verified backups and uploads what is due, retries included; a pass never
 * overlaps the previous one and never takes the operation lock. It also warns,
 * once per episode, when the newest off-site copy is older than the schedule allows.
 */
export function startOffsiteWorker(ports: OffsitePorts, options: { bucket?: Bucket } = {}): OffsiteWorker {
  let running: Promise<void> | undefined;
  let stopped = false;
  let staleNotifiedFor: string | undefined;

  const pass = async () => {
    if (!ports.config.offsite) return;
    try {
      await pushPending(ports, { bucket: options.bucket });
    } catch (e) {
      ports.log.error('off-site pass failed', { error: oneLine(e) });
    }
    checkStale();
  };
  const checkStale = () => {
    const backups = ports.store.backups.list({ status: 'ok' });
    const rows = ports.store.offsite.all();
    const newest = newestOffsiteCopy(rows, backups);
    const queued = new Set(rows.map((r) => r.backupId));
    const oldestQueued = backups.filter((b) => queued.has(b.id)).at(-1)?.createdAt;
    const now = ports.clock.now();
    const hours = offsiteStaleHours(
      newest?.createdAt,
      oldestQueued,
      allowedBackupAgeMs(ports.config.backups.schedule, now),
      now,
    );
    const episode = newest?.fileName ?? 'none';
    if (hours === null || staleNotifiedFor === episode) return;
    staleNotifiedFor = episode;
    const summary = `newest off-site copy (${episode}) is ${hours.toFixed(1)} h old, older than backups.schedule allows`;
    ports.log.warn(summary);
    ports.notifier.send({ event: 'offsite-stale', ok: false, summary, details: { newest: episode, hours } });
  };
  let again = false;
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        kick();
      }
    });
  };
  const timer = setInterval(kick, PASS_INTERVAL_MS);
  timer.unref();
  kick();
  return {
    kick,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
