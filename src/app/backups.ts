import { backupNow, drillMarkdown, drillNow, listBackups, listing, type BackupListing } from '../backup/index.js';
import type { DrillReport } from '../backup/drill.js';
import { openBackupDownload, type BackupDownload } from '../backup/download.js';
import type { Actor } from '../domain/roles.js';
import { inputError } from '../errors.js';
import type { BackupRecord } from '../store/index.js';
import { parseId } from '../util/id.js';
import { authorize } from './authorize.js';
import { backupOr404 } from './lookup.js';
import type { RuntimeSource } from './runtime.js';

export type { BackupListing } from '../backup/index.js';
export type { DrillReport } from '../backup/drill.js';
export type { BackupDownload } from '../backup/download.js';
export type { BackupReason, BackupRecord, DrillRecord, OffsiteStatus } from '../store/index.js';
export { downloadHeaders } from '../backup/download.js';
export { restoreTime } from '../backup/drill.js';

/** The last drill's report as a page shows it: the runbook's "DR Drill Results", rebuilt from the drill record. */
export interface DrillSummary {
  markdown: string;
  backupAgeHours: number;
}

/** One backup's page: the backup with its last drill and off-site copy, and that drill's report. */
export interface BackupPage {
  backup: BackupListing;
  report: DrillSummary | null;
}

/**
 * A backup id as a face received it (a path, argv) or decoded it (a JSON number): the one rule of every face.
 * `name` is what the face calls it (`BACKUP_ID` on the command line).
 */
export function parseBackupId(raw: string | number, name = 'backup id'): number {
  const id = typeof raw === 'number' ? (Number.isSafeInteger(raw) && raw > 0 ? raw : undefined) : parseId(raw);
  if (id === undefined)
    throw inputError(
      `${name} must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, got "${String(raw).slice(0, 20)}"`,
    );
  return id;
}

/** Backups: list, one backup, download; back up now, drill. */
export class Backups {
  constructor(private readonly runtime: RuntimeSource) {}

  /** Every backup, newest first, each with its last drill and its off-site copy. */
  list(): BackupListing[] {
    return listBackups(this.runtime());
  }

  /** One backup with its last drill and off-site copy; not found when the catalog has no such id. */
  get(id: string | number): BackupListing {
    const runtime = this.runtime();
    return listing(runtime, backupOr404(runtime.store, parseBackupId(id)));
  }

  /** One backup and its last drill's report, for its page. */
  detail(id: string | number): BackupPage {
    const backup = this.get(id);
    return { backup, report: drillSummary(this.runtime().config.database.name, backup) };
  }

  /** The backup's file, opened and audited: every resident's data, so the actor needs 'read backup data'. */
  async download(actor: Actor, id: string | number): Promise<BackupDownload> {
    authorize(actor, 'read backup data');
    return openBackupDownload(this.runtime(), parseBackupId(id), actor.name);
  }

  /** A manual backup, verified, under the operation lock; a blank note is no note. */
  async backUp(actor: Actor, input: { note?: string | null } = {}): Promise<BackupRecord> {
    authorize(actor, 'back up');
    return backupNow(this.runtime(), { reason: 'manual', note: input.note || null, actor: actor.name });
  }

  /** The DR drill of one backup, or of the newest good one when no id is given. */
  async drill(actor: Actor, backupId?: string | number): Promise<DrillReport> {
    authorize(actor, 'back up');
    const id = backupId === undefined ? undefined : parseBackupId(backupId);
    return drillNow(this.runtime(), id, actor.name);
  }
}

function drillSummary(database: string, b: BackupListing): DrillSummary | null {
  const drill = b.lastDrill;
  if (!drill) return null;
  const backupAgeHours = (Date.parse(drill.startedAt) - Date.parse(b.createdAt)) / 3_600_000;
  return {
    backupAgeHours,
    markdown: drillMarkdown({
      ...drill,
      backupFile: b.fileName,
      backupAgeHours,
      scratchDatabase: `${database}_dr_test`,
    }),
  };
}
