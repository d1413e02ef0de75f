import type { Config } from '../config/index.js';
import type { DockerClient } from '../docker/client.js';
import type { Logger } from '../util/log.js';
import type { Redactor } from '../util/redact.js';
import { registryAuth } from '../docker/auth.js';
import { imageExists, type ImageLookup } from '../docker/registry.js';
import { oneLine } from '../errors.js';
import { type ImageLookupCache, TTL } from './cache.js';
import { fillTagTemplate } from './ref.js';

/**
 * Asking the registries: the engine, each service's image, the credentials (registered as secrets), the log,
 * and the Context's caches (registry answers are kept across listings).
 */
export interface ImageCheckPorts {
  docker(): DockerClient;
  config: Pick<Config, 'services' | 'registries'>;
  log: Logger;
  redactor: Redactor;
  versionCaches: ImageLookupCache;
}

/** What asking a registry about one image takes. */
export type RegistryLookupPorts = Pick<ImageCheckPorts, 'docker' | 'log' | 'redactor'> & {
  config: Pick<Config, 'registries'>;
};

export interface ImageAvailability {
  available: boolean;
  /** Image references that are not in their registry, with the reason when it is not plain absence. */
  missing: string[];
}

/** Registry questions at once. */
const LOOKUP_CONCURRENCY = 4;
/** What docker accepts as a tag; a git tag like "release/1.0" filled into {tag} is not one. */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The image reference of every managed service for one version. */
function serviceImages(ports: ImageCheckPorts, version: { sha: string; tag: string | null }): string[] {
  return Object.values(ports.config.services).map((s) => `${s.image}:${fillTagTemplate(s.tag, version)}`);
}

/**
 * Whether every managed service's image exists for each version (keyed by sha).
 * With no managed services there is nothing to pull, so every version is available.
 * With `ask: false` only cached answers are used (the registry is not asked).
 */
export async function checkImages(
  ports: ImageCheckPorts,
  versions: ReadonlyArray<{ sha: string; tag: string | null }>,
  options: { ask: boolean; notAskedReason?: string } = { ask: true },
): Promise<Map<string, ImageAvailability>> {
  const refsBySha = new Map(versions.map((v) => [v.sha, serviceImages(ports, v)]));
  const lookups = await lookupAll(ports, [...new Set([...refsBySha.values()].flat())], options);
  const result = new Map<string, ImageAvailability>();
  for (const [sha, refs] of refsBySha) {
    const missing: string[] = [];
    for (const ref of refs) {
      const lookup = lookups.get(ref);
      if (!lookup || lookup.state === 'absent') missing.push(ref);
      else if (lookup.state === 'unknown') missing.push(`${ref} (${lookup.error})`);
    }
    result.set(sha, { available: missing.length === 0, missing });
  }
  return result;
}

async function lookupAll(
  ports: ImageCheckPorts,
  refs: string[],
  options: { ask: boolean; notAskedReason?: string },
): Promise<Map<string, ImageLookup>> {
  const result = new Map<string, ImageLookup>();
  const toAsk: string[] = [];
  const cache = ports.versionCaches;
  for (const [ref, cached] of cache.imageLookups) if (cache.now() >= cached.until) cache.imageLookups.delete(ref);
  for (const ref of refs) {
    const cached = cache.imageLookups.get(ref);
    if (cached && cache.now() < cached.until) result.set(ref, cached.lookup);
    else if (!DOCKER_TAG.test(ref.slice(ref.lastIndexOf(':') + 1)))
      result.set(ref, { state: 'unknown', error: 'not a valid image tag' });
    else if (!options.ask) result.set(ref, { state: 'unknown', error: options.notAskedReason ?? 'not checked' });
    else toAsk.push(ref);
  }
  let next = 0;
  const worker = async () => {
    while (next < toAsk.length) {
      const ref = toAsk[next++]!;
      const lookup = await lookupImage(ports, ref);
      result.set(ref, lookup);
      const ttl =
        lookup.state === 'present' ? TTL.imagePresent : lookup.state === 'absent' ? TTL.imageAbsent : TTL.imageUnknown;
      cache.imageLookups.set(ref, { until: cache.now() + ttl, lookup });
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, toAsk.length) }, worker));
  return result;
}

/**
 * One registry question, never a pull: a missing password env var or the engine's error becomes
 * `unknown` with a redacted reason. The versions list and the deploy and rollback plans ask through it.
 */
export async function lookupImage(ports: RegistryLookupPorts, ref: string): Promise<ImageLookup> {
  let docker: DockerClient;
  let auth: ReturnType<typeof registryAuth>;
  try {
    docker = ports.docker();
    // Configured credentials (a missing password env var is an error worth showing), else docker's config.json, else none.
    auth = registryAuth(ports.config, ref, ports.redactor);
  } catch (e) {
    return { state: 'unknown', error: ports.redactor.redact(oneLine(e)) };
  }
  const lookup = await imageExists(docker, ref, auth);
  if (lookup.state !== 'unknown') return lookup;
  // The engine's words are shown on the versions page and in the API: through the redactor first.
  const error = ports.redactor.redact(lookup.error);
  ports.log.debug('versions: image lookup failed', { ref, error });
  return { state: 'unknown', error };
}
