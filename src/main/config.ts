import { type Config, configPath, loadConfig } from '../config/index.js';
import { registerConfigSecrets } from '../config/secrets.js';
import type { Redactor } from '../util/redact.js';

/** Where a command's config comes from. */
export interface ConfigSource {
  /** `--config`, else $SWITCHYARD_CONFIG, else the default path. */
  config: string | undefined;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
}

/**
 * The config file alone, for a command that needs no state (config, compose), for the daemon's start and reload,
 * and under every runtime: loaded, validated, its secrets registered with `redactor` before anything is printed.
 * Apart from src/main/open.ts, so `switchyard config` loads no more than the schema.
 */
export function openConfig(options: ConfigSource): { file: string; config: Config } {
  const file = configPath(options.config, options.env);
  const config = loadConfig(file, options.redactor);
  registerConfigSecrets(options.redactor, config, options.env);
  return { file, config };
}
