import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { formatIssues, validate } from '../util/validate.js';
import { inputError, notFound } from '../errors.js';
import { ROLES, type Role } from '../domain/roles.js';
import { sha256 } from '../util/hash.js';
import type { AuditLog } from '../store/audit.js';
import type { User, UserStore } from '../store/users.js';
import type { Clock } from '../util/clock.js';

/** What managing users needs: the users, the audit, and the names configured tokens already use. */
export interface UserPorts {
  users: UserStore;
  audit: Pick<AuditLog, 'record'>;
  reservedNames: readonly string[];
  /** When a user was made and when each change is audited. */
  clock: Clock;
}

/**
 * The ports every face (CLI, API, UI) manages users through. `admin` (the environment's token) and the
 * configured tokens' names are taken: the audit could not tell a user from a token of the same name.
 */
export function userPortsOf(
  ctx: { store: { users: UserStore; audit: Pick<AuditLog, 'record'> }; clock: Clock },
  tokenNames: readonly string[],
): UserPorts {
  return { users: ctx.store.users, audit: ctx.store.audit, reservedNames: ['admin', ...tokenNames], clock: ctx.clock };
}

const userName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, ".", "-" and "_" only (up to 63)');
// The roles by name: a mistyped role is echoed (a role is no secret) beside the ones that exist.
const role = z.enum(ROLES, {
  error: (issue) =>
    issue.input === undefined
      ? `required (one of ${ROLES.join(', ')})`
      : `"${String(issue.input).slice(0, 40)}" is not a role; the roles are ${ROLES.join(', ')}`,
});

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = validate(schema, value);
  if (!parsed.success)
    throw inputError(`${what}: ${formatIssues(parsed.error.issues).replace(/^\(top level\): /, '')}`);
  return parsed.data;
}

export const parseRole = (value: unknown): Role => check(role, value, 'role');

/**
 * A new user with a personal token. The token is returned once, to be handed to the person;
 * only its sha256 is stored, so it can be replaced (remove, add) but never shown again.
 */
export function addUser(
  ports: UserPorts,
  input: { name: unknown; role: unknown; actor: string },
): { user: User; token: string } {
  const name = check(userName, input.name, 'user name');
  const r = parseRole(input.role);
  if (ports.reservedNames.includes(name))
    throw inputError(`"${name}" is the name of a configured token; choose another name`);
  // Bad input, not a conflict: a conflict means another operation holds the lock (exit 75, 409), worth a retry.
  if (ports.users.get(name)) throw inputError(`user ${name} already exists; remove it first to give it a new token`);
  const token = `sy_${randomBytes(32).toString('base64url')}`;
  const at = ports.clock.now();
  const user = ports.users.add(
    { name, role: r, tokenSha256: sha256(token).toString('hex'), createdBy: input.actor },
    at,
  );
  ports.audit.record({ actor: input.actor, action: 'user.add', target: name, outcome: 'ok', detail: `role ${r}` }, at);
  return { user, token };
}

export function removeUser(ports: UserPorts, input: { name: string; actor: string }): void {
  if (!ports.users.remove(input.name)) throw notFound(`user ${input.name} does not exist`);
  ports.audit.record(
    { actor: input.actor, action: 'user.remove', target: input.name, outcome: 'ok' },
    ports.clock.now(),
  );
}

export function setUserRole(ports: UserPorts, input: { name: string; role: unknown; actor: string }): User {
  const r = parseRole(input.role);
  const before = ports.users.get(input.name);
  if (!before) throw notFound(`user ${input.name} does not exist`);
  ports.users.setRole(input.name, r);
  const detail = `${before.role} → ${r}`;
  ports.audit.record(
    { actor: input.actor, action: 'user.role', target: input.name, outcome: 'ok', detail },
    ports.clock.now(),
  );
  return ports.users.get(input.name)!;
}
