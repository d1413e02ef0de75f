import { Hono } from 'hono';
import { z } from 'zod';
import { clientAddress } from '../../src/server/clientAddress.js';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../auth/cookies.js';
import { liveSession } from '../auth/guard.js';
import type { UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { formBody } from '../lib/form.js';
import { renderPage } from '../views/render.js';
import { LoginForm } from '../views/login.js';

const loginForm = z.object({ token: z.string().max(1024).default(''), next: z.string().max(500).optional() });

/** Only a path on this site: never "//evil.example" or "/\evil", which browsers treat as another host. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

export function loginRoutes({ app, sessions, sessionLimits, loginFailed }: UiDeps) {
  const idleHours = Math.round(sessionLimits.idleMs / 3_600_000);
  return new Hono<UiEnv>()
    .get('/login', (c) => {
      if (liveSession(c, sessions, app.access)) return c.redirect(safeNext(c.req.query('next')), 303);
      const notice = c.req.query('bye') !== undefined ? 'You are logged out.' : undefined;
      return renderPage(
        c,
        { title: 'Log in' },
        <LoginForm idleHours={idleHours} next={safeNext(c.req.query('next'))} notice={notice} />,
      );
    })
    .post('/login', async (c) => {
      const form = await formBody(c, loginForm);
      const next = safeNext(form.next);
      // The token first: a right one logs in whatever others tried from the same address.
      const identity = form.token.trim() === '' ? undefined : app.access.identify(form.token.trim());
      if (!identity) {
        const { retryAfterSeconds } = await loginFailed(clientAddress(c));
        const error =
          retryAfterSeconds === 0
            ? 'That token is not valid. Check it and try again.'
            : `That token is not valid. After many failed logins from your address each answer is slower, for ${retryAfterSeconds} more seconds.`;
        if (retryAfterSeconds > 0) c.header('Retry-After', String(retryAfterSeconds));
        return renderPage(
          c,
          { title: 'Log in', status: retryAfterSeconds === 0 ? 401 : 429 },
          <LoginForm idleHours={idleHours} next={next} error={error} />,
        );
      }
      const old = readSessionCookie(c);
      if (old) sessions.destroy(old); // a fresh id at every login: no session fixation
      const session = sessions.create(identity);
      setSessionCookie(c, session.id, Math.floor(sessionLimits.absoluteMs / 1000));
      app.access.loggedIn(identity, clientAddress(c));
      return c.redirect(next, 303);
    })
    .post('/logout', (c) => {
      const session = c.get('session');
      sessions.destroy(session.id);
      clearSessionCookie(c);
      app.access.loggedOut(session.identity);
      return c.redirect('/login?bye', 303);
    });
}
