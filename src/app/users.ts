import type { RuntimeSource } from './runtime.js';

/** Users and their tokens. */
export class Users {
  constructor(private readonly runtime: RuntimeSource) {}
}
