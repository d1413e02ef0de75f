import type { DockerAccess } from './ports.js';
import { headCommit } from '../util/git.js';
import type { Config } from '../config/index.js';
import { inspectImage, serviceContainers } from '../docker/images.js';
import { failed } from '../errors.js';
import type { ImagePins } from '../store/index.js';
import { dirtyWorkTreeProblem } from './checks.js';

/** What runs is read from git (project.dir) and from the containers of the managed services. */
export type HostStatePorts = DockerAccess & { config: Pick<Config, 'project' | 'services'> };

export interface HostState {
  /** HEAD of the compose repo, or null when project.dir is not a git repo. */
  commit: string | null;
  /** What each managed service's container runs now, pinned (absent: not running). */
  images: ImagePins;
}

/**
 * Reads what runs now, from git and Docker rather than from switchyard's own
 * records, so that a host started by hand (`:latest`) is captured exactly:
 * each container's image by its registry digest, or by image id if it has none.
 */
export async function captureHostState(ports: HostStatePorts): Promise<HostState> {
  const commit = await headCommit(ports.config.project.dir);
  const project = await ports.projectName();
  const docker = ports.docker();
  const images: ImagePins = {};
  for (const [service, spec] of Object.entries(ports.config.services)) {
    const containers = await serviceContainers(docker, project, service);
    const container = containers.find((c) => c.running) ?? containers[0];
    if (!container) continue;
    const image = await inspectImage(docker, container.imageId, spec.image);
    images[service] = image?.digestRef ?? container.imageId;
  }
  return { commit, images };
}

/** Refuses a work tree with uncommitted changes to tracked files (the rule: checks.ts). */
export async function assertCleanWorkTree(config: Config): Promise<void> {
  const problem = await dirtyWorkTreeProblem(config.project.dir);
  if (problem) throw failed(problem);
}
