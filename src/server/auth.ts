import type { MiddlewareHandler } from 'hono';
import { type Access, type Actor, type AuthFailures, type Identity, surfaceActor } from '../app/index.js';
import { authError, forbidden, limited, notFound } from '../errors.js';
import { clientAddress } from './clientAddress.js';
import { requiredRole } from './roles.js';

export type AuthVariables = { actor: Actor; identity: Identity };

/**
 * `Authorization: Bearer <token>` on every /api/system route. The token is checked first, so a
 * right one is let in whatever others sent from the same address; a wrong one gets 401, or, once
 * its address is over the allowance, 429 with Retry-After, each only after the limiter's delay
 * (`failed`: access.failures('api', …)). A known token whose role the route (ROUTE_ACTIONS) does
 * not allow gets 403. The identity's name becomes the audit actor.
 */
export function bearerAuth(access: Access, failed: AuthFailures): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw authError('missing bearer token (send Authorization: Bearer <token>)');
    const identity = access.identify(match[1]!);
    if (!identity) {
      const { retryAfterSeconds } = await failed(clientAddress(c));
      if (retryAfterSeconds === 0) throw authError('invalid token');
      c.header('Retry-After', String(retryAfterSeconds));
      throw limited(`invalid token; too many from your address, each answered slower (${retryAfterSeconds} s to go)`);
    }
    const need = requiredRole(c.req.method, c.req.path);
    if (need === undefined) throw notFound(`no route ${c.req.method} ${c.req.path}`);
    const target = `${c.req.method} ${c.req.path}`;
    if (need !== 'public' && !access.admits('api', identity, need, target)) {
      throw forbidden(`${identity.name} is ${identity.role}; ${target} needs ${need}`);
    }
    c.set('identity', identity);
    c.set('actor', surfaceActor('api', identity));
    await next();
  };
}
