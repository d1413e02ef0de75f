import type { RuntimeSource } from './runtime.js';

/** Who asks: tokens and sessions to actors, and failed logins audited and slowed. */
export class Access {
  constructor(private readonly runtime: RuntimeSource) {}
}
