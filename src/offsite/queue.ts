import type { BackupReason, BackupRow, Deployment, OffsiteUpload, RunningPair } from '../store/index.js';
import type { RetentionPolicy } from '../backup/retention.js';
import type { Manifest } from './manifest.js';

/**
 * The upload queue's decisions, pure: which backups join the queue, which rows
 * are due, how long a failed one waits, which pair was running at dump time,
 * and which off-site copies retention may delete. The I/O lives in push.ts.
 */

/** Good backups of a copied reason that are not queued yet, oldest first (so the bucket fills in order). */
export function backupsToEnqueue(
  backups: readonly BackupRow[],
  queued: ReadonlySet<number>,
  reasons: readonly BackupReason[],
): BackupRow[] {
  return backups
    .filter((b) => b.status === 'ok' && !queued.has(b.id) && reasons.includes(b.reason))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
}

/**
 * Rows to upload now, oldest backup first: pending ones, failed ones whose wait
 * is over, and uploads whose owner died (a crash or a kill mid-upload).
 * `only` narrows to one backup and ignores its wait (an operator asked for it).
 */
export function dueUploads(
  rows: readonly OffsiteUpload[],
  now: Date,
  isAlive: (pid: number) => boolean,
  only?: number,
): OffsiteUpload[] {
  return rows
    .filter((r) => only === undefined || r.backupId === only)
    .filter((r) => {
      if (r.state === 'pending') return true;
      if (r.state === 'failed') return only !== undefined || Date.parse(r.nextAttemptAt) <= now.getTime();
      if (r.state === 'uploading') return r.ownerPid === null || !isAlive(r.ownerPid);
      return false;
    })
    .sort((a, b) => a.backupId - b.backupId);
}

const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3_600_000;

/** 1, 2, 4, … minutes after each failed attempt, at most 6 hours: an outage never stops retries for good. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * The pair that was running when a backup was taken, from the deployment records:
 * for a pre-deploy/pre-rollback dump, the state its operation replaced (recorded
 * before the dump); otherwise the newest deployment that had succeeded by then.
 * Null when switchyard never deployed this host.
 */
export function pairAtDump(backup: BackupRow, deployments: readonly Deployment[]): RunningPair | null {
  const byId = new Map(deployments.map((d) => [d.id, d]));
  const own = backup.deploymentId !== null ? byId.get(backup.deploymentId) : undefined;
  const succeededBefore = (at: string, beforeId = Infinity) =>
    deployments
      .filter(
        (d) => d.status === 'succeeded' && d.id < beforeId && d.finishedAt !== null && d.finishedAt <= at && d.images,
      )
      .sort((a, b) => b.id - a.id)[0];
  if (own?.previousImages) {
    const running = succeededBefore(own.createdAt, own.id);
    return {
      commit: own.previousCommit,
      version: running && running.commit === own.previousCommit ? versionName(running) : null,
      images: own.previousImages,
    };
  }
  const running = succeededBefore(backup.createdAt);
  return running ? { commit: running.commit, version: versionName(running), images: running.images! } : null;
}

function versionName(d: Deployment): string | null {
  return d.tag ?? (d.kind === 'deploy' ? d.ref : null);
}

/**
 * Which off-site copies retention may delete: beyond the newest `last` and older
 * than `days`. Only switchyard manifests are candidates, so an object without one
 * is never selected.
 */
export function selectOffsiteExpired(manifests: readonly Manifest[], keep: RetentionPolicy, now: Date): Manifest[] {
  const cutoff = now.getTime() - keep.days * 86_400_000;
  return [...manifests]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.fileName.localeCompare(a.fileName))
    .slice(keep.last)
    .filter((m) => Date.parse(m.createdAt) < cutoff);
}

/** The newest backup whose off-site copy is uploaded: its age is the off-site RPO. */
export function newestOffsiteCopy(
  rows: readonly OffsiteUpload[],
  backups: readonly BackupRow[],
): BackupRow | undefined {
  const uploaded = new Set(rows.filter((r) => r.state === 'uploaded').map((r) => r.backupId));
  return backups
    .filter((b) => uploaded.has(b.id))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0];
}

/**
 * Hours the newest off-site copy is past what the schedule allows (an interval
 * plus an hour), or null when it is fresh enough or there is nothing to judge by.
 * No copy yet counts from the oldest queued backup, so a bucket that never
 * received anything is reported too.
 */
export function offsiteStaleHours(
  newestCopyAt: string | undefined,
  oldestQueuedAt: string | undefined,
  allowedMs: number | null,
  now: Date,
): number | null {
  const since = newestCopyAt ?? oldestQueuedAt;
  if (allowedMs === null || since === undefined) return null;
  const age = now.getTime() - Date.parse(since);
  return age > allowedMs ? age / 3_600_000 : null;
}
