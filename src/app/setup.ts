import type { RuntimeSource } from './runtime.js';

/** Host setup and checks: init, doctor, config, compose. */
export class Setup {
  constructor(private readonly runtime: RuntimeSource) {}
}
