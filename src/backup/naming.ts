import type { BackupReason } from '../store/index.js';
import { BACKUP_SUFFIXES, formatSuffix, type BackupFormat } from './format.js';

/** 2026-11-25T03:15:00.123Z → 20261125T031500Z: sortable, UTC, no characters a shell or URL cares about. */
export function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function backupFileName(
  date: Date,
  database: string,
  reason: BackupReason,
  attempt = 1,
  format: BackupFormat = 'zstd',
): string {
  const safeDb = database.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${utcStamp(date)}_${safeDb}_${reason}${attempt > 1 ? `-${attempt}` : ''}${formatSuffix(format)}`;
}

/** A rollback's leftovers file (carry-over), beside the backups: plain SQL. */
export const leftoversFileName = (date: Date, deploymentId: number) =>
  `${utcStamp(date)}_rollback-${deploymentId}.leftovers.sql`;

/** Hidden and ending in .partial: a half-written file never looks like a backup. */
export function tempFileName(fileName: string): string {
  return `.${fileName}.partial`;
}

/** `.….dump.partial` and `.….dump.zst.partial`: the temp files of either format. */
export const isTempFileName = (name: string) =>
  name.startsWith('.') && BACKUP_SUFFIXES.some((s) => name.endsWith(`${s}.partial`));
