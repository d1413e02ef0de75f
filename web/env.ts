import type { Session } from './auth/sessions.js';
import type { Redact } from '../src/util/redact.js';
import type { PageChrome } from '../src/app/index.js';

/**
 * Hono env of the UI routes: the guard puts the caller's session here, uiRoutes what every page shows around
 * it and the process's redactor for the error lines a page shows.
 */
export type UiEnv = { Variables: { session: Session; chrome: PageChrome; redactor: Redact } };
