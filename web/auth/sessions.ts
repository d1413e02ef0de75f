import { randomBytes } from 'node:crypto';
import { type Action, type Identity, may as mayDo } from '../../src/app/index.js';

export interface Flash {
  kind: 'error' | 'info';
  text: string;
  /** What a refused form held, so that its page shows the form filled in again instead of losing what was typed. */
  fields?: Record<string, string>;
}

export interface Session {
  /** The cookie value: 256 random bits, base64url. */
  id: string;
  /** Who logged in (refreshed at every request: a changed role applies at once); the audit actor is `ui:<name>`. */
  identity: Identity;
  /** Per-session CSRF token, required on every state-changing request. */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  /** A one-line message shown once, on the next page (post/redirect/get). */
  flash?: Flash;
}

export interface SessionLimits {
  /** A session unused this long is gone (default 12 h). */
  idleMs: number;
  /** A session is gone this long after login, used or not (default 7 days). */
  absoluteMs: number;
  /**
   * Sessions per identity (a token or a user): a login beyond this ends that identity's oldest session, never
   * another's. Memory stays bounded, as identities are the configured tokens and the users.
   */
  perIdentity: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  idleMs: 12 * 3_600_000,
  absoluteMs: 7 * 24 * 3_600_000,
  perIdentity: 20,
};

const randomToken = () => randomBytes(32).toString('base64url');

/**
 * Sessions live in the daemon's memory only: nothing secret is written to disk,
 * and a daemon restart logs everyone out (the token logs them back in).
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  create(identity: Identity): Session {
    this.sweep();
    const own = [...this.sessions.values()].filter((s) => sameIdentity(s.identity, identity)); // oldest first
    for (const s of own.slice(0, Math.max(0, own.length - this.limits.perIdentity + 1))) this.sessions.delete(s.id);
    const at = this.now();
    const session: Session = { id: randomToken(), identity, csrf: randomToken(), createdAt: at, lastSeenAt: at };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for a cookie value, touched (idle timer restarted); undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.expired(session)) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = this.now();
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session): boolean {
    const at = this.now();
    return at - s.lastSeenAt > this.limits.idleMs || at - s.createdAt > this.limits.absoluteMs;
  }

  private sweep(): void {
    for (const [id, s] of this.sessions) if (this.expired(s)) this.sessions.delete(id);
  }
}

const sameIdentity = (a: Identity, b: Identity) => a.kind === b.kind && a.name === b.name;

/** Whether the logged-in person's role allows what a button or form would do (the server checks again). */
export const may = (session: Session | undefined, action: Action): boolean =>
  session !== undefined && mayDo(session.identity.role, action);
