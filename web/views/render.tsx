import type { Context as HonoContext } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Session } from '../auth/sessions.js';
import type { PageChrome } from '../../src/app/index.js';
import { Layout, type Section } from './layout.js';

/**
 * Renders a whole page; a pending flash message of the session is shown once, here. A logged-in page carries the
 * app's state, so a page is never read as "all is well" while the app is down.
 */
export async function renderPage(
  c: HonoContext,
  page: { title: string; section?: Section; session?: Session; status?: ContentfulStatusCode },
  body: Child,
) {
  const flash = page.session?.flash;
  if (page.session) page.session.flash = undefined;
  const chrome = page.session ? (c.get('chrome') as PageChrome | undefined) : undefined;
  const app = await chrome?.appState();
  const document = (
    <Layout title={page.title} section={page.section} session={page.session} flash={flash} chrome={chrome} app={app}>
      {body}
    </Layout>
  );
  return c.html(html`<!DOCTYPE html>${document}`, page.status ?? 200);
}

/** Renders a JSX node to its HTML text (the event stream sends rows as markup). */
export async function markup(node: unknown): Promise<string> {
  return String(await (node as { toString(): string | Promise<string> }).toString());
}
