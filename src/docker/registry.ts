import { oneLine } from '../errors.js';
import { maskUrlSecrets } from '../util/redact.js';
import type { DockerClient } from './client.js';

/** Credentials in the shape of the engine's X-Registry-Auth header (see registryAuth in auth.ts). */
export interface RegistryCredentials {
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

/**
 * Whether `reference` (repository:tag) exists in its registry, without pulling it.
 * GET /distribution/{name}/json makes the engine resolve the manifest with its own
 * rules (insecure registries, mirrors, proxies), so a plain-HTTP registry on
 * 127.0.0.1:5000 works as it does for `docker pull`.
 */
export async function imageExists(
  docker: DockerClient,
  reference: string,
  auth?: RegistryCredentials,
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
  if (status === undefined && !/no answer within/.test(message))
    return { state: 'unknown', error: `docker engine unreachable: ${message}` };
  return { state: 'unknown', error: `registry unreachable: ${message}` };
}

/** The engine's own message ({"message": ...}) rather than docker-modem's "(HTTP code 500) server error - ..." wrapper. */
function engineMessage(e: unknown): string {
  const json = (e as { json?: unknown }).json;
  const text =
    json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string'
      ? (json as { message: string }).message
      : oneLine(e);
  return maskUrlSecrets(oneLine(text)).slice(0, 300);
}
