import { randomBytes } from 'node:crypto';
import type { Identity } from '../../src/server/identity.js';
import { mayAct, type Role } from '../../src/server/roles.js';

export interface Flash {
  kind: 'error' | 'info';
  text: string;
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
  /** The oldest sessions are dropped beyond this many (memory stays bounded). */
  max: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  idleMs: 12 * 3_600_000,
  absoluteMs: 7 * 24 * 3_600_000,
  max: 1000,
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
    while (this.sessions.size >= this.limits.max) {
      const oldest = this.sessions.keys().next().value; // Map keeps insertion order
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
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

/** Whether the logged-in person's role allows what a button or form would do (the server checks again). */
export const may = (session: Session | undefined, need: Role): boolean =>
  session !== undefined && mayAct(session.identity.role, need);
