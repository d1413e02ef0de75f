import type { RuntimeSource } from './runtime.js';

/** What can be deployed: releases, tags, commits and image tags, with the failed ones marked. */
export class Versions {
  constructor(private readonly runtime: RuntimeSource) {}
}
