import type { BackupReason } from '../store/index.js';

/** 2026-11-25T03:15:00.123Z → 20261125T031500Z: sortable, UTC, no characters a shell or URL cares about. */
export function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function backupFileName(date: Date, database: string, reason: BackupReason, attempt = 1): string {
  const safeDb = database.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${utcStamp(date)}_${safeDb}_${reason}${attempt > 1 ? `-${attempt}` : ''}.dump`;
}

/** Hidden and without the .dump suffix: a half-written file never looks like a backup. */
export function tempFileName(fileName: string): string {
  return `.${fileName}.partial`;
}

/** Plain and compressed dumps alike: `.….dump.partial` and `.….dump.zst.partial`. */
export const isTempFileName = (name: string) => name.startsWith('.') && /\.dump(\.zst)?\.partial$/.test(name);
