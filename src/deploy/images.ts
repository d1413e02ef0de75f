import fs from 'node:fs/promises';
import type { Config } from '../config/index.js';
import type { DatabaseTarget } from '../database/index.js';
import type { DockerClient } from '../docker/client.js';
import { registryAuth } from '../docker/auth.js';
import { enginePlatform, inspectImage, pullImage } from '../docker/images.js';
import { failed, oneLine } from '../errors.js';
import { estimateDump } from '../backup/estimate.js';
import { lookupImage, type RegistryLookupPorts } from '../versions/images.js';
import {
  backupSpaceProblem,
  lookupProblem,
  pinnedImageProblem,
  platformProblem,
  type PinnedImageSource,
} from './checks.js';
import type { ImagePins, Store } from '../store/index.js';
import type { SecretSink } from '../util/redact.js';
import { fillTagTemplate, type ResolvedRef } from '../versions/ref.js';
import type { PullProgress } from './ports.js';

/** Pulling: the engine, and the registry credentials of the config (each registered as a secret). */
export interface PullPorts {
  docker(): DockerClient;
  config: Pick<Config, 'registries'>;
  redactor: SecretSink;
}

/** Preflight: the engine's platform, and room for the dump (the last dumps, the live database). */
export interface PreflightPorts {
  docker(): DockerClient;
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups'>;
  database(): DatabaseTarget;
}

/** service → repo:tag for a version, from each service's tag template. */
export function targetImages(config: Config, version: Pick<ResolvedRef, 'sha' | 'tag'>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.services).map(([name, s]) => [name, `${s.image}:${fillTagTemplate(s.tag, version)}`]),
  );
}

/**
 * Pulls every target image (each distinct reference once) and resolves it to
 * its registry digest, which is what gets pinned. Nothing running is touched.
 */
export async function pullTargetImages(
  ports: PullPorts,
  targets: Record<string, string>,
  onProgress: (p: PullProgress) => void,
): Promise<ImagePins> {
  const docker = ports.docker();
  const digests = new Map<string, string>();
  for (const reference of new Set(Object.values(targets))) {
    await pullImage(docker, reference, registryAuth(ports.config, reference, ports.redactor), (p) =>
      onProgress({ image: p.image, status: p.status, current: p.current, total: p.total }),
    );
    const image = await inspectImage(docker, reference);
    if (!image?.digestRef) throw failed(`pulled ${reference} but the engine reports no registry digest for it`);
    digests.set(reference, image.digestRef);
  }
  return Object.fromEntries(Object.entries(targets).map(([service, reference]) => [service, digests.get(reference)!]));
}

/** Every pinned image is here, pulling by digest what is gone; refuses (nothing changed) a pin that cannot come back. */
export async function ensurePinsPresent(
  ports: PullPorts,
  pins: ImagePins,
  onProgress: (p: PullProgress) => void,
): Promise<void> {
  const docker = ports.docker();
  const source: PinnedImageSource = {
    isHere: async (reference) => (await inspectImage(docker, reference)) !== undefined,
    fetch: (reference) =>
      pullImage(docker, reference, registryAuth(ports.config, reference, ports.redactor), onProgress).then(
        () => null,
        (e: unknown) => oneLine(e),
      ),
  };
  for (const [service, reference] of Object.entries(pins)) {
    const problem = await pinnedImageProblem(source, service, reference);
    if (problem) throw failed(problem);
  }
}

/**
 * The same rule for a plan, changing nothing: an image that is not here is looked up in its
 * registry by digest (the engine's manifest lookup), never pulled.
 */
export function registryLookup(ports: RegistryLookupPorts): PinnedImageSource {
  const docker = ports.docker();
  return {
    isHere: async (reference) => (await inspectImage(docker, reference).catch(() => undefined)) !== undefined,
    fetch: async (reference) => lookupProblem(await lookupImage(ports, reference)),
  };
}

/**
 * Refuses before any change: an image built for another platform, or a backups folder without
 * room for the dump (the one estimate, src/backup/estimate.ts). The plan shows the same rules.
 */
export async function preflight(
  ports: PreflightPorts,
  pins: ImagePins,
): Promise<{ neededBytes: number; freeBytes: number }> {
  const docker = ports.docker();
  const platform = await enginePlatform(docker);
  for (const [service, pinned] of Object.entries(pins)) {
    const image = await inspectImage(docker, pinned);
    if (!image) throw failed(`image ${pinned} of service ${service} is not on this host`);
    const problem = platformProblem(service, pinned, image, platform);
    if (problem) throw failed(problem);
  }
  const dir = ports.config.backups.dir;
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const stats = await fs.statfs(dir);
  const freeBytes = stats.bavail * stats.bsize;
  const { neededBytes } = await estimateDump(ports.store.backups.list({ status: 'ok' }), ports.database());
  const problem = backupSpaceProblem(dir, neededBytes, freeBytes);
  if (problem) throw failed(problem);
  return { neededBytes, freeBytes };
}
