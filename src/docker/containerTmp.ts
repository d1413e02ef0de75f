import fs from 'node:fs/promises';
import path from 'node:path';
import type { ScratchDir } from '../util/scratchDir.js';
import type { DockerClient } from './client.js';

/**
 * A running container's /tmp as a scratch dir: `/proc/<pid>/root/tmp` here, `/tmp` there, when this
 * process may write there. Null when it may not: the engine runs on another host (DOCKER_HOST), switchyard does
 * not run as root, or the container's root is read-only. Callers then go through the engine's exec
 * stream, which works everywhere but copies every byte through containerd and dockerd (bench:backup:
 * pg_dump of a 991 MB database 8.2 s that way, 3.6 s through a pipe in /tmp).
 *
 * The pid is taken only when its cgroup names the container: a pid from an engine elsewhere, or one
 * reused since the inspect, is never mistaken for the container's.
 */
export async function containerTmp(
  docker: Pick<DockerClient, 'getContainer'>,
  containerId: string,
  proc = '/proc',
): Promise<ScratchDir | null> {
  const info = await docker
    .getContainer(containerId)
    .inspect()
    .catch(() => null);
  const pid = info?.State?.Running ? info.State.Pid : 0;
  if (!info || !pid) return null;
  const cgroup = await fs.readFile(path.join(proc, String(pid), 'cgroup'), 'utf8').catch(() => '');
  if (!cgroup.includes(info.Id)) return null;
  const here = path.join(proc, String(pid), 'root', 'tmp');
  try {
    if (!(await fs.stat(here)).isDirectory()) return null;
    await fs.access(here, fs.constants.W_OK); // EROFS on a read-only root, EACCES when not root
    return { here, there: '/tmp' };
  } catch {
    return null;
  }
}
