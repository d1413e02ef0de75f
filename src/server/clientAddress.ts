import type { Context as HonoContext } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The peer's address, for slowing and auditing wrong tokens. X-Forwarded-For is not
 * trusted (anyone can send it); behind a proxy every client shares the proxy's
 * address, so their wrong tokens are slowed together, never looser, and a right
 * token is let in whatever the others sent (FailureLimiter).
 */
export function clientAddress(c: HonoContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // app.request() in tests has no socket
  }
}
