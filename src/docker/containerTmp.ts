import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DockerClient } from './client.js';

/** A running container's /tmp: `here` as this host sees it (through /proc), `inside` as its programs do. */
export interface ContainerTmp {
  readonly here: string;
  readonly inside: string;
}

/**
 * A running container's /tmp as this host sees it, `/proc/<pid>/root/tmp`, when this process may
 * write there. Null when it may not: the engine runs on another host (DOCKER_HOST), switchyard does
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
): Promise<ContainerTmp | null> {
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
    return { here, inside: '/tmp' };
  } catch {
    return null;
  }
}

/**
 * switchyard's files in a container's /tmp (a pipe a dump comes through, an archive staged for
 * pg_restore) carry the pid of the process that made them: `switchyard-<pid>-<random>.<kind>`.
 */
const TEMP_NAME = /^switchyard-(\d+)-[0-9a-f]{16}\.(fifo|dump)$/;

/** A fresh name for a file of this process in a container's /tmp. */
export const containerTempName = (kind: 'fifo' | 'dump', pid = process.pid): string =>
  `switchyard-${pid}-${randomBytes(8).toString('hex')}.${kind}`;

/**
 * The names in a container's /tmp left by a switchyard process that is gone (a crash, a kill
 * mid-restore): its files are removed before new ones are made, so a staged archive (as large as
 * the database) never outlives more than one crash. Pure: `isAlive` is injected.
 */
export function selectOrphans(names: readonly string[], isAlive: (pid: number) => boolean, self = process.pid) {
  return names.filter((name) => {
    const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
    return Number.isInteger(pid) && pid !== self && !isAlive(pid);
  });
}

/** Removes the orphans (selectOrphans) in `tmp`, as this host sees it; only pipes and regular files. */
export async function removeOrphans(tmp: string, isAlive: (pid: number) => boolean): Promise<void> {
  const names = await fs.readdir(tmp).catch(() => [] as string[]);
  for (const name of selectOrphans(names, isAlive)) {
    const file = path.join(tmp, name);
    const stat = await fs.lstat(file).catch(() => null);
    if (stat && (stat.isFile() || stat.isFIFO())) await fs.rm(file, { force: true });
  }
}
