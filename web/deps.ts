import {
  type Actor,
  type AuthFailures,
  type LogFollows,
  type Role,
  type Switchyard,
  surfaceActor,
} from '../src/app/index.js';
import type { SessionLimits, SessionStore } from './auth/sessions.js';
import type { LiveOutput } from './live/output.js';

/** What the UI routes share: the daemon's app, who may log in, and the UI's own in-memory state. */
export interface UiDeps {
  app: Switchyard;
  sessions: SessionStore;
  sessionLimits: SessionLimits;
  /** Audits, counts and slows a failed login (app.access.failures('ui', …)). */
  loginFailed: AuthFailures;
  output: LiveOutput;
  /** Logs pages being followed, ended when the daemon closes. */
  follows: LogFollows;
}

/** The actor of whatever a session starts: the person (or token) who logged in, with their role. */
export const actorOf = (session: { identity: { name: string; role: Role } }): Actor =>
  surfaceActor('ui', session.identity);
