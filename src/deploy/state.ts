import { gitIn } from '../util/git.js';
import type { Config } from '../config/index.js';
import { composeProjectName } from '../compose/project.js';
import type { Context } from '../context.js';
import { inspectImage, serviceContainers } from '../docker/images.js';
import { failed } from '../errors.js';
import type { ImagePins } from '../store/index.js';

export interface HostState {
  /** HEAD of the compose repo, or null when project.dir is not a git repo. */
  commit: string | null;
  /** What each managed service's container runs now, pinned (absent: not running). */
  images: ImagePins;
}

export async function isGitRepo(dir: string): Promise<boolean> {
  return gitIn(dir)
    .revparse(['--is-inside-work-tree'])
    .then((out) => out.trim() === 'true', () => false);
}

/**
 * Reads what runs now, from git and Docker rather than from switchyard's own
 * records, so that a host started by hand (`:latest`) is captured exactly:
 * each container's image by its registry digest, or by image id if it has none.
 */
export async function captureHostState(ctx: Context): Promise<HostState> {
  const dir = ctx.config.project.dir;
  const commit = (await isGitRepo(dir)) ? (await gitIn(dir).revparse(['HEAD'])).trim() : null;
  const project = await composeProjectName(ctx.config);
  const docker = ctx.docker();
  const images: ImagePins = {};
  for (const [service, spec] of Object.entries(ctx.config.services)) {
    const containers = await serviceContainers(docker, project, service);
    const container = containers.find((c) => c.running) ?? containers[0];
    if (!container) continue;
    const image = await inspectImage(docker, container.imageId, spec.image);
    images[service] = image?.digestRef ?? container.imageId;
  }
  return { commit, images };
}

/** Refuses a work tree with uncommitted changes to tracked files (untracked files, like backups/, are fine). */
export async function assertCleanWorkTree(config: Config): Promise<void> {
  const status = await gitIn(config.project.dir).raw(['status', '--porcelain', '--untracked-files=no']);
  // Porcelain lines are "XY path": the status columns may start with a space, so never trim them.
  const changed = status.split('\n').filter((line) => line.length > 3);
  if (changed.length > 0) {
    const files = changed.slice(0, 3).map((l) => l.slice(3)).join(', ');
    throw failed(`the compose repo in ${config.project.dir} has uncommitted changes (${files}); commit or stash them, or set deploy.allowDirtyWorkTree`);
  }
}

export async function checkoutCommit(dir: string, sha: string): Promise<void> {
  await gitIn(dir).raw(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha, '--']);
}

