import { Hono } from 'hono';
import { DEFAULT_FAILURE_RULE, type FailureRule, type Switchyard } from '../app/index.js';
import { VERSION } from '../version.js';
import { bearerAuth, type AuthVariables } from './auth.js';
import { limitBody, MAX_BODY_BYTES } from './body.js';
import { errorResponse } from './errors.js';
import { backupRoutes } from './routes/backups.js';
import { deploymentRoutes } from './routes/deployments.js';
import { logRoutes } from './routes/logs.js';
import { userRoutes } from './routes/users.js';
import { versionRoutes } from './routes/versions.js';
import { LogFollows } from '../app/index.js';

export interface AppOptions {
  /** How wrong tokens from one client address are slowed, on the API and on the UI login each. */
  authFailures?: Partial<FailureRule>;
  /** The web UI, mounted at `/` beside the API; without it every other path is a 404. */
  ui?: UiMount;
  /** The log streams the UI follows; the daemon ends them when it closes. */
  follows?: LogFollows;
}

/**
 * What the API shares with the UI it mounts: one login rule, one set of followed logs (and one Switchyard, whose
 * Access holds the identities).
 */
export interface UiShared {
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
 * The HTTP API. Built without binding a port, so tests call `app.request()`. Tokens are the Switchyard's
 * (its Access): a reload that replaces them applies to the API and the UI alike.
 */
export function createApp(switchyard: Switchyard, options: AppOptions = {}) {
  const failureRule = { ...DEFAULT_FAILURE_RULE, ...options.authFailures };
  const failed = switchyard.access.failures('api', failureRule);
  const follows = options.follows ?? new LogFollows();
  const app = new Hono<{ Variables: AuthVariables }>();
  app.onError(errorResponse(switchyard.log, switchyard.redactor));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.get('/api/health', (c) => c.json({ status: 'ok', version: VERSION }));

  app.use(
    '/api/*',
    limitBody((c) => c.json({ error: `request body over ${MAX_BODY_BYTES / 1024} KB` }, 413)),
  );
  app.use('/api/system/*', bearerAuth(switchyard.access, failed));
  app.route('/api/system', backupRoutes(switchyard));
  app.route('/api/system', deploymentRoutes(switchyard));
  app.route('/api/system', versionRoutes(switchyard));
  app.route('/api/system', userRoutes(switchyard));
  app.route('/api/system', logRoutes(switchyard));

  // The web UI, with its own session auth: one instance per app, so sessions live as long as the daemon.
  const mount = options.ui;
  let ui: ReturnType<UiMount> | undefined;
  app.all('*', async (c) => {
    if (!mount || c.req.path === '/api' || c.req.path.startsWith('/api/')) return c.notFound(); // the API's JSON answer
    ui ??= mount({ loginFailures: failureRule, follows });
    return (await ui).fetch(c.req.raw, c.env);
  });
  return app;
}
