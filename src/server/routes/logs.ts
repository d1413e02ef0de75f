import { Hono } from 'hono';
import type { Switchyard } from '../../app/index.js';
import type { AuthVariables } from '../auth.js';

/** A compose service's container log (viewer and up, by ROUTE_ROLES), configured secrets masked. */
export function logRoutes(app: Switchyard) {
  return new Hono<{ Variables: AuthVariables }>().get('/services/:service/logs', async (c) => {
    const { service, container, lines } = await app.logs.recent(c.req.param('service'), c.req.query('tail'));
    return c.json({ service, container, lines });
  });
}
