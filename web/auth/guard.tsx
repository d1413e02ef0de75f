import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context as HonoContext, MiddlewareHandler } from 'hono';
import { limitBody } from '../../src/server/body.js';
import type { Access } from '../../src/app/index.js';
import { requiredRole } from '../../src/server/roles.js';
import type { UiEnv } from '../env.js';
import { renderPage } from '../views/render.js';
import { readSessionCookie } from './cookies.js';
import type { Session, SessionStore } from './sessions.js';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

const SECURITY_HEADERS: Record<string, string> = {
  // Only our own files run or style the page: an injected <script> would not execute.
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const isApi = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * Every UI request passes here. Pages need a live session (else: to the login
 * page) whose role ROUTE_ROLES allows for the route (else: 403); every
 * state-changing request also needs the session's CSRF token and must not come
 * from another site. /api/* is left to its Bearer-token auth.
 */
export function uiGuard(sessions: SessionStore, access: Access): MiddlewareHandler<UiEnv> {
  const limit = limitBody((c) => c.text('form too large', 413));
  return async (c, next) => {
    const path = c.req.path;
    if (isApi(path)) return next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    const changing = !SAFE_METHODS.has(c.req.method);
    if (changing && isCrossSite(c)) return refuse(c, undefined, 'This request came from another site and was refused.');
    const need = requiredRole(c.req.method, path);
    if (need === 'public') return changing ? limit(c, next) : next();

    const session = liveSession(c, sessions, access);
    if (!session) {
      if (!changing) return c.redirect(`/login?next=${encodeURIComponent(path + new URL(c.req.url).search)}`, 303);
      return renderPage(
        c,
        { title: 'Logged out', status: 401 },
        <p>
          Your session has ended, so nothing was done. <a href="/login">Log in again</a>.
        </p>,
      );
    }
    const { identity } = session;
    c.set('session', session);
    if (need === undefined) {
      const missing = (
        <p class="flash flash-error" role="alert">
          There is no page {path}.
        </p>
      );
      return renderPage(c, { title: 'Not found', session, status: 404 }, missing);
    }
    if (!access.admits('ui', identity, need, `${c.req.method} ${path}`)) {
      return refuse(c, session, `Your role (${identity.role}) may not do this; it needs ${need}. Ask an admin.`);
    }
    if (!changing) return next();
    return limit(c, async () => {
      if (await carriesCsrfToken(c, session)) return next();
      c.res = await refuse(
        c,
        session,
        'This form did not carry its security token (it may be from an old page). Reload the page and try again.',
      );
    });
  };
}

/**
 * The request's session with its identity as it stands now; a session whose token no longer names its
 * identity (a user removed, a configured token removed or changed by a reload) is ended here.
 */
export function liveSession(c: HonoContext, sessions: SessionStore, access: Access): Session | undefined {
  const session = sessions.get(readSessionCookie(c));
  if (!session) return undefined;
  const identity = access.refresh(session.identity);
  if (!identity) {
    sessions.destroy(session.id);
    return undefined;
  }
  session.identity = identity;
  return session;
}

/**
 * Browsers say where a request comes from: Sec-Fetch-Site, and Origin on every POST. A request
 * either header places on another site (or an opaque `Origin: null`) is refused outright, even
 * with a valid CSRF token. Origin is compared with the host the request was sent to.
 */
export function isCrossSite(c: HonoContext): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  try {
    // Behind a proxy the browser's host may be in X-Forwarded-Host; a form on another site cannot set it.
    const hosts = [new URL(c.req.url).host, c.req.header('x-forwarded-host')?.split(',')[0]?.trim()];
    return !hosts.includes(new URL(origin).host);
  } catch {
    return true; // "null" or garbage: not our page
  }
}

async function carriesCsrfToken(c: HonoContext, session: Session): Promise<boolean> {
  let presented = c.req.header('x-csrf-token');
  if (presented === undefined) {
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      const field = (await c.req.parseBody())._csrf;
      if (typeof field === 'string') presented = field;
    }
  }
  if (!presented) return false;
  // Equal-length digests: the comparison takes the same time whatever was sent.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(session.csrf));
}

function refuse(c: HonoContext, session: Session | undefined, why: string) {
  return renderPage(
    c,
    { title: 'Request refused', session, status: 403 },
    <p class="flash flash-error" role="alert">
      <strong>Refused: </strong>
      {why}
    </p>,
  );
}
