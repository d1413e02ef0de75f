import type { Runtime } from './runtime.js';

export type { Action, Actor, Role } from '../domain/roles.js';
export { ACTION_ROLES, may, ROLES } from '../domain/roles.js';

/** Where the app finds the current runtime: the daemon swaps it on SIGHUP, so an area never keeps one. */
export type RuntimeSource = () => Runtime;

/**
 * The application layer: the one service the faces (CLI, HTTP API, web UI) call. Queries return view
 * models; commands take the actor ({name, role}) and checked input, are authorized against the one role
 * table (src/domain/roles.ts) and run their workflow on the shared operation runner (src/ops). The
 * composition root (src/main) builds the runtime and hands each face a Switchyard.
 */
export class Switchyard {
  constructor(private readonly runtime: RuntimeSource) {}

  /**
   * The runtime, for face code not yet moved onto the app's queries and commands. Transitional: the
   * dependency rules (.dependency-cruiser.cjs) refuse a face that imports anything of the core but this file.
   */
  legacyRuntime(): Runtime {
    return this.runtime();
  }
}
