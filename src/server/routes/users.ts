import { Hono } from 'hono';
import { z } from 'zod';
import type { Runtime } from '../../app/runtime.js';
import { addUser, removeUser, setUserRole, userPortsOf } from '../../users/manage.js';
import type { AuthVariables } from '../auth.js';
import { jsonBody } from '../body.js';
import type { Identities } from '../identity.js';

const addBody = z.object({ name: z.string(), role: z.string() }).strict();
const roleBody = z.object({ role: z.string() }).strict();

/** Who am I (any role), and managing users (admin only, by ROUTE_ROLES). */
export function userRoutes(ctx: Runtime, identities: Identities) {
  const ports = () => userPortsOf(ctx, identities.tokenNames());
  return new Hono<{ Variables: AuthVariables }>()
    .get('/whoami', (c) => {
      const { name, role, kind } = c.get('identity');
      return c.json({ name, role, kind });
    })
    .get('/users', (c) => c.json({ users: ctx.store.users.list() }))
    .post('/users', async (c) => {
      const body = await jsonBody(c, addBody);
      return c.json(addUser(ports(), { ...body, actor: c.get('actor').name }), 201);
    })
    .put('/users/:name/role', async (c) => {
      const { role } = await jsonBody(c, roleBody);
      return c.json({ user: setUserRole(ports(), { name: c.req.param('name'), role, actor: c.get('actor').name }) });
    })
    .delete('/users/:name', (c) => {
      removeUser(ports(), { name: c.req.param('name'), actor: c.get('actor').name });
      return c.body(null, 204);
    });
}
