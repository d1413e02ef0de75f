import type { RuntimeSource } from './runtime.js';

/** Backups: list, one backup, download; back up now, drill. */
export class Backups {
  constructor(private readonly runtime: RuntimeSource) {}
}
