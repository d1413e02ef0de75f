import type { RuntimeSource } from './runtime.js';

/** The app's state: the overview, status, the current version, what every page's chrome shows. */
export class Overview {
  constructor(private readonly runtime: RuntimeSource) {}
}
