import { Hono } from 'hono';
import type { UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { AuditView } from '../views/audit.js';
import { renderPage } from '../views/render.js';

/**
 * The audit log, filterable by person, action and outcome (exact matches, from the log's own values), a page at a
 * time with a link to older ones; successful logins and logouts only when asked for.
 */
export function auditRoutes({ app }: UiDeps) {
  return new Hono<UiEnv>().get('/audit', (c) => {
    const page = app.audit.page(c.req.query());
    return renderPage(c, { title: 'Audit', section: 'audit', session: c.get('session') }, <AuditView page={page} />);
  });
}
