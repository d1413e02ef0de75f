import type { Actor } from '../domain/roles.js';
import type { User } from '../store/users.js';
import { addUser, removeUser, setUserRole, userPortsOf } from '../users/manage.js';
import { authorize } from './authorize.js';
import type { Runtime, RuntimeSource } from './runtime.js';

export type { User } from '../store/users.js';

/** A user just added, with the token to hand over: shown on this one answer, never stored. */
export interface AddedUser {
  user: User;
  token: string;
}

/**
 * Users and their tokens, for the CLI (`switchyard user`), the API (/api/system/users) and the UI (/users).
 * Admins only; src/users/manage.ts checks names and roles and audits each change as the actor.
 */
export class Users {
  constructor(private readonly runtime: RuntimeSource) {}

  list(actor: Actor): User[] {
    authorize(actor, 'manage users');
    return this.runtime().store.users.list();
  }

  /** `name` and `role` as received (argv, form, JSON); user management parses them. */
  add(actor: Actor, input: { name: unknown; role: unknown }): AddedUser {
    authorize(actor, 'manage users');
    return addUser(this.ports(), { name: input.name, role: input.role, actor: actor.name });
  }

  setRole(actor: Actor, name: string, role: unknown): User {
    authorize(actor, 'manage users');
    return setUserRole(this.ports(), { name, role, actor: actor.name });
  }

  remove(actor: Actor, name: string): void {
    authorize(actor, 'manage users');
    removeUser(this.ports(), { name, actor: actor.name });
  }

  private ports() {
    const runtime = this.runtime();
    return userPortsOf(runtime, configuredTokenNames(runtime));
  }
}

/**
 * The names the configured tokens use (the environment's is `admin`, always reserved). The runtime's config is the
 * daemon's current one (a reload replaces it with the tokens), so these are the names the identities hold.
 */
const configuredTokenNames = (runtime: Runtime): string[] => runtime.config.server.tokens.map((t) => t.name);
