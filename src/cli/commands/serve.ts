import { oneLine } from '../../errors.js';
import { openConfig } from '../../main/config.js';
import { createRuntime } from '../../main/runtime.js';
import { startServer } from '../../main/daemon.js';
import { endBy, EXIT_AFTER_CLOSE_MS, STOP_DEADLINE_MS } from '../../server/shutdown.js';
import { notifySystemd } from '../../server/systemd.js';
import { createLogger } from '../../util/log.js';
import { parseCommand } from '../args.js';
import type { Io } from '../io.js';

/** Runs the daemon until SIGTERM or SIGINT. */
export async function serveCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const source = { config: common.config, env: io.env, redactor: io.redactor };
  const { config } = openConfig(source);
  const log = createLogger({ redactor: io.redactor, level: common.verbose ? 'debug' : config.log.level });
  const ctx = createRuntime(config, log, io.redactor, io.env);
  const server = await startServer(ctx, io.env);
  const stopNotifying = notifySystemd(log, io.env);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info('stopping', { signal });
      ctx.shutdown.requestStop(signal); // a running operation stops at its next step boundary, naming the signal
      stopNotifying();
      const deadline = setTimeout(() => {
        log.error('did not stop in time; ending now', {
          seconds: STOP_DEADLINE_MS / 1000,
          operationsInProgress: ctx.shutdown.operationsInProgress(),
        });
        endBy(signal);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      void server.close().then(() => resolve(signal));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    // One reload at a time, each reading the file as it is then; a refused one (a bad file, no token) changes nothing.
    let reloading = Promise.resolve();
    process.on('SIGHUP', () => {
      reloading = reloading
        .then(() => server.reload(openConfig(source).config))
        .catch((e) => log.error('config reload refused; keeping the running config', { error: oneLine(e) }));
    });
    process.once('SIGINT', () => stop('SIGINT'));
  });
  ctx.store.close();
  // Everything is closed: a read stuck in the kernel on a worker thread must not keep the process.
  setTimeout(() => endBy(signal), EXIT_AFTER_CLOSE_MS).unref();
}
