import type { UserStore } from '../store/users.js';
import type { Role } from '../domain/roles.js';
import { sha256 } from '../util/hash.js';
import { matchToken, type ApiToken } from './tokens.js';

/** A person or a machine that presented a token: named in the audit as `api:<name>` or `ui:<name>`. */
export interface Identity {
  name: string;
  role: Role;
  /** `token`: from config or the environment; `user`: added with `switchyard user add`. */
  kind: 'token' | 'user';
  /**
   * sha256 hex of the token presented, so that a session ends when that token no longer names this
   * identity (removed, re-hashed, or a user removed and added again). Never served: whoami picks its fields.
   */
  credential: string;
}

/**
 * Turns a presented token into an identity: the configured tokens first (replaced as a whole when
 * the config is reloaded), then the users in the state DB (read at every request, so
 * `switchyard user add|remove|role` takes effect at once).
 */
export class Identities {
  constructor(
    private tokens: readonly ApiToken[],
    private readonly users: Pick<UserStore, 'byTokenSha256'>,
  ) {}

  byToken(presented: string): Identity | undefined {
    const token = matchToken(this.tokens, presented);
    const credential = sha256(presented).toString('hex');
    if (token) return { name: token.name, role: token.role, kind: 'token', credential };
    const user = this.users.byTokenSha256(credential);
    return user && { name: user.name, role: user.role, kind: 'user', credential };
  }

  /**
   * An identity as it stands now, or undefined once its token no longer names it. A user's new role
   * applies at once; a configured token given another role is another identity (its sessions end).
   */
  refresh(identity: Identity): Identity | undefined {
    if (identity.kind === 'token') {
      const same = (t: ApiToken) =>
        t.name === identity.name && t.role === identity.role && t.sha256.toString('hex') === identity.credential;
      return this.tokens.some(same) ? identity : undefined;
    }
    const user = this.users.byTokenSha256(identity.credential);
    return user?.name === identity.name ? { ...identity, role: user.role } : undefined;
  }

  /** A reload's tokens (config and environment, from resolveTokens) replace the running ones. */
  replaceTokens(tokens: readonly ApiToken[]): void {
    this.tokens = tokens;
  }

  /** Names in use by configured tokens (a user may not take one: the audit would not tell them apart). */
  tokenNames(): string[] {
    return this.tokens.map((t) => t.name);
  }
}
