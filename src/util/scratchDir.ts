import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A directory where this process leaves a pipe or a file for another program to open by name:
 * `here` as this process sees it, `there` as the program does. A container's /tmp, seen from the
 * host through /proc (docker/containerRoot.ts), or this host's temp dir for the host's programs.
 */
export interface ScratchDir {
  readonly here: string;
  readonly there: string;
}

/** This host's temp dir, for programs that run on this host. */
export const hostScratch = (): ScratchDir => ({ here: os.tmpdir(), there: os.tmpdir() });

/**
 * switchyard's files in a scratch dir (a pipe a dump comes through, an archive staged for
 * pg_restore, a restore's list of entries) carry the pid of the process that made them: `switchyard-<pid>-<random>.<kind>`.
 */
const SCRATCH_NAME = /^switchyard-(\d+)-[0-9a-f]{16}\.(fifo|dump|list)$/;

/** A fresh name for a file of this process in a scratch dir. */
export const scratchName = (kind: 'fifo' | 'dump' | 'list', pid = process.pid): string =>
  `switchyard-${pid}-${randomBytes(8).toString('hex')}.${kind}`;

/**
 * The names in a scratch dir left by a switchyard process that is gone (a crash, a kill
 * mid-restore): its files are removed before new ones are made, so a staged archive (as large as
 * the database) never outlives more than one crash. Pure: `isAlive` is injected.
 */
export function selectOrphans(names: readonly string[], isAlive: (pid: number) => boolean, self = process.pid) {
  return names.filter((name) => {
    const pid = Number(SCRATCH_NAME.exec(name)?.[1] ?? Number.NaN);
    return Number.isInteger(pid) && pid !== self && !isAlive(pid);
  });
}

/** Removes the orphans (selectOrphans) in `dir`, as this process sees it; only pipes and regular files. */
export async function removeOrphans(dir: string, isAlive: (pid: number) => boolean): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of selectOrphans(names, isAlive)) {
    const file = path.join(dir, name);
    const stat = await fs.lstat(file).catch(() => null);
    if (stat && (stat.isFile() || stat.isFIFO())) await fs.rm(file, { force: true });
  }
}
