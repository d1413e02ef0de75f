import path from 'node:path';
import type { RetentionPorts } from './ports.js';
import { removeRegularFile } from '../util/fsutil.js';
import { oneLine } from '../errors.js';
import { protectedBackupIds, type BackupRow } from '../store/index.js';

export interface RetentionPolicy {
  last: number;
  days: number;
}

/**
 * Which of the good backups may go: everything beyond the newest `last` that is
 * also older than `days`, except the protected ones (rollback targets).
 * Pure, so the policy can be tested on its own.
 */
export function selectExpired(
  backups: readonly BackupRow[],
  keep: RetentionPolicy,
  protectedIds: ReadonlySet<number>,
  now: Date,
): BackupRow[] {
  const cutoff = now.getTime() - keep.days * 86_400_000;
  return [...backups]
    .filter((b) => b.status === 'ok')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
    .slice(keep.last)
    .filter((b) => Date.parse(b.createdAt) < cutoff && !protectedIds.has(b.id));
}

/**
 * Deletes expired backups. Only files the catalog names, only directly inside
 * backups.dir, only regular files: a stray file or a symlink is never touched.
 */
export async function applyRetention(ports: RetentionPorts, now = ports.clock.now()): Promise<BackupRow[]> {
  const dir = path.resolve(ports.config.backups.dir);
  const expired = selectExpired(
    ports.store.backups.list({ status: 'ok' }),
    ports.config.backups.keep,
    protectedBackupIds(ports.store.db),
    now,
  );
  const removed: BackupRow[] = [];
  for (const backup of expired) {
    const file = path.resolve(dir, backup.fileName);
    if (path.dirname(file) !== dir || path.basename(file) !== backup.fileName) {
      ports.log.warn('retention skipped a catalog entry outside backups.dir', {
        backup: backup.id,
        file: backup.fileName,
      });
      continue;
    }
    try {
      if ((await removeRegularFile(file)) === 'not-a-file') {
        ports.log.warn('retention skipped a path that is not a regular file', { file });
        continue;
      }
      ports.store.backups.markPruned(backup.id);
      // When it was deleted, from the clock: `now` only decides what has expired (a caller may move it).
      ports.store.audit.record(
        { actor: 'retention', action: 'backup.prune', target: backup.fileName, outcome: 'ok' },
        ports.clock.now(),
      );
      removed.push(backup);
    } catch (e) {
      ports.log.error('retention could not remove a backup', { file, error: oneLine(e) });
    }
  }
  if (removed.length) ports.log.info('retention removed backups', { count: removed.length });
  return removed;
}
