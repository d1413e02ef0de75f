import type { Context as HonoContext } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SwitchyardError, oneLine, type ErrorKind } from '../errors.js';
import type { Logger } from '../util/log.js';
import type { Redact } from '../util/redact.js';

/** The HTTP status each error kind implies, for the API and the UI alike. */
export const HTTP_STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  config: 500,
  input: 400,
  auth: 401,
  forbidden: 403,
  limited: 429,
  'not-found': 404,
  conflict: 409,
  failed: 500,
};

/** Every error leaves the API as `{ "error": "<one line>" }` with the status its kind implies. */
export function errorResponse(log: Logger, redactor: Redact) {
  return (err: Error, c: HonoContext) => {
    const known = err instanceof SwitchyardError;
    const status = known ? HTTP_STATUS[err.kind] : 500;
    if (status >= 500) log.error('request failed', { method: c.req.method, path: c.req.path, error: oneLine(err) });
    if (status === 401) c.header('WWW-Authenticate', 'Bearer');
    return c.json({ error: redactor.redact(known ? oneLine(err) : 'internal error') }, status);
  };
}
