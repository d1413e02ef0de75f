import type { UserStore } from '../store/users.js';
import type { Role } from './roles.js';
import { matchToken, sha256, type ApiToken } from './tokens.js';

/** A person or a machine that presented a token: named in the audit as `api:<name>` or `ui:<name>`. */
export interface Identity {
  name: string;
  role: Role;
  /** `token`: from config or the environment; `user`: added with `switchyard user add`. */
  kind: 'token' | 'user';
}

/**
 * Turns a presented token into an identity: the configured tokens first, then the users in the
 * state DB (read at every request, so `switchyard user add|remove|role` takes effect at once).
 */
export class Identities {
  constructor(
    private readonly tokens: readonly ApiToken[],
    private readonly users: Pick<UserStore, 'get' | 'byTokenSha256'>,
  ) {}

  byToken(presented: string): Identity | undefined {
    const token = matchToken(this.tokens, presented);
    if (token) return { name: token.name, role: token.role, kind: 'token' };
    const user = this.users.byTokenSha256(sha256(presented).toString('hex'));
    return user && { name: user.name, role: user.role, kind: 'user' };
  }

  /** An identity as it stands now: a user's current role, or undefined once the user is removed. */
  refresh(identity: Identity): Identity | undefined {
    if (identity.kind === 'token') return identity;
    const user = this.users.get(identity.name);
    return user && { ...identity, role: user.role };
  }

  /** Names in use by configured tokens (a user may not take one: the audit would not tell them apart). */
  tokenNames(): string[] {
    return this.tokens.map((t) => t.name);
  }
}
