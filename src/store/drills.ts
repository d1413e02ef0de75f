import type { Db } from './db.js';

export interface DrillRecord {
  id: number;
  backupId: number;
  startedAt: string;
  restoreMs: number | null;
  verified: boolean;
  issues: string[];
  actor: string;
}

interface RawDrill {
  id: number;
  backup_id: number;
  started_at: string;
  restore_ms: number | null;
  verified: number;
  issues: string;
  actor: string;
}

const fromRaw = (r: RawDrill): DrillRecord => ({
  id: r.id,
  backupId: r.backup_id,
  startedAt: r.started_at,
  restoreMs: r.restore_ms,
  verified: r.verified === 1,
  issues: JSON.parse(r.issues) as string[],
  actor: r.actor,
});

export class DrillLog {
  constructor(private readonly db: Db) {}

  record(d: Omit<DrillRecord, 'id'>): DrillRecord {
    const info = this.db
      .prepare(`INSERT INTO drills (backup_id, started_at, restore_ms, verified, issues, actor) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(d.backupId, d.startedAt, d.restoreMs, d.verified ? 1 : 0, JSON.stringify(d.issues), d.actor);
    return { ...d, id: Number(info.lastInsertRowid) };
  }

  latestFor(backupId: number): DrillRecord | undefined {
    const raw = this.db
      .prepare(`SELECT * FROM drills WHERE backup_id = ? ORDER BY id DESC LIMIT 1`)
      .get(backupId) as RawDrill | undefined;
    return raw && fromRaw(raw);
  }
}
