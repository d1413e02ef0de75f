import { Switchyard } from '../app/index.js';
import type { Runtime } from '../app/runtime.js';
import { type AppOptions, createApp } from '../server/app.js';
import type { ApiToken } from '../users/tokens.js';
import type { UiOptions } from '../../web/index.js';

export interface HttpOptions extends Omit<AppOptions, 'ui'> {
  /** Session limits and the like for the UI; the UI itself is always mounted. */
  ui?: UiOptions;
}

/**
 * The HTTP app on a runtime, with these tokens (resolveTokens): its own Switchyard, for tests and tools.
 * Built without binding a port, so tests call `app.request()`.
 */
export function createHttpApp(runtime: Runtime, tokens: readonly ApiToken[], options: HttpOptions = {}) {
  const switchyard = new Switchyard(() => runtime);
  switchyard.access.replaceTokens(tokens);
  return httpApp(switchyard, options);
}

/**
 * The daemon's HTTP app: the API with the web UI mounted beside it, both on one Switchyard, whose Access
 * holds the tokens: a reload that replaces them applies to the API and the UI alike.
 */
export function httpApp(switchyard: Switchyard, options: HttpOptions = {}) {
  const { ui: uiOptions, ...appOptions } = options;
  return createApp(switchyard, {
    ...appOptions,
    ui: (shared) => import('../../web/index.js').then((web) => web.uiRoutes(switchyard, { ...shared, ...uiOptions })),
  });
}
