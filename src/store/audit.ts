import type { Db } from './db.js';

export type AuditOutcome = 'ok' | 'failed' | 'refused';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  detail: string | null;
}

/** Who did what, when, and how it ended. Append-only. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  record(e: { actor: string; action: string; target?: string | null; outcome: AuditOutcome; detail?: string | null }): void {
    this.db
      .prepare(`INSERT INTO audit (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(new Date().toISOString(), e.actor, e.action, e.target ?? null, e.outcome, e.detail ?? null);
  }

  /** Newest first. */
  list(limit = 100): AuditEntry[] {
    return this.db.prepare(`SELECT * FROM audit ORDER BY id DESC LIMIT ?`).all(limit) as AuditEntry[];
  }
}
