import { Hono } from 'hono';
import type { FailureRule, Switchyard } from '../src/app/index.js';
import { oneLine } from '../src/errors.js';
import { serveAsset } from './assets.js';
import { uiGuard } from './auth/guard.js';
import { readZoneCookie } from './auth/cookies.js';
import { inReaderZone, validZone } from '../src/util/readerZone.js';
import { DEFAULT_SESSION_LIMITS, SessionStore, type Session, type SessionLimits } from './auth/sessions.js';
import type { UiDeps } from './deps.js';
import type { UiEnv } from './env.js';
import { friendlyError } from './lib/errors.js';
import { LogFollows } from '../src/app/index.js';
import { LiveOutput } from './live/output.js';
import { auditRoutes } from './routes/audit.js';
import { backupRoutes } from './routes/backups.js';
import { deploymentRoutes } from './routes/deployments.js';
import { loginRoutes } from './routes/login.js';
import { logRoutes } from './routes/logs.js';
import { overviewRoutes } from './routes/overview.js';
import { userRoutes } from './routes/users.js';
import { versionRoutes } from './routes/versions.js';
import { renderPage } from './views/render.js';

export interface UiOptions {
  sessionLimits?: SessionLimits;
  /** How failed logins from one client address are slowed. */
  loginFailures?: FailureRule;
  /** The daemon's followed logs (ended when it closes); the UI's own when none is given. */
  follows?: LogFollows;
}

/**
 * The web UI, mounted at `/` next to the API. Its state (sessions, failed
 * logins, recent output) lives in this closure, one per daemon.
 */
export function uiRoutes(app: Switchyard, options: UiOptions = {}) {
  const sessionLimits = options.sessionLimits ?? DEFAULT_SESSION_LIMITS;
  const deps: UiDeps = {
    app,
    sessions: new SessionStore(sessionLimits),
    sessionLimits,
    loginFailed: app.access.failures('ui', options.loginFailures),
    output: new LiveOutput(app.deployments),
    follows: options.follows ?? new LogFollows(),
  };

  const ui = new Hono<UiEnv>();
  ui.onError((err, c) => {
    const friendly = friendlyError(err, app.redactor);
    if (friendly.unexpected || friendly.status >= 500)
      app.log.error('ui request failed', { method: c.req.method, path: c.req.path, error: oneLine(err) });
    const session = c.get('session') as Session | undefined;
    const title =
      friendly.status === 404 ? 'Not found' : friendly.status < 500 ? 'Cannot do that' : 'Something went wrong';
    return renderPage(c, { title, session, status: friendly.status }, <ErrorLine text={friendly.text} />);
  });
  ui.use('*', async (c, next) => {
    c.set('redactor', app.redactor);
    await inReaderZone(validZone(readZoneCookie(c)), next);
  });
  ui.use('*', uiGuard(deps.sessions, app.access));
  ui.use('*', async (c, next) => {
    c.set('chrome', app.overview.chrome());
    await next();
  });
  ui.get('/assets/:name', serveAsset);
  ui.route('/', loginRoutes(deps));
  ui.route('/', overviewRoutes(deps));
  ui.route('/', versionRoutes(deps));
  ui.route('/', deploymentRoutes(deps));
  ui.route('/', backupRoutes(deps));
  ui.route('/', auditRoutes(deps));
  ui.route('/', logRoutes(deps));
  ui.route('/', userRoutes(deps));
  // Unknown pages get a page; unknown /api paths keep the API's JSON answer.
  ui.get('*', (c) => {
    if (c.req.path.startsWith('/api/')) return c.notFound();
    return renderPage(
      c,
      { title: 'Not found', session: c.get('session'), status: 404 },
      <ErrorLine text={`There is no page ${c.req.path}.`} />,
    );
  });
  return ui;
}

function ErrorLine({ text }: { text: string }) {
  return (
    <>
      <p class="flash flash-error" role="alert">
        <strong>Error: </strong>
        {text}
      </p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </>
  );
}
