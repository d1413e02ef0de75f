import { Switchyard } from '../app/index.js';
import type { Runtime } from '../app/runtime.js';
import { type Config, configPath, loadConfig } from '../config/index.js';
import { registerConfigSecrets } from '../config/secrets.js';
import { describeRecovery } from '../deploy/recover.js';
import { createLogger } from '../util/log.js';
import type { Redactor } from '../util/redact.js';
import { createRuntime } from './runtime.js';

export interface OpenOptions {
  /** `--config`, else $SWITCHYARD_CONFIG, else the default path. */
  config: string | undefined;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  /** Where log lines go (the CLI: stderr with --verbose, else nowhere). */
  writeLog: (line: string) => void;
  /** Told, one line each, what an operation's crash recovery finished or undid before it began. */
  recovered?: (line: string) => void;
}

/** The runtime for one CLI command: the config file loaded and its secrets registered. */
export function openRuntime(options: OpenOptions): Runtime {
  const config = loadConfig(configPath(options.config, options.env), options.redactor);
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

/**
 * The config file alone, for a command that needs no state (config, compose) and for the daemon's start and
 * reload: loaded, validated, its secrets registered with `redactor` before anything is printed.
 */
export function openConfig(options: Pick<OpenOptions, 'config' | 'env' | 'redactor'>): {
  file: string;
  config: Config;
} {
  const file = configPath(options.config, options.env);
  const config = loadConfig(file, options.redactor);
  registerConfigSecrets(options.redactor, config, options.env);
  return { file, config };
}
