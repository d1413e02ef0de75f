import type { Context } from '../src/context.js';
import type { ApiToken } from '../src/server/tokens.js';
import type { LoginLimiter } from './auth/loginLimiter.js';
import type { SessionLimits, SessionStore } from './auth/sessions.js';
import type { LiveOutput } from './live/output.js';

/** What the UI routes share: the daemon's context, the tokens, and the UI's own in-memory state. */
export interface UiDeps {
  ctx: Context;
  tokens: readonly ApiToken[];
  sessions: SessionStore;
  sessionLimits: SessionLimits;
  loginLimiter: LoginLimiter;
  output: LiveOutput;
}

/** The audit actor of whatever a session starts. */
export const actorOf = (session: { tokenName: string }) => `ui:${session.tokenName}`;
