import { z } from 'zod';
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

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
}

const blankIsAny = (v: unknown) => (v === '' ? undefined : v);
const filterQuery = z.object({
  actor: z.preprocess(blankIsAny, z.string().max(200).optional()),
  action: z.preprocess(blankIsAny, z.string().max(200).optional()),
  outcome: z.preprocess(blankIsAny, z.enum(['ok', 'failed', 'refused']).optional()),
});

/** A filter from query parameters (`?actor=&action=&outcome=`, blank meaning any), for the API and the UI. */
export function auditFilterFrom(query: Record<string, string>): AuditFilter {
  const parsed = filterQuery.safeParse(query);
  return parsed.success ? parsed.data : {};
}

/** Who did what, when, and how it ended. Append-only. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  /** `at`: from the operation's clock; now by default. */
  record(
    e: {
      actor: string;
      action: string;
      target?: string | null;
      outcome: AuditOutcome;
      detail?: string | null;
    },
    at = new Date(),
  ): void {
    this.db
      .prepare(`INSERT INTO audit (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(at.toISOString(), e.actor, e.action, e.target ?? null, e.outcome, e.detail ?? null);
  }

  /** Newest first; each filter given narrows to exact matches. */
  list(limit = 100, filter: AuditFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [
      ['actor', filter.actor],
      ['action', filter.action],
      ['outcome', filter.outcome],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...params, limit) as AuditEntry[];
  }

  /** The people and actions that occur, for the filters of the Audit page. */
  facets(): { actors: string[]; actions: string[] } {
    const distinct = (column: 'actor' | 'action') =>
      (this.db.prepare(`SELECT DISTINCT ${column} AS v FROM audit ORDER BY v`).all() as Array<{ v: string }>).map(
        (r) => r.v,
      );
    return { actors: distinct('actor'), actions: distinct('action') };
  }
}
