import { projectNameMemo } from '../compose/project.js';
import type { Config } from '../config/index.js';
import { registerConfigSecrets } from '../config/secrets.js';
import { databaseTarget, type DatabaseTarget } from '../database/index.js';
import { DeploymentEvents } from '../ops/events.js';
import { recoverOrphansOf } from '../app/ports/deploy.js';
import type { Runtime } from '../app/runtime.js';
import { StopSignal } from '../ops/shutdown.js';
import { Notifier } from '../notify/index.js';
import { createDocker, type DockerClient } from '../docker/client.js';
import { openStore } from '../store/index.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { Redactor } from '../util/redact.js';
import { Signal } from '../util/signal.js';
import { VersionCaches } from '../versions/cache.js';

/**
 * The composition root's Runtime. `log` must write through `redactor`; the config's secrets are
 * registered with it here (and again on reload), so a test's two runtimes never share them.
 */
export function createRuntime(
  config: Config,
  log: Logger,
  redactor: Redactor,
  env: NodeJS.ProcessEnv = process.env,
): Runtime {
  let docker: DockerClient | undefined;
  const lasting: ProcessLasting = {
    store: openStore(config.stateDir),
    log,
    redactor,
    clock: systemClock,
    events: new DeploymentEvents(),
    backupDone: new Signal(),
    shutdown: new StopSignal(process.env.SWITCHYARD_FAULT_KILL_AT),
    versionCaches: new VersionCaches(),
    docker: () => (docker ??= createDocker()),
  };
  return runtimeFor(lasting, config, env);
}

/**
 * SIGHUP: a new Runtime on the next config, beside the previous one, which an operation already running keeps to
 * its end. What lasts as long as the process (the store, the live events, the stop signal, the caches, the Docker
 * client) is shared; the state dir and the listen address stay until a restart.
 */
export function reloadedRuntime(previous: Runtime, next: Config, env: NodeJS.ProcessEnv = process.env): Runtime {
  const { store, log, redactor, clock, events, backupDone, shutdown, versionCaches, docker } = previous;
  const config: Config = {
    ...next,
    stateDir: previous.config.stateDir,
    server: { ...next.server, listen: previous.config.server.listen },
  };
  return runtimeFor({ store, log, redactor, clock, events, backupDone, shutdown, versionCaches, docker }, config, env);
}

type ProcessLasting = Omit<Runtime, 'config' | 'notifier' | 'projectName' | 'database' | 'recoverOrphans'>;

/** The members that follow the config: webhooks, the compose project's name, the database target. */
function runtimeFor(lasting: ProcessLasting, config: Config, env: NodeJS.ProcessEnv): Runtime {
  registerConfigSecrets(lasting.redactor, config, env);
  let database: DatabaseTarget | undefined;
  const projectNames = projectNameMemo();
  const runtime: Runtime = {
    ...lasting,
    config,
    notifier: new Notifier(config.notify, lasting.log, lasting.redactor, { clock: lasting.clock }),
    recoverOrphans: () => recoverOrphansOf(runtime),
    projectName: () => projectNames(config),
    database: () => (database ??= databaseTarget(config, runtime.docker, runtime.projectName)),
  };
  return runtime;
}

/**
 * A Runtime that reads the current one at every use, for what lives as long as the daemon (the off-site worker, the
 * backup age watch): after a reload they see the new config and webhooks at their next look.
 */
export function liveRuntime(source: () => Runtime): Runtime {
  const view = {} as Runtime;
  for (const key of Object.keys(source()) as (keyof Runtime)[]) {
    Object.defineProperty(view, key, { get: () => source()[key], enumerable: true });
  }
  return view;
}
