import type { Actor } from '../app/index.js';
import type { MiddlewareHandler } from 'hono';
import { authError, forbidden, limited, notFound } from '../errors.js';
import type { AuditLog } from '../store/audit.js';
import type { Clock } from '../util/clock.js';
import type { AuthFailures } from './authFailures.js';
import { clientAddress } from './clientAddress.js';
import type { Identities, Identity } from './identity.js';
import { mayAct } from '../domain/roles.js';
import { requiredRole } from './roles.js';

export type AuthVariables = { actor: Actor; identity: Identity };

export interface ApiAuthDeps {
  identities: Identities;
  /** Audits, counts and slows a wrong token (authFailures('api', …)). */
  failed: AuthFailures;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
}

/**
 * `Authorization: Bearer <token>` on every /api/system route. The token is checked first, so a
 * right one is let in whatever others sent from the same address; a wrong one gets 401, or, once
 * its address is over the allowance, 429 with Retry-After, each only after the limiter's delay.
 * A known token whose role the route (ROUTE_ROLES) does not allow gets 403. The identity's name
 * becomes the audit actor.
 */
export function bearerAuth(deps: ApiAuthDeps): MiddlewareHandler<{ Variables: AuthVariables }> {
  const { identities, failed, clock } = deps;
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw authError('missing bearer token (send Authorization: Bearer <token>)');
    const identity = identities.byToken(match[1]!);
    if (!identity) {
      const { retryAfterSeconds } = await failed(clientAddress(c));
      if (retryAfterSeconds === 0) throw authError('invalid token');
      c.header('Retry-After', String(retryAfterSeconds));
      throw limited(`invalid token; too many from your address, each answered slower (${retryAfterSeconds} s to go)`);
    }
    const actor: Actor = { name: `api:${identity.name}`, role: identity.role };
    const need = requiredRole(c.req.method, c.req.path);
    if (need === undefined) throw notFound(`no route ${c.req.method} ${c.req.path}`);
    if (need !== 'public' && !mayAct(identity.role, need)) {
      const target = `${c.req.method} ${c.req.path}`;
      const detail = `${identity.role} may not; needs ${need}`;
      deps.audit.record(
        { actor: actor.name, action: 'api.forbidden', target, outcome: 'refused', detail },
        clock.now(),
      );
      throw forbidden(`${identity.name} is ${identity.role}; ${target} needs ${need}`);
    }
    c.set('identity', identity);
    c.set('actor', actor);
    await next();
  };
}
