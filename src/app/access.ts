import { type Actor, mayAct, type Role } from '../domain/roles.js';
import { type AuthFailures, type AuthSurface, authFailures } from '../users/authFailures.js';
import { DEFAULT_FAILURE_RULE, FailureLimiter, type FailureRule } from '../users/failureLimiter.js';
import { Identities, type Identity } from '../users/identities.js';
import type { ApiToken } from '../users/tokens.js';
import type { RuntimeSource } from './runtime.js';

export type { AuthFailures, AuthSurface } from '../users/authFailures.js';
export { DEFAULT_FAILURE_RULE, type FailureRule, type Penalty } from '../users/failureLimiter.js';
export type { Identity } from '../users/identities.js';
export type { ApiToken } from '../users/tokens.js';

/** The actor of what an identity does on a surface: audited as `api:<name>` or `ui:<name>`. */
export const surfaceActor = (surface: AuthSurface, identity: Pick<Identity, 'name' | 'role'>): Actor => ({
  name: `${surface}:${identity.name}`,
  role: identity.role,
});

/**
 * Who asks: a presented token to an identity and its actor, and what the store keeps of it (failed
 * logins audited and slowed, logins, logouts, refusals). The faces keep the transport: the Bearer
 * header, cookies and sessions, CSRF, Retry-After.
 *
 * It holds the process's one set of configured tokens: none until the composition root hands them
 * over (src/main), and each reload replaces them, for the API and the UI alike. Users are read from
 * the store at each request, so `switchyard user add|remove|role` applies at once.
 */
export class Access {
  private readonly identities: Identities;

  constructor(private readonly runtime: RuntimeSource) {
    this.identities = new Identities([], { byTokenSha256: (hex) => this.runtime().store.users.byTokenSha256(hex) });
  }

  /** The tokens of the config and the environment (resolveTokens), at start and at every reload. */
  replaceTokens(tokens: readonly ApiToken[]): void {
    this.identities.replaceTokens(tokens);
  }

  tokenNames(): string[] {
    return this.identities.tokenNames();
  }

  /** Who a presented token names: a configured token first, then a user. */
  identify(presented: string): Identity | undefined {
    return this.identities.byToken(presented);
  }

  /** An identity as it stands now (a user's new role), or undefined once its token no longer names it. */
  refresh(identity: Identity): Identity | undefined {
    return this.identities.refresh(identity);
  }

  /**
   * Whether an identity's role is enough for what a route needs (the face's route table); a refusal
   * is audited (`api.forbidden`, `ui.forbidden`) for the face to answer 403.
   */
  admits(surface: AuthSurface, identity: Identity, need: Role, target: string): boolean {
    if (mayAct(identity.role, need)) return true;
    const { store, clock } = this.runtime();
    const detail = `${identity.role} may not; needs ${need}`;
    store.audit.record(
      {
        actor: surfaceActor(surface, identity).name,
        action: `${surface}.forbidden`,
        target,
        outcome: 'refused',
        detail,
      },
      clock.now(),
    );
    return false;
  }

  /**
   * How a surface answers a wrong token: each audited with its address, counted per address and slowed
   * past the rule's allowance (src/users/authFailures.ts). One per surface and app: it holds the counts.
   */
  failures(surface: AuthSurface, rule: Partial<FailureRule> = {}): AuthFailures {
    return authFailures(surface, {
      limiter: new FailureLimiter({ ...DEFAULT_FAILURE_RULE, ...rule }),
      audit: { record: (entry, at) => this.runtime().store.audit.record(entry, at) },
      log: { warn: (msg, fields) => this.runtime().log.warn(msg, fields) },
      clock: { now: () => this.runtime().clock.now() },
    });
  }

  /** A UI login with a right token, audited with its role and address. */
  loggedIn(identity: Identity, address: string): void {
    const { store, clock } = this.runtime();
    const detail = `${identity.role}, from ${address}`;
    store.audit.record(
      { actor: surfaceActor('ui', identity).name, action: 'ui.login', outcome: 'ok', detail },
      clock.now(),
    );
  }

  loggedOut(identity: Identity): void {
    const { store, clock } = this.runtime();
    store.audit.record({ actor: surfaceActor('ui', identity).name, action: 'ui.logout', outcome: 'ok' }, clock.now());
  }
}
