import type { RuntimeSource } from './runtime.js';

/** The audit log, a page at a time. */
export class Audit {
  constructor(private readonly runtime: RuntimeSource) {}
}
