import type { Context } from '../context.js';
import { removeImageIfUnused } from '../docker/images.js';

/**
 * Removes local images of the managed repositories that no rollback needs:
 * everything pinned by, or replaced by, the last `deploy.keepImagesFor`
 * deployments stays, as does anything a container uses.
 */
export async function removeUnneededImages(ctx: Context): Promise<number> {
  const keep = new Set<string>();
  for (const d of ctx.store.deployments.list(ctx.config.deploy.keepImagesFor)) {
    for (const ref of [...Object.values(d.images ?? {}), ...Object.values(d.previousImages ?? {})]) keep.add(ref);
  }
  const docker = ctx.docker();
  const repositories = new Set(Object.values(ctx.config.services).map((s) => s.image));
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
