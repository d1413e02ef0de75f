import type { OffsitePorts } from './ports.js';
import { configError, notFound, oneLine } from '../errors.js';
import type { Config, OffsiteConfig } from '../config/index.js';
import { processIsAlive } from '../util/process.js';
import { openBucket, type Bucket } from './bucket.js';
import { backoffMs, backupsToEnqueue, dueUploads, pairAtDump } from './queue.js';
import { applyOffsiteRetention } from './retention.js';
import { uploadBackup } from './upload.js';

export interface PushOutcome {
  backupId: number;
  fileName: string;
  ok: boolean;
  key: string | null;
  error: string | null;
  /** Multipart upload parts (1: a single PUT). */
  parts: number;
  seconds: number;
}

export function offsiteConfig(ports: { config: Pick<Config, 'offsite'> }): OffsiteConfig {
  const offsite = ports.config.offsite;
  if (!offsite) throw configError('offsite is not configured (add an offsite: section with s3 and encrypt)');
  return offsite;
}

/** Queues every good backup of a copied reason that is not queued yet, with the pair that ran when it was dumped. */
export function syncQueue(ports: OffsitePorts, now = ports.clock.now()): number {
  const offsite = offsiteConfig(ports);
  const queued = new Set(ports.store.offsite.all().map((r) => r.backupId));
  const deployments = ports.store.deployments.list(1000);
  let added = 0;
  for (const b of backupsToEnqueue(ports.store.backups.list({ status: 'ok' }), queued, offsite.reasons)) {
    if (ports.store.offsite.enqueue(b.id, pairAtDump(b, deployments), now)) added++;
  }
  return added;
}

/**
 * Runs the uploads that are due now (or just one backup's), one at a time, then
 * off-site retention. Each row is claimed before its upload and marked uploaded
 * only after its manifest is written; a failure records the error and the next
 * attempt's time. Never takes the operation lock: a copy never blocks a deploy.
 */
export async function pushPending(
  ports: OffsitePorts,
  options: { only?: number; bucket?: Bucket } = {},
): Promise<PushOutcome[]> {
  const offsite = offsiteConfig(ports);
  const now = () => ports.clock.now();
  syncQueue(ports, now());
  if (options.only !== undefined) {
    const row = ports.store.offsite.get(options.only);
    if (!row)
      throw notFound(`backup ${options.only} is not in the off-site queue (not a good backup of a copied reason)`);
    ports.store.offsite.dueNow(options.only, now());
  }
  const due = dueUploads(ports.store.offsite.all(), now(), processIsAlive, options.only);
  if (due.length === 0) return [];
  const bucket = options.bucket ?? openBucket(offsite);
  const outcomes: PushOutcome[] = [];
  for (const row of due) {
    if (!ports.store.offsite.claim(row.backupId, row.state, row.ownerPid, now())) continue; // another process took it
    const backup = ports.store.backups.get(row.backupId)!;
    const started = performance.now();
    const seconds = () => Math.round(performance.now() - started) / 1000;
    if (backup.status !== 'ok') {
      ports.store.offsite.markFailed(
        row.backupId,
        `backup is ${backup.status} locally; nothing to copy`,
        new Date(8.64e15),
        now(),
      );
      continue;
    }
    try {
      const manifest = await uploadBackup(bucket, offsite, ports.config.backups.dir, backup, row.pair, now);
      ports.store.offsite.markUploaded(row.backupId, manifest.object.key, now());
      ports.store.audit.record(
        { actor: 'offsite', action: 'offsite.upload', target: backup.fileName, outcome: 'ok' },
        now(),
      );
      ports.log.info('off-site copy uploaded', {
        backup: backup.id,
        key: manifest.object.key,
        bytes: manifest.object.sizeBytes,
        seconds: seconds(),
      });
      outcomes.push({
        backupId: backup.id,
        fileName: backup.fileName,
        ok: true,
        key: manifest.object.key,
        error: null,
        parts: manifest.parts,
        seconds: seconds(),
      });
    } catch (e) {
      const error = ports.redactor.redact(oneLine(e));
      const attempts = row.attempts + 1;
      const next = new Date(now().getTime() + backoffMs(attempts));
      ports.store.offsite.markFailed(row.backupId, error, next, now());
      ports.store.audit.record(
        { actor: 'offsite', action: 'offsite.upload', target: backup.fileName, outcome: 'failed', detail: error },
        now(),
      );
      ports.log.error('off-site copy failed', { backup: backup.id, attempts, next: next.toISOString(), error });
      ports.notifier.send({
        event: 'offsite',
        ok: false,
        summary: `off-site copy of ${backup.fileName} failed (attempt ${attempts}, next at ${next.toISOString()}): ${error}`,
        details: { backupId: backup.id, fileName: backup.fileName, attempts, nextAttemptAt: next.toISOString() },
      });
      outcomes.push({
        backupId: backup.id,
        fileName: backup.fileName,
        ok: false,
        key: null,
        error,
        parts: 0,
        seconds: seconds(),
      });
    }
  }
  if (outcomes.some((o) => o.ok)) {
    await applyOffsiteRetention(ports, bucket).catch((e: unknown) =>
      ports.log.error('off-site retention failed', { error: oneLine(e) }),
    );
  }
  return outcomes;
}
