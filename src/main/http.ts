import { Switchyard } from '../app/index.js';
import type { Runtime } from '../app/runtime.js';
import { type AppOptions, createApp } from '../server/app.js';
import { Identities } from '../server/identity.js';
import type { ApiToken } from '../server/tokens.js';
import type { UiOptions } from '../../web/index.js';

export interface HttpOptions extends Omit<AppOptions, 'ui'> {
  /** Session limits and the like for the UI; the UI itself is always mounted. */
  ui?: UiOptions;
}

/**
 * The daemon's HTTP app: the API with the web UI mounted beside it, both on one Switchyard. Built without
 * binding a port, so tests call `app.request()`. Given Identities (the daemon's), a reload that replaces
 * their tokens applies to the API and the UI alike.
 */
export function createHttpApp(runtime: Runtime, tokens: readonly ApiToken[] | Identities, options: HttpOptions = {}) {
  const switchyard = new Switchyard(() => runtime);
  const identities = tokens instanceof Identities ? tokens : new Identities(tokens, runtime.store.users);
  const { ui: uiOptions, ...appOptions } = options;
  return createApp(switchyard, identities, {
    ...appOptions,
    ui: (shared) =>
      import('../../web/index.js').then((web) =>
        web.uiRoutes(switchyard, shared.identities, { ...shared, ...uiOptions }),
      ),
  });
}
