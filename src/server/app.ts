import { Hono } from 'hono';
import type { Switchyard } from '../app/index.js';
import { VERSION } from '../version.js';
import { bearerAuth, type AuthVariables } from './auth.js';
import { limitBody, MAX_BODY_BYTES } from './body.js';
import { errorResponse } from './errors.js';
import { authFailures } from './authFailures.js';
import { FailureLimiter, DEFAULT_FAILURE_RULE, type FailureRule } from './failureLimiter.js';
import type { Identities } from './identity.js';
import { backupRoutes } from './routes/backups.js';
import { deploymentRoutes } from './routes/deployments.js';
import { logRoutes } from './routes/logs.js';
import { userRoutes } from './routes/users.js';
import { versionRoutes } from './routes/versions.js';
import { LogFollows } from '../logs/follows.js';

export interface AppOptions {
  /** How wrong tokens from one client address are slowed, on the API and on the UI login each. */
  authFailures?: Partial<FailureRule>;
  /** The web UI, mounted at `/` beside the API; without it every other path is a 404. */
  ui?: UiMount;
  /** The log streams the UI follows; the daemon ends them when it closes. */
  follows?: LogFollows;
}

/** What the API shares with the UI it mounts: one set of identities, one login rule, one set of followed logs. */
export interface UiShared {
  identities: Identities;
  loginFailures: FailureRule;
  follows: LogFollows;
}

/**
 * The UI's routes, handed in by the composition root (src/main/http.ts) so the API never imports web/. Called
 * on the first request that is not the API's: an API-only client never loads the UI.
 */
export type UiMount = (
  shared: UiShared,
) => Promise<{ fetch: (request: Request, env: unknown) => Response | Promise<Response> }>;

/**
 * The HTTP API. Built without binding a port, so tests call `app.request()`. Given Identities (the
 * daemon's), a reload that replaces their tokens applies to the API and the UI alike.
 */
export function createApp(switchyard: Switchyard, identities: Identities, options: AppOptions = {}) {
  const ctx = switchyard.legacyRuntime();
  const failureRule = { ...DEFAULT_FAILURE_RULE, ...options.authFailures };
  const limiter = new FailureLimiter(failureRule);
  const failed = authFailures('api', { limiter, audit: ctx.store.audit, log: ctx.log, clock: ctx.clock });
  const follows = options.follows ?? new LogFollows();
  const app = new Hono<{ Variables: AuthVariables }>();
  app.onError(errorResponse(ctx.log, ctx.redactor));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.get('/api/health', (c) => c.json({ status: 'ok', version: VERSION }));

  app.use(
    '/api/*',
    limitBody((c) => c.json({ error: `request body over ${MAX_BODY_BYTES / 1024} KB` }, 413)),
  );
  app.use('/api/system/*', bearerAuth({ identities, failed, audit: ctx.store.audit, clock: ctx.clock }));
  app.route('/api/system', backupRoutes(ctx));
  app.route('/api/system', deploymentRoutes(switchyard));
  app.route('/api/system', versionRoutes(switchyard));
  app.route('/api/system', userRoutes(ctx, identities));
  app.route('/api/system', logRoutes(ctx));

  // The web UI, with its own session auth: one instance per app, so sessions live as long as the daemon.
  const mount = options.ui;
  let ui: ReturnType<UiMount> | undefined;
  app.all('*', async (c) => {
    if (!mount || c.req.path === '/api' || c.req.path.startsWith('/api/')) return c.notFound(); // the API's JSON answer
    ui ??= mount({ identities, loginFailures: failureRule, follows });
    return (await ui).fetch(c.req.raw, c.env);
  });
  return app;
}
