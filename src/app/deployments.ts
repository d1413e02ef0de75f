import type { RuntimeSource } from './runtime.js';

/** Deployments: history, one deployment, its events and plans; deploy, restart, roll back, recover. */
export class Deployments {
  constructor(private readonly runtime: RuntimeSource) {}
}
