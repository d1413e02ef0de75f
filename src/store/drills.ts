import type { RowCounts } from './backups.js';
import type { Db } from './db.js';

export interface DrillRecord {
  id: number;
  backupId: number;
  startedAt: string;
  restoreMs: number | null;
  verified: boolean;
  issues: string[];
  actor: string;
  /** Rows per table in the restored copy; null when it was not restored (or the drill predates this column). */
  restoredRowCounts: RowCounts | null;
}

interface RawDrill {
  id: number;
  backup_id: number;
  started_at: string;
  restore_ms: number | null;
  verified: number;
  issues: string;
  actor: string;
  restored_row_counts: string | null;
}

const fromRaw = (r: RawDrill): DrillRecord => ({
  id: r.id,
  backupId: r.backup_id,
  startedAt: r.started_at,
  restoreMs: r.restore_ms,
  verified: r.verified === 1,
  issues: JSON.parse(r.issues) as string[],
  actor: r.actor,
  restoredRowCounts: r.restored_row_counts ? (JSON.parse(r.restored_row_counts) as RowCounts) : null,
});

export class DrillLog {
  constructor(private readonly db: Db) {}

  record(d: Omit<DrillRecord, 'id'>): DrillRecord {
    const info = this.db
      .prepare(
        `INSERT INTO drills (backup_id, started_at, restore_ms, verified, issues, actor, restored_row_counts) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.backupId,
        d.startedAt,
        d.restoreMs,
        d.verified ? 1 : 0,
        JSON.stringify(d.issues),
        d.actor,
        d.restoredRowCounts ? JSON.stringify(d.restoredRowCounts) : null,
      );
    return { ...d, id: Number(info.lastInsertRowid) };
  }

  latestFor(backupId: number): DrillRecord | undefined {
    const raw = this.db.prepare(`SELECT * FROM drills WHERE backup_id = ? ORDER BY id DESC LIMIT 1`).get(backupId) as
      | RawDrill
      | undefined;
    return raw && fromRaw(raw);
  }
}
