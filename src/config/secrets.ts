import type { Redactor } from '../util/redact.js';
import type { Config } from './schema.js';

/**
 * Registers every secret the config points at: the database URL's password (user info or query), the
 * webhook URLs (credentials as a whole: Slack and Discord carry their token in the path), and the values of
 * the environment variables it names (database, registries, bucket, GitHub) and the admin token. The
 * composition root calls it once per loaded config, before anything could print one of them.
 */
export function registerConfigSecrets(redactor: Redactor, config: Config, env: NodeJS.ProcessEnv): void {
  if (config.database.mode === 'url') redactor.registerUrl(config.database.url);
  for (const hook of config.notify.webhooks) redactor.registerCredentialUrl(hook.url);
  const named = [
    config.database.mode === 'service' ? config.database.passwordEnv : undefined,
    ...Object.values(config.registries).map((r) => r.passwordEnv),
    config.offsite?.s3.accessKeyIdEnv,
    config.offsite?.s3.secretAccessKeyEnv,
    config.offsite?.signingKeyEnv,
    config.github?.tokenEnv,
    'SWITCHYARD_ADMIN_TOKEN',
  ];
  for (const name of named) if (name) redactor.register(env[name]);
}
