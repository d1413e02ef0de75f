import { Hono } from 'hono';
import { followLogs, parseTail, recentLogs, type LogsPorts } from '../../src/logs/containerLogs.js';
import { contextLogsPorts } from '../../src/app/ports/logs.js';
import type { UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { streamLogs } from '../live/logs.js';
import { LogsView } from '../views/logs.js';
import { renderPage } from '../views/render.js';

/** Logs: every compose service of the project, one container's log at a time, followed live. */
export function logRoutes({ ctx, follows }: UiDeps) {
  /** Compose is asked for the services once per request. */
  const ports = async (): Promise<LogsPorts & { list: string[] }> => {
    const base = contextLogsPorts(ctx);
    const list = await base.services();
    return { ...base, list, services: async () => list };
  };
  return new Hono<UiEnv>()
    .get('/logs', async (c) => {
      const { list } = await ports();
      return renderPage(
        c,
        { title: 'Logs', section: 'logs', session: c.get('session') },
        <LogsView page={{ services: list, shown: null }} />,
      );
    })
    .get('/logs/:service', async (c) => {
      const service = c.req.param('service');
      const tail = parseTail(c.req.query('tail'));
      const p = await ports();
      const { container, lines } = await recentLogs(p, { service, tail });
      return renderPage(
        c,
        { title: `Logs: ${service}`, section: 'logs', session: c.get('session') },
        <LogsView page={{ services: p.list, shown: { service, container, lines, tail } }} />,
      );
    })
    .get('/logs/:service/events', async (c) => {
      const tail = parseTail(c.req.query('tail'));
      // Opened before the stream starts: an unknown service is a 404 page, not an empty stream.
      const followed = await followLogs(contextLogsPorts(ctx), { service: c.req.param('service'), tail });
      return streamLogs(c, follows, followed);
    });
}
