import type { Config } from '../config/index.js';
import type { DockerClient } from '../docker/client.js';
import type { Store } from '../store/index.js';
import { removeImageIfUnused } from '../docker/images.js';

/** Which images the recent deployments still use, and the engine to remove the others from. */
export interface ImageCleanupPorts {
  docker(): DockerClient;
  config: Pick<Config, 'deploy' | 'services'>;
  store: Pick<Store, 'deployments'>;
}

/**
 * Removes local images of the managed repositories that no rollback needs:
 * everything pinned by, or replaced by, the last `deploy.keepImagesFor`
 * deployments stays, as does anything a container uses.
 */
export async function removeUnneededImages(ports: ImageCleanupPorts): Promise<number> {
  const keep = new Set<string>();
  for (const d of ports.store.deployments.list(ports.config.deploy.keepImagesFor)) {
    for (const ref of [...Object.values(d.images ?? {}), ...Object.values(d.previousImages ?? {})]) keep.add(ref);
  }
  const docker = ports.docker();
  const repositories = new Set(Object.values(ports.config.services).map((s) => s.image));
  let removed = 0;
  for (const repository of repositories) {
    const images = await docker.listImages({ filters: { reference: [repository] } });
    for (const image of images) {
      const refs = [...(image.RepoDigests ?? []), image.Id];
      if (refs.some((r) => keep.has(r))) continue;
      if (await removeImageIfUnused(docker, image.Id)) removed++;
    }
  }
  return removed;
}
