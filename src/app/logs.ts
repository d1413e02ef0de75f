import type { RuntimeSource } from './runtime.js';

/** Services' logs: read and follow. */
export class Logs {
  constructor(private readonly runtime: RuntimeSource) {}
}
