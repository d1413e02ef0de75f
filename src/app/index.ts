import { Deployments } from './deployments.js';
import { Versions } from './versions.js';
import { Backups } from './backups.js';
import { Offsite } from './offsite.js';
import { Audit } from './audit.js';
import { Overview } from './overview.js';
import { Logs } from './logs.js';
import { Setup } from './setup.js';
import { Users } from './users.js';
import { Access } from './access.js';
import type { Logger } from '../util/log.js';
import type { Redactor } from '../util/redact.js';
import type { RuntimeSource } from './runtime.js';

export type { Action, Actor, Role } from '../domain/roles.js';
export { ACTION_ROLES, may, mayAct, ROLES } from '../domain/roles.js';
export { parseInput } from './input.js';
export * from './deployments.js';
export * from './versions.js';
export * from './backups.js';
export * from './offsite.js';
export * from './audit.js';
export * from './overview.js';
export * from './logs.js';
export * from './setup.js';
export * from './users.js';
export * from './access.js';

/**
 * The application layer: the one service the faces (CLI, HTTP API, web UI) call. Queries return view
 * models; commands take the actor ({name, role}) and checked input, are authorized against the one role
 * table (src/domain/roles.ts) and run their workflow on the shared operation runner (src/ops). The
 * composition root (src/main) builds the runtime and hands each face a Switchyard.
 */
export class Switchyard {
  readonly deployments: Deployments;
  readonly versions: Versions;
  readonly backups: Backups;
  readonly offsite: Offsite;
  readonly audit: Audit;
  readonly overview: Overview;
  readonly logs: Logs;
  readonly setup: Setup;
  readonly users: Users;
  readonly access: Access;

  constructor(private readonly runtime: RuntimeSource) {
    this.deployments = new Deployments(runtime);
    this.versions = new Versions(runtime);
    this.backups = new Backups(runtime);
    this.offsite = new Offsite(runtime);
    this.audit = new Audit(runtime);
    this.overview = new Overview(runtime);
    this.logs = new Logs(runtime);
    this.setup = new Setup(runtime);
    this.users = new Users(runtime);
    this.access = new Access(runtime);
  }

  /** The process's log, for a face's own lines (a request that failed unexpectedly). */
  get log(): Logger {
    return this.runtime().log;
  }

  /** The process's secrets: every text a face prints or serves passes through it. */
  get redactor(): Redactor {
    return this.runtime().redactor;
  }

  /** Closes what this process opened for the app (the SQLite store): a CLI command's end. */
  close(): void {
    this.runtime().store.close();
  }
}
