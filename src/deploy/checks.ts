import path from 'node:path';
import { sha256File } from '../backup/checksum.js';
import type { RestoreSpaceEstimate } from '../backup/estimate.js';
import { openRegularFile } from '../util/fsutil.js';
import { gitIn } from '../util/git.js';
import type { LocalImage } from '../docker/images.js';
import type { ImageLookup } from '../docker/registry.js';
import { oneLine } from '../errors.js';
import type { BackupRow } from '../store/index.js';

/**
 * The rules a deploy is checked against, pure where they can be: the plan shows what they say
 * before anything runs, and the pipeline's preflight applies the same ones just before the backup.
 */

/** The backups folder lacks room for the pre-deploy dump; null when there is room (or it is not known). */
export function backupSpaceProblem(dir: string, neededBytes: number | null, freeBytes: number | null): string | null {
  if (neededBytes === null || freeBytes === null || neededBytes <= freeBytes) return null;
  return `backups dir ${dir} has ${mib(freeBytes)} free, the pre-deploy dump needs about ${mib(neededBytes)}`;
}

/**
 * The free space measured where the backups go lacks room for a rollback: its restored copy and staged rows
 * (in the database's data directory, assumed to share that disk) and its safety dump. Null: room, or unknown.
 */
export function restoreSpaceProblem(
  dir: string,
  need: RestoreSpaceEstimate | null,
  freeBytes: number | null,
): string | null {
  if (need === null || freeBytes === null || need.neededBytes <= freeBytes) return null;
  return `not enough free space for the rollback: ${dir} has ${mib(freeBytes)} free, it needs about ${mib(need.neededBytes)} (restored copy ${mib(need.copyBytes)}, staged rows ${mib(need.stagingBytes)}, safety dump ${mib(need.dumpBytes)})`;
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

/**
 * What is wrong with a recorded dump file, read without changing it: missing, unreadable, shorter
 * than written (truncated), or not matching its recorded sha256; null when it is sound. The
 * rollback's `check` step refuses with it, and the rollback plan lists it as a blocker.
 */
export async function dumpProblem(
  dir: string,
  dump: Pick<BackupRow, 'fileName' | 'sha256' | 'sizeBytes'>,
): Promise<string | null> {
  const file = path.join(dir, dump.fileName);
  try {
    const handle = await openRegularFile(file); // a FIFO or a link in its place is named as such, never waited on
    const { size } = await handle.stat().finally(() => handle.close());
    if (dump.sizeBytes !== null && size < dump.sizeBytes)
      return `the dump ${dump.fileName} is truncated: ${size} of its ${dump.sizeBytes} bytes are left`;
    if ((await sha256File(file)) !== dump.sha256)
      return `the dump ${dump.fileName} does not match its recorded sha256: it was changed or damaged`;
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `the dump ${dump.fileName} is missing from ${dir}`;
    return `the dump ${dump.fileName} cannot be read: ${oneLine(e)}`;
  }
}

/** Where a pinned image can come from: this host, or its registry by digest. */
export interface PinnedImageSource {
  isHere(reference: string): Promise<boolean>;
  /**
   * Gets the image by its digest, or only asks the registry for its manifest (a plan never pulls);
   * null when it comes (or would come), else why not.
   */
  fetch(reference: string): Promise<string | null>;
}

/** Why the registry's answer means a pull would fail, or null when it has the image. */
export function lookupProblem(found: ImageLookup): string | null {
  if (found.state === 'present') return null;
  return found.state === 'absent' ? 'the registry does not have it' : found.error;
}

/**
 * Why a pinned image cannot be run again, or null: it is here, or pullable by its registry
 * digest. The rollback's `check` step pulls through it; the rollback plan asks the registry.
 */
export async function pinnedImageProblem(
  source: PinnedImageSource,
  service: string,
  reference: string,
): Promise<string | null> {
  if (await source.isHere(reference)) return null;
  if (!reference.includes('@sha256:'))
    return `image ${reference} of service ${service} is gone and has no registry digest to pull it by`;
  const why = await source.fetch(reference);
  return why === null
    ? null
    : `image ${reference} of service ${service} is not on this host and cannot be pulled: ${why}`;
}

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

/** The services stopped while the database is restored, so that no write lands during it. */
export function databaseWriters(config: {
  rollback: { stopServices?: string[] };
  services: Record<string, unknown>;
}): string[] {
  return config.rollback.stopServices ?? Object.keys(config.services);
}
