import { Hono } from 'hono';
import { z } from 'zod';
import type { Switchyard } from '../../app/index.js';
import type { AuthVariables } from '../auth.js';
import { jsonBody } from '../body.js';

// The JSON's shape only: the name and the role are checked by the app (the CLI's and the UI's rules).
const addBody = z.object({ name: z.string(), role: z.string() }).strict();
const roleBody = z.object({ role: z.string() }).strict();

/** Who am I (any role), and managing users (admin only, by ROUTE_ACTIONS and again by the app). */
export function userRoutes(app: Switchyard) {
  return new Hono<{ Variables: AuthVariables }>()
    .get('/whoami', (c) => {
      const { name, role, kind } = c.get('identity');
      return c.json({ name, role, kind });
    })
    .get('/users', (c) => c.json({ users: app.users.list(c.get('actor')) }))
    .post('/users', async (c) => {
      const body = await jsonBody(c, addBody);
      return c.json(app.users.add(c.get('actor'), body), 201);
    })
    .put('/users/:name/role', async (c) => {
      const { role } = await jsonBody(c, roleBody);
      return c.json({ user: app.users.setRole(c.get('actor'), c.req.param('name'), role) });
    })
    .delete('/users/:name', (c) => {
      app.users.remove(c.get('actor'), c.req.param('name'));
      return c.body(null, 204);
    });
}
