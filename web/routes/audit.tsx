import { Hono } from 'hono';
import { auditQueryFrom } from '../../src/store/index.js';
import type { UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { AuditView } from '../views/audit.js';
import { renderPage } from '../views/render.js';

const PAGE = 50;

/**
 * The audit log, filterable by person, action and outcome (exact matches, from the log's own values), 50 entries a
 * page with a link to older ones; successful logins and logouts only when asked for.
 */
export function auditRoutes({ ctx }: UiDeps) {
  return new Hono<UiEnv>().get('/audit', (c) => {
    const { filter, limit } = auditQueryFrom(c.req.query(), { limit: PAGE, logins: 'hide' });
    const entries = ctx.store.audit.list(limit + 1, filter); // one more says whether an older page exists
    const page = {
      entries: entries.slice(0, limit),
      older: entries.length > limit ? entries[limit - 1]!.id : null,
      filter,
      ...ctx.store.audit.facets(),
    };
    return renderPage(c, { title: 'Audit', section: 'audit', session: c.get('session') }, <AuditView page={page} />);
  });
}
