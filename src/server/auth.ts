import type { MiddlewareHandler } from 'hono';
import { authError, forbidden, limited, notFound } from '../errors.js';
import type { AuditLog } from '../store/audit.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { clientAddress } from './clientAddress.js';
import type { FailureLimiter } from './failureLimiter.js';
import type { Identities, Identity } from './identity.js';
import { mayAct, requiredRole } from './roles.js';

export type AuthVariables = { actor: string; identity: Identity };

export interface ApiAuthDeps {
  identities: Identities;
  limiter: FailureLimiter;
  audit: Pick<AuditLog, 'record'>;
  log: Logger;
  clock: Clock;
}

/**
 * `Authorization: Bearer <token>` on every /api/system route. A client that sent too many wrong
 * tokens is refused (429) before its token is even compared; a known token whose role the route
 * (ROUTE_ROLES) does not allow gets 403. The identity's name becomes the audit actor.
 */
export function bearerAuth(deps: ApiAuthDeps): MiddlewareHandler<{ Variables: AuthVariables }> {
  const { identities, limiter, log, clock } = deps;
  const audit = { record: (entry: Parameters<AuditLog['record']>[0]) => deps.audit.record(entry, clock.now()) };
  return async (c, next) => {
    const address = clientAddress(c);
    const wait = limiter.retryAfterSeconds(address);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw limited(`too many failed authentications from your address; try again in ${wait} s`);
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw authError('missing bearer token (send Authorization: Bearer <token>)');
    const identity = identities.byToken(match[1]!);
    if (!identity) {
      const nowBlocked = limiter.recordFailure(address);
      audit.record({ actor: 'api', action: 'api.auth', outcome: 'refused', detail: `invalid token from ${address}` });
      if (nowBlocked) {
        log.warn('api authentication rate-limited', { address, retryAfterSeconds: limiter.retryAfterSeconds(address) });
        const detail = `too many invalid tokens from ${address}`;
        audit.record({ actor: 'api', action: 'api.auth.rate-limited', outcome: 'refused', detail });
      }
      throw authError('invalid token');
    }
    const actor = `api:${identity.name}`;
    const need = requiredRole(c.req.method, c.req.path);
    if (need === undefined) throw notFound(`no route ${c.req.method} ${c.req.path}`);
    if (need !== 'public' && !mayAct(identity.role, need)) {
      const target = `${c.req.method} ${c.req.path}`;
      const detail = `${identity.role} may not; needs ${need}`;
      audit.record({ actor, action: 'api.forbidden', target, outcome: 'refused', detail });
      throw forbidden(`${identity.name} is ${identity.role}; ${target} needs ${need}`);
    }
    c.set('identity', identity);
    c.set('actor', actor);
    await next();
  };
}
