import type { Config } from '../config/index.js';
import type { DatabaseTarget } from '../database/index.js';
import type { StopSignal } from '../ops/shutdown.js';
import type { Notifier } from '../notify/index.js';
import type { BackupRow, Store } from '../store/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { Redact } from '../util/redact.js';
import type { Signal } from '../util/signal.js';

/**
 * What each backup operation uses, and nothing more: a Context provides all of them (it is
 * passed as it is by the faces), a test can hand in fakes. `config` is read at each use, so a
 * reloaded config applies to the next operation.
 */

/** Taking one backup: the catalog, the database, where dumps go, the time, and who hears of the outcome. */
export interface BackupPorts {
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups' | 'audit'>;
  database(): DatabaseTarget;
  notifier: Pick<Notifier, 'send'>;
  log: Logger;
  redactor: Redact;
  clock: Clock;
  /** Told of each backup recorded ok (the off-site worker listens: src/main/daemon.ts). */
  backupDone: Pick<Signal<BackupRow>, 'emit'>;
}

/** A drill also keeps its result with the backup. */
export interface DrillPorts extends BackupPorts {
  store: Pick<Store, 'backups' | 'audit' | 'drills'>;
}

/** Retention: the good backups, the ones a rollback still needs (`db`), and the files. */
export interface RetentionPorts {
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups' | 'audit' | 'db'>;
  log: Logger;
  clock: Clock;
}

/** After a crash: the running backups of the catalog and the temp files in the backups dir. */
export interface BackupRecoveryPorts {
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups'>;
  log: Logger;
}

/** Putting a backup back into the database. */
export interface RestorePorts {
  config: Pick<Config, 'backups'>;
  database(): DatabaseTarget;
  log: Logger;
}

/** Serving a backup file, found through the catalog only; the download is audited at the clock's time. */
export interface DownloadPorts {
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups' | 'audit'>;
  clock: Clock;
}

/** Whether the newest backup is older than the schedule allows, and telling once. */
export interface StalenessPorts {
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups'>;
  notifier: Pick<Notifier, 'send'>;
  log: Logger;
  clock: Clock;
}

/** Listing backups with their last drill and their off-site copy. */
export interface BackupListingPorts {
  store: Pick<Store, 'backups' | 'drills' | 'offsite'>;
}

/** The operations the faces offer (backup, drill, listing), each under the operation lock. */
export interface BackupServicePorts extends DrillPorts, RetentionPorts {
  store: Pick<Store, 'backups' | 'audit' | 'drills' | 'db' | 'lock' | 'offsite'>;
  shutdown: StopSignal;
  /** Crash recovery, run once the lock is held (src/deploy/operation.ts). */
  recoverOrphans(): Promise<unknown>;
}
