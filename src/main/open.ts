import { Switchyard } from '../app/index.js';
import type { Runtime } from '../app/runtime.js';
import { describeRecovery } from '../deploy/recover.js';
import { createLogger } from '../util/log.js';
import { type ConfigSource, openConfig } from './config.js';
import { createRuntime } from './runtime.js';

export interface OpenOptions extends ConfigSource {
  /** Where log lines go (the CLI: stderr with --verbose, else nowhere). */
  writeLog: (line: string) => void;
  /** Told, one line each, what an operation's crash recovery finished or undid before it began. */
  recovered?: (line: string) => void;
}

/** The runtime for one CLI command, on its config file. */
export function openRuntime(options: OpenOptions): Runtime {
  const { config } = openConfig(options);
  const log = createLogger({ redactor: options.redactor, level: 'debug', write: options.writeLog });
  const runtime = createRuntime(config, log, options.redactor, options.env);
  const { recovered } = options;
  if (recovered) {
    const recover = runtime.recoverOrphans;
    runtime.recoverOrphans = async () => {
      const report = await recover();
      for (const line of describeRecovery(report)) recovered(line);
      return report;
    };
  }
  return runtime;
}

/** The app for one CLI command (the daemon builds its own in src/main/daemon.ts). */
export function openSwitchyard(options: OpenOptions): Switchyard {
  const runtime = openRuntime(options);
  return new Switchyard(() => runtime);
}
