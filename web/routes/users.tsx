import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, type UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { formBody } from '../lib/form.js';
import { redirectWithError, redirectWithNotice } from '../lib/respond.js';
import { UsersView } from '../views/users.js';
import { renderPage } from '../views/render.js';

// The values are checked by user management itself (the CLI's and the API's rules), not here.
const addForm = z.object({ name: z.string(), role: z.string() });
const roleForm = z.object({ role: z.string() });

/** Users (admin only, by ROUTE_ROLES): the same user management as the CLI and the API, audited as `ui:<name>`. */
export function userRoutes({ app }: UiDeps) {
  return new Hono<UiEnv>()
    .get('/users', (c) => {
      const session = c.get('session');
      return renderPage(
        c,
        { title: 'Users', section: 'users', session },
        <UsersView page={{ users: app.users.list(actorOf(session)) }} session={session} />,
      );
    })
    .post('/users', async (c) => {
      const session = c.get('session');
      try {
        const body = await formBody(c, addForm);
        const actor = actorOf(session);
        const { user, token } = app.users.add(actor, body);
        // Answered here, not after a redirect: the token must not wait in the session for a next page.
        return renderPage(
          c,
          { title: 'Users', section: 'users', session, status: 201 },
          <UsersView page={{ users: app.users.list(actor), added: { ...user, token } }} session={session} />,
        );
      } catch (e) {
        return redirectWithError(c, e, '/users');
      }
    })
    .post('/users/:name/role', async (c) => {
      try {
        const { role } = await formBody(c, roleForm);
        const user = app.users.setRole(actorOf(c.get('session')), c.req.param('name'), role);
        return redirectWithNotice(c, `${user.name} is now ${user.role}.`, '/users');
      } catch (e) {
        return redirectWithError(c, e, '/users');
      }
    })
    .post('/users/:name/remove', (c) => {
      try {
        const name = c.req.param('name');
        app.users.remove(actorOf(c.get('session')), name);
        return redirectWithNotice(c, `User ${name} removed; their token no longer works.`, '/users');
      } catch (e) {
        return redirectWithError(c, e, '/users');
      }
    });
}
