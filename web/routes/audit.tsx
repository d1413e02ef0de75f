import { Hono } from 'hono';
import { auditFilterFrom } from '../../src/store/index.js';
import type { UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { AuditView } from '../views/audit.js';
import { renderPage } from '../views/render.js';

const LIMIT = 200;

/** The audit log, filterable by person, action and outcome (exact matches, from the log's own values). */
export function auditRoutes({ ctx }: UiDeps) {
  return new Hono<UiEnv>().get('/audit', (c) => {
    const filter = auditFilterFrom(c.req.query());
    const page = { entries: ctx.store.audit.list(LIMIT, filter), filter, limit: LIMIT, ...ctx.store.audit.facets() };
    return renderPage(c, { title: 'Audit', section: 'audit', session: c.get('session') }, <AuditView page={page} />);
  });
}
