import type { Context as HonoContext } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Session } from '../auth/sessions.js';
import type { PageChrome } from '../lib/chrome.js';
import { Layout, type Section } from './layout.js';

/** Renders a whole page; a pending flash message of the session is shown once, here. */
export function renderPage(
  c: HonoContext,
  page: { title: string; section?: Section; session?: Session; status?: ContentfulStatusCode },
  body: Child,
) {
  const flash = page.session?.flash;
  if (page.session) page.session.flash = undefined;
  const chrome = page.session ? (c.get('chrome') as PageChrome | undefined) : undefined;
  const document = (
    <Layout title={page.title} section={page.section} session={page.session} flash={flash} chrome={chrome}>
      {body}
    </Layout>
  );
  return c.html(html`<!DOCTYPE html>${document}`, page.status ?? 200);
}

/** Renders a JSX node to its HTML text (the event stream sends rows as markup). */
export async function markup(node: unknown): Promise<string> {
  return String(await (node as { toString(): string | Promise<string> }).toString());
}
