import type { Context as HonoContext } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The peer's address, for rate limiting failed logins. X-Forwarded-For is not
 * trusted (anyone can send it); behind a proxy every client shares the proxy's
 * address, which makes the limit stricter, never looser.
 */
export function clientAddress(c: HonoContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // app.request() in tests has no socket
  }
}
