import { Hono } from 'hono';
import { may } from '../auth/sessions.js';
import type { UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { NotificationSettings } from '../views/notifications.js';
import { OverviewView } from '../views/overview.js';
import { renderPage } from '../views/render.js';

export function overviewRoutes({ app }: UiDeps) {
  return new Hono<UiEnv>().get('/', async (c) => {
    const session = c.get('session');
    return renderPage(
      c,
      { title: 'Overview', section: 'overview', session },
      <>
        <OverviewView o={await app.overview.page(c.get('chrome').status)} session={session} />
        {may(session, 'deploy') && <NotificationSettings notify={app.overview.notifySettings()} />}
      </>,
    );
  });
}
