import type { Config } from '../config/index.js';
import type { DatabaseTarget } from '../database/index.js';
import type { DeploymentEvents } from '../ops/events.js';
import type { RecoveryReport } from '../deploy/recover.js';
import type { StopSignal } from '../ops/shutdown.js';
import type { Notifier } from '../notify/index.js';
import type { DockerClient } from '../docker/client.js';
import type { BackupRow, Store } from '../store/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { Redactor } from '../util/redact.js';
import type { Signal } from '../util/signal.js';
import type { VersionCaches } from '../versions/cache.js';
/**
 * The adapters the application layer wires its workflows to, built once per process by the composition
 * root (src/main/runtime.ts). Only src/app sees it: faces get the Switchyard service, workflows their ports.
 */
export interface Runtime {
  config: Config;
  store: Store;
  log: Logger;
  /** This process's secrets: every text printed, served or persisted passes through it at the edge. */
  redactor: Redactor;
  /** The time every operation records (the system clock; fixed in tests). */
  clock: Clock;
  /** Live progress of deployments in this process. */
  events: DeploymentEvents;
  /** Each verified backup recorded ok, whatever took it (a command, the schedule, a deploy): wakes the off-site worker. */
  backupDone: Signal<BackupRow>;
  /** SIGTERM: operations of this process stop at their next step boundary. */
  shutdown: StopSignal;
  /**
   * Crash recovery of what a dead process left running, run by every operation once it holds the lock
   * (src/deploy/operation.ts). A face may wrap it to tell its user what was recovered.
   */
  recoverOrphans(): Promise<RecoveryReport>;
  /** Outcome webhooks; never blocks an operation. */
  notifier: Notifier;
  /** The version list's remembered answers (GitHub, git fetch, registries): one per Runtime, shared by its spreads. */
  versionCaches: VersionCaches;
  docker(): DockerClient;
  /** The compose project name, asked of compose once per Runtime and config (see projectNameMemo). */
  projectName(): Promise<string>;
  database(): DatabaseTarget;
}

/** Where the app finds the current runtime: the daemon swaps it on SIGHUP, so an area never keeps one. */
export type RuntimeSource = () => Runtime;
