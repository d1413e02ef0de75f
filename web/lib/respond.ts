import type { Context as HonoContext } from 'hono';
import type { UiEnv } from '../env.js';
import { friendlyError } from './errors.js';

/**
 * After a failed form: back to where the form was, with the error as a
 * one-line message on that page (post/redirect/get, so a reload does not resubmit).
 */
export function redirectWithError(
  c: HonoContext<UiEnv>,
  error: unknown,
  location: string,
  fields?: Record<string, string>,
) {
  const friendly = friendlyError(error, c.get('redactor'));
  if (friendly.unexpected) throw error; // the UI's error handler logs it and shows a page
  c.get('session').flash = { kind: 'error', text: friendly.text, fields };
  return c.redirect(location, 303);
}

export function redirectWithNotice(c: HonoContext<UiEnv>, text: string, location: string) {
  c.get('session').flash = { kind: 'info', text };
  return c.redirect(location, 303);
}
