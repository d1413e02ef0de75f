import { Hono } from 'hono';
import type { UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { streamLogs } from '../live/logs.js';
import { LogsView } from '../views/logs.js';
import { renderPage } from '../views/render.js';

/** Logs: every compose service of the project, one container's log at a time, followed live. */
export function logRoutes({ app, follows }: UiDeps) {
  return new Hono<UiEnv>()
    .get('/logs', async (c) => {
      const page = await app.logs.page();
      return renderPage(c, { title: 'Logs', section: 'logs', session: c.get('session') }, <LogsView page={page} />);
    })
    .get('/logs/:service', async (c) => {
      const service = c.req.param('service');
      const page = await app.logs.page({ service, tail: c.req.query('tail') });
      return renderPage(
        c,
        { title: `Logs: ${service}`, section: 'logs', session: c.get('session') },
        <LogsView page={page} />,
      );
    })
    .get('/logs/:service/events', async (c) => {
      // Opened before the stream starts: an unknown service is a 404 page, not an empty stream.
      const followed = await app.logs.follow(c.req.param('service'), c.req.query('tail'));
      return streamLogs(c, follows, followed);
    });
}
