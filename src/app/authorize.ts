import { ACTION_ROLES, type Action, type Actor, may } from '../domain/roles.js';
import { forbidden } from '../errors.js';

/** Refuses (forbidden) an actor whose role is below the action's in the one role table. */
export function authorize(actor: Actor, action: Action): void {
  if (!may(actor.role, action)) {
    throw forbidden(`${actor.name} is ${actor.role}; ${action} needs ${ACTION_ROLES[action]}`);
  }
}
