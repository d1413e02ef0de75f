import type { Config } from '../config/index.js';
import { oneLine } from '../errors.js';
import { redact, registerSecret } from '../util/redact.js';
import type { DockerClient } from './client.js';

/** Credentials for one registry, in the shape the engine's X-Registry-Auth header expects. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/**
 * What the registry said about one image reference. `unknown` carries a one-line
 * reason (registry down, access denied, engine unreachable): callers must not
 * read it as "absent", which would be a claim the registry never made.
 */
export type ImageLookup = { state: 'present' } | { state: 'absent' } | { state: 'unknown'; error: string };

const DOCKER_HUB = 'docker.io';

/** The registry host of an image reference, by docker's own rule: the first path part if it looks like a host. */
export function registryHost(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = reference.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : DOCKER_HUB;
}

/**
 * The credentials configured for a registry host (`registries.<host>` with the
 * password in the daemon's environment), or undefined: then the engine asks
 * anonymously. The password is registered as a secret before it goes anywhere.
 */
export function registryAuth(config: Pick<Config, 'registries'>, host: string): RegistryAuth | undefined {
  const entry = config.registries[host];
  if (!entry) return undefined;
  const password = process.env[entry.passwordEnv];
  if (!password) return undefined;
  registerSecret(password);
  return { username: entry.username, password, serveraddress: host };
}

/**
 * Whether `reference` (repository:tag) exists in its registry, without pulling it.
 * GET /distribution/{name}/json makes the engine resolve the manifest with its own
 * rules (insecure registries, mirrors, proxies), so a plain-HTTP registry on
 * 127.0.0.1:5000 works as it does for `docker pull`.
 */
export async function imageExists(
  docker: DockerClient,
  reference: string,
  auth?: RegistryAuth,
  timeoutMs = 10_000,
): Promise<ImageLookup> {
  // dockerode's distribution() takes no abort signal; a registry that never answers must not hang the caller.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([docker.getImage(reference).distribution(auth ? { authconfig: auth } : {}), timedOut]);
    return { state: 'present' };
  } catch (e) {
    return classify(e);
  } finally {
    clearTimeout(timer);
  }
}

function classify(e: unknown): ImageLookup {
  const status = (e as { statusCode?: number }).statusCode;
  const message = engineMessage(e);
  // 404, or the registry's own error codes for "no such tag" / "no such repository" passed through as text.
  if (status === 404 || /manifest unknown|name unknown/i.test(message)) return { state: 'absent' };
  if (status === 401 || status === 403) return { state: 'unknown', error: `registry denied access: ${message}` };
  if (status === undefined && !/no answer within/.test(message)) return { state: 'unknown', error: `docker engine unreachable: ${message}` };
  return { state: 'unknown', error: `registry unreachable: ${message}` };
}

/** The engine's own message ({"message": ...}) rather than docker-modem's "(HTTP code 500) server error - ..." wrapper. */
function engineMessage(e: unknown): string {
  const json = (e as { json?: unknown }).json;
  const text = json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string'
    ? (json as { message: string }).message
    : oneLine(e);
  return redact(oneLine(text)).slice(0, 300);
}
