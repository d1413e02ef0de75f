import { Hono } from 'hono';
import type { Runtime } from '../../app/runtime.js';
import { parseTail, recentLogs } from '../../logs/containerLogs.js';
import { contextLogsPorts } from '../../app/ports/logs.js';
import type { AuthVariables } from '../auth.js';

/** A compose service's container log (viewer and up, by ROUTE_ROLES), configured secrets masked. */
export function logRoutes(ctx: Runtime) {
  return new Hono<{ Variables: AuthVariables }>().get('/services/:service/logs', async (c) => {
    const tail = parseTail(c.req.query('tail'));
    const service = c.req.param('service');
    const { container, lines } = await recentLogs(contextLogsPorts(ctx), { service, tail });
    return c.json({ service, container, lines });
  });
}
