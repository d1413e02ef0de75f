import { projectNameMemo } from './compose/project.js';
import type { Config } from './config/index.js';
import { databaseTarget, type DatabaseTarget } from './database/index.js';
import { DeploymentEvents } from './deploy/events.js';
import { StopSignal } from './deploy/shutdown.js';
import { Notifier } from './notify/index.js';
import { createDocker, type DockerClient } from './docker/client.js';
import { openStore, type Store } from './store/index.js';
import type { Logger } from './util/log.js';

/** Everything an operation needs, built once per process by the CLI or the daemon. */
export interface Context {
  config: Config;
  store: Store;
  log: Logger;
  /** Live progress of deployments in this process. */
  events: DeploymentEvents;
  /** SIGTERM: operations of this process stop at their next step boundary. */
  shutdown: StopSignal;
  /** Outcome webhooks; never blocks an operation. */
  notifier: Notifier;
  docker(): DockerClient;
  /** The compose project name, asked of compose once per Context and config (see projectNameMemo). */
  projectName(): Promise<string>;
  database(): DatabaseTarget;
  /** SIGHUP: take a new config (the state dir and listen address stay until a restart). */
  reload(next: Config): void;
}

export function createContext(config: Config, log: Logger): Context {
  const store = openStore(config.stateDir);
  let docker: DockerClient | undefined;
  let database: DatabaseTarget | undefined;
  const projectNames = projectNameMemo();
  const ctx: Context = {
    config,
    store,
    log,
    events: new DeploymentEvents(),
    shutdown: new StopSignal(process.env.SWITCHYARD_FAULT_KILL_AT),
    notifier: new Notifier(config.notify, log),
    docker: () => (docker ??= createDocker()),
    projectName: () => projectNames(ctx.config),
    database: () => (database ??= databaseTarget(ctx.config, ctx.docker, ctx.projectName)),
    reload(next) {
      ctx.config = { ...next, stateDir: ctx.config.stateDir, server: ctx.config.server };
      ctx.notifier = new Notifier(next.notify, log);
      database = undefined;
    },
  };
  return ctx;
}
