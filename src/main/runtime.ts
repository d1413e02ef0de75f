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
 * registered with it here (and again on reload), so a test's two contexts never share them.
 */
export function createRuntime(
  config: Config,
  log: Logger,
  redactor: Redactor,
  env: NodeJS.ProcessEnv = process.env,
): Runtime {
  registerConfigSecrets(redactor, config, env);
  const store = openStore(config.stateDir);
  let docker: DockerClient | undefined;
  let database: DatabaseTarget | undefined;
  const projectNames = projectNameMemo();
  const clock = systemClock;
  const ctx: Runtime = {
    config,
    store,
    log,
    redactor,
    clock,
    events: new DeploymentEvents(),
    backupDone: new Signal(),
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
