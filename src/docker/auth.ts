import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { failed } from '../errors.js';
import type { SecretSink } from '../util/redact.js';
import { registryHost, type RegistryAuth } from './images.js';

/**
 * Credentials for the registry of an image: `registries.<host>` in the config
 * (password from an env var), else docker's own config.json (`auths.<host>.auth`),
 * else none. Every password is registered with the given redactor before it is used.
 */
export function registryAuth(
  config: Pick<Config, 'registries'>,
  reference: string,
  secrets: SecretSink,
  env: NodeJS.ProcessEnv = process.env,
): RegistryAuth | undefined {
  const host = registryHost(reference);
  const configured = config.registries[host];
  if (configured) {
    const password = env[configured.passwordEnv];
    if (!password) throw failed(`registries.${host}.passwordEnv names ${configured.passwordEnv}, which is not set`);
    secrets.register(password);
    return { username: configured.username, password, serveraddress: host };
  }
  return fromDockerConfig(host, env, secrets);
}

function fromDockerConfig(host: string, env: NodeJS.ProcessEnv, secrets: SecretSink): RegistryAuth | undefined {
  const dir = env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  let auths: Record<string, { auth?: string }> | undefined;
  try {
    auths = (JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { auths?: typeof auths }).auths;
  } catch {
    return undefined;
  }
  const entry = auths?.[host] ?? auths?.[`https://${host}`];
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const password = decoded.slice(colon + 1);
  secrets.register(password);
  return { username: decoded.slice(0, colon), password, serveraddress: host };
}
