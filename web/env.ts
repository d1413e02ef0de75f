import type { Session } from './auth/sessions.js';

/** Hono env of the UI routes: the guard puts the caller's session here. */
export type UiEnv = { Variables: { session: Session } };
