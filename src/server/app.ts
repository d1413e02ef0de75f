import { Hono } from 'hono';
import type { Context } from '../context.js';
import { VERSION } from '../version.js';
import { bearerAuth, type AuthVariables } from './auth.js';
import { limitBody, MAX_BODY_BYTES } from './body.js';
import { errorResponse } from './errors.js';
import { FailureLimiter } from './failureLimiter.js';
import { Identities } from './identity.js';
import { backupRoutes } from './routes/backups.js';
import { deploymentRoutes } from './routes/deployments.js';
import { userRoutes } from './routes/users.js';
import { versionRoutes } from './routes/versions.js';
import type { ApiToken } from './tokens.js';
import type { UiOptions } from '../../web/index.js';

export interface AppOptions {
  /** Failed authentications allowed per client address per minute, on the API and on the UI login each. */
  authFailuresPerMinute?: number;
  ui?: UiOptions;
}

/** The HTTP API. Built without binding a port, so tests call `app.request()`. */
export function createApp(ctx: Context, tokens: readonly ApiToken[], options: AppOptions = {}) {
  const identities = new Identities(tokens, ctx.store.users);
  const limiter = new FailureLimiter(options.authFailuresPerMinute ?? 5, 60_000);
  const app = new Hono<{ Variables: AuthVariables }>();
  app.onError(errorResponse(ctx.log, ctx.redactor));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.get('/api/health', (c) => c.json({ status: 'ok', version: VERSION }));

  app.use(
    '/api/*',
    limitBody((c) => c.json({ error: `request body over ${MAX_BODY_BYTES / 1024} KB` }, 413)),
  );
  app.use('/api/system/*', bearerAuth({ identities, limiter, audit: ctx.store.audit, log: ctx.log, clock: ctx.clock }));
  app.route('/api/system', backupRoutes(ctx));
  app.route('/api/system', deploymentRoutes(ctx));
  app.route('/api/system', versionRoutes(ctx));
  app.route('/api/system', userRoutes(ctx, identities));

  // The web UI (web/), with its own session auth, loaded on its first request: an API-only
  // client never pays for it. One instance per app, so sessions live as long as the daemon.
  let ui: Promise<{ fetch: (request: Request, env: unknown) => Response | Promise<Response> }> | undefined;
  app.all('*', async (c) => {
    if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return c.notFound(); // the API's JSON answer
    ui ??= import('../../web/index.js').then((web) =>
      web.uiRoutes(ctx, identities, { loginAttemptsPerMinute: options.authFailuresPerMinute, ...options.ui }),
    );
    return (await ui).fetch(c.req.raw, c.env);
  });
  return app;
}
