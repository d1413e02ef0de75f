import { z } from 'zod';
import { formatIssues, validate } from '../util/validate.js';
import { inputError } from '../errors.js';
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
  /** Only entries older than this one (its id): the next page, newest first. */
  before?: number;
  /** Leave out successful logins and logouts: most of the log, seldom what anyone looks for. Refused ones stay. */
  hideLogins?: boolean;
}

/** Most entries a page or an API answer holds. */
export const AUDIT_PAGE_MAX = 200;

const blankIsAny = (v: unknown) => (v === '' ? undefined : v);
const filterQuery = z.object({
  actor: z.preprocess(blankIsAny, z.string().max(200).optional()),
  action: z.preprocess(blankIsAny, z.string().max(200).optional()),
  outcome: z.preprocess(blankIsAny, z.enum(['ok', 'failed', 'refused']).optional()),
  before: z.preprocess(blankIsAny, z.coerce.number().int().positive().optional()),
  logins: z.preprocess(blankIsAny, z.enum(['show', 'hide']).optional()),
  limit: z.preprocess(blankIsAny, z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).optional()),
});

/**
 * A page of the log from query parameters (`?actor=&action=&outcome=&before=&limit=&logins=show|hide`, blank meaning
 * any), for the API and the UI, each with its own defaults; bad values are a one-line input error.
 */
export function auditQueryFrom(
  query: Record<string, string>,
  defaults: { limit: number; logins: 'show' | 'hide' },
): { filter: AuditFilter; limit: number } {
  const parsed = validate(filterQuery, query);
  if (!parsed.success) throw inputError(formatIssues(parsed.error.issues));
  const { limit, logins, ...filter } = parsed.data;
  // Asking for logins by name shows them whatever the default.
  const hideLogins = (logins ?? defaults.logins) === 'hide' && !LOGINS.includes(filter.action ?? '');
  return { filter: { ...filter, hideLogins }, limit: limit ?? defaults.limit };
}

const LOGINS = ['ui.login', 'ui.logout'];

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
    if (filter.before !== undefined) {
      where.push('id < ?');
      params.push(filter.before);
    }
    if (filter.hideLogins) {
      where.push(`NOT (action IN (${LOGINS.map(() => '?').join(', ')}) AND outcome = 'ok')`);
      params.push(...LOGINS);
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
