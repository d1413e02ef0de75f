import { gitIn } from '../util/git.js';
import type { LocalImage } from '../docker/images.js';

/**
 * The rules a deploy is checked against, pure where they can be: the plan shows what they say
 * before anything runs, and the pipeline's preflight applies the same ones just before the backup.
 */

/** The backups folder lacks room for the pre-deploy dump; null when there is room (or it is not known). */
export function backupSpaceProblem(dir: string, neededBytes: number | null, freeBytes: number | null): string | null {
  if (neededBytes === null || freeBytes === null || neededBytes <= freeBytes) return null;
  return `backups dir ${dir} has ${mib(freeBytes)} free, the pre-deploy dump needs about ${mib(neededBytes)}`;
}

/** An image built for another platform than the engine's; null when it fits. */
export function platformProblem(
  service: string,
  reference: string,
  image: Pick<LocalImage, 'os' | 'architecture'>,
  engine: { os: string; architecture: string },
): string | null {
  if (image.os === engine.os && image.architecture === engine.architecture) return null;
  return `image ${reference} of service ${service} is ${image.os}/${image.architecture}, but this host runs ${engine.os}/${engine.architecture}`;
}

/** Uncommitted changes to tracked files of the compose repo (untracked files, like backups/, are fine); null when clean. */
export async function dirtyWorkTreeProblem(dir: string): Promise<string | null> {
  const status = await gitIn(dir).raw(['status', '--porcelain', '--untracked-files=no']);
  // Porcelain lines are "XY path": the status columns may start with a space, so never trim them.
  const changed = status.split('\n').filter((line) => line.length > 3);
  if (changed.length === 0) return null;
  const files = changed
    .slice(0, 3)
    .map((l) => l.slice(3))
    .join(', ');
  return `the compose repo in ${dir} has uncommitted changes (${files}); commit or stash them, or set deploy.allowDirtyWorkTree`;
}

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

/** The services stopped while the database is restored, so that no write lands during it. */
export function databaseWriters(config: {
  rollback: { stopServices?: string[] };
  services: Record<string, unknown>;
}): string[] {
  return config.rollback.stopServices ?? Object.keys(config.services);
}
