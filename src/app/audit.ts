import { AUDIT_PAGE_MAX, auditQueryFrom, type AuditEntry, type AuditFilter } from '../store/index.js';
import type { RuntimeSource } from './runtime.js';

export type { AuditEntry, AuditFilter, AuditOutcome } from '../store/index.js';

/** A page of the Audit page: its entries, the filter it shows, and the people and actions to filter by. */
export interface AuditPage {
  entries: AuditEntry[];
  /** The id older entries come before, when there are any. */
  older: number | null;
  filter: AuditFilter;
  actors: string[];
  actions: string[];
}

/** The Audit page's length: a screenful; the API answers up to AUDIT_PAGE_MAX. */
const UI_PAGE = 50;

/**
 * The audit log, a page at a time, filtered by the query parameters each face received
 * (`?actor=&action=&outcome=&before=&limit=&logins=show|hide`); a bad value is a one-line input error.
 */
export class Audit {
  constructor(private readonly runtime: RuntimeSource) {}

  /** The API's answer: newest first, up to AUDIT_PAGE_MAX, logins and logouts shown unless hidden. */
  entries(query: Record<string, string>): AuditEntry[] {
    const { filter, limit } = auditQueryFrom(query, { limit: AUDIT_PAGE_MAX, logins: 'show' });
    return this.runtime().store.audit.list(limit, filter);
  }

  /** The Audit page: 50 entries, successful logins and logouts hidden unless asked for, and where older ones start. */
  page(query: Record<string, string>): AuditPage {
    const { filter, limit } = auditQueryFrom(query, { limit: UI_PAGE, logins: 'hide' });
    const { audit } = this.runtime().store;
    const entries = audit.list(limit + 1, filter); // one more says whether an older page exists
    return {
      entries: entries.slice(0, limit),
      older: entries.length > limit ? entries[limit - 1]!.id : null,
      filter,
      ...audit.facets(),
    };
  }
}
