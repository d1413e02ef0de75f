import { projectNameMemo } from './compose/project.js';
import type { Config } from './config/index.js';
import { registerConfigSecrets } from './config/secrets.js';
import { databaseTarget, type DatabaseTarget } from './database/index.js';
import { DeploymentEvents } from './ops/events.js';
import type { RecoveryReport } from './deploy/recover.js';
import { recoverOrphansOf } from './deploy/wiring.js';
import { StopSignal } from './ops/shutdown.js';
import { Notifier } from './notify/index.js';
import { createDocker, type DockerClient } from './docker/client.js';
import { openStore, type Store } from './store/index.js';
import { type Clock, systemClock } from './util/clock.js';
import type { Logger } from './util/log.js';
import type { Redactor } from './util/redact.js';
import { VersionCaches } from './versions/cache.js';

/** Everything an operation needs, built once per process by the CLI or the daemon. */
export interface Context {
  config: Config;
  store: Store;
  log: Logger;
  /** This process's secrets: every text printed, served or persisted passes through it at the edge. */
  redactor: Redactor;
  /** The time every operation records (the system clock; fixed in tests). */
  clock: Clock;
  /** Live progress of deployments in this process. */
  events: DeploymentEvents;
  /** SIGTERM: operations of this process stop at their next step boundary. */
  shutdown: StopSignal;
  /**
   * Crash recovery of what a dead process left running, run by every operation once it holds the lock
   * (src/deploy/operation.ts). A face may wrap it to tell its user what was recovered.
   */
  recoverOrphans(): Promise<RecoveryReport>;
  /** Outcome webhooks; never blocks an operation. */
  notifier: Notifier;
  /** The version list's remembered answers (GitHub, git fetch, registries): one per Context, shared by its spreads. */
  versionCaches: VersionCaches;
  docker(): DockerClient;
  /** The compose project name, asked of compose once per Context and config (see projectNameMemo). */
  projectName(): Promise<string>;
  database(): DatabaseTarget;
  /** SIGHUP: take a new config (the state dir and listen address stay until a restart). */
  reload(next: Config): void;
}

/**
 * The composition root's Context. `log` must write through `redactor`; the config's secrets are
 * registered with it here (and again on reload), so a test's two contexts never share them.
 */
export function createContext(
  config: Config,
  log: Logger,
  redactor: Redactor,
  env: NodeJS.ProcessEnv = process.env,
): Context {
  registerConfigSecrets(redactor, config, env);
  const store = openStore(config.stateDir);
  let docker: DockerClient | undefined;
  let database: DatabaseTarget | undefined;
  const projectNames = projectNameMemo();
  const clock = systemClock;
  const ctx: Context = {
    config,
    store,
    log,
    redactor,
    clock,
    events: new DeploymentEvents(),
    shutdown: new StopSignal(process.env.SWITCHYARD_FAULT_KILL_AT),
    recoverOrphans: () => recoverOrphansOf(ctx),
    notifier: new Notifier(config.notify, log, redactor, { clock }),
    versionCaches: new VersionCaches(),
    docker: () => (docker ??= createDocker()),
    projectName: () => projectNames(ctx.config),
    database: () => (database ??= databaseTarget(ctx.config, ctx.docker, ctx.projectName)),
    reload(next) {
      registerConfigSecrets(redactor, next, env);
      // server.tokens apply (the daemon's reload rebuilds its identities); the listening socket stays.
      ctx.config = {
        ...next,
        stateDir: ctx.config.stateDir,
        server: { ...next.server, listen: ctx.config.server.listen },
      };
      ctx.notifier = new Notifier(next.notify, log, redactor, { clock });
      database = undefined;
    },
  };
  return ctx;
}
