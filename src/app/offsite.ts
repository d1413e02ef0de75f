import type { RuntimeSource } from './runtime.js';

/** Off-site copies: the bucket, push, verify, drill and restore from it. */
export class Offsite {
  constructor(private readonly runtime: RuntimeSource) {}
}
