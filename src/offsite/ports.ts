import type { BackupServicePorts } from '../backup/ports.js';
import type { Config } from '../config/index.js';
import type { Notifier } from '../notify/index.js';
import type { Store } from '../store/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { Redact } from '../util/redact.js';

/**
 * What the off-site operations use, and nothing more: a Context provides all of them, a test hands
 * in fakes (and a fake Bucket through the operations' `bucket` option). `config` is read at each use.
 */

/** Copying backups off-site: the queue, the catalog, the deployments (the pair that ran), the outcome's listeners. */
export interface OffsitePorts {
  config: Pick<Config, 'offsite' | 'backups'>;
  store: Pick<Store, 'offsite' | 'backups' | 'deployments' | 'audit'>;
  notifier: Pick<Notifier, 'send'>;
  log: Logger;
  /** Upload errors are kept in the queue and shown: they pass through it first. */
  redactor: Redact;
  clock: Clock;
}

/** Off-site retention: the policy, the audit log. */
export interface OffsiteRetentionPorts {
  config: Pick<Config, 'offsite'>;
  store: Pick<Store, 'audit'>;
  log: Logger;
  clock: Clock;
}

/** Bringing an off-site copy into the local catalog. */
export interface FetchPorts {
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups' | 'offsite'>;
  clock: Clock;
}

/** The drill from the off-site copy: a fetch, then the usual drill under the lock. */
export interface OffsiteDrillPorts extends BackupServicePorts {
  config: Pick<Config, 'backups' | 'offsite'>;
}
