import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { failed } from '../errors.js';

/** Makes a rename durable: the directory entry itself must reach the disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function removeIfPresent(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/**
 * Opens a file of the backups folder for reading, refusing anything but a regular file, and hands
 * back the open handle (the caller reads that handle, never the path again). Every reader of a
 * stored backup comes through here: download, restore, drill, off-site copy, checksum.
 *
 * Why O_NONBLOCK: a plain open of a FIFO waits for a writer, and Node waits on one of its four
 * shared worker threads, so a few such opens stall every file read of the process for good. With
 * it the open returns at once, and fstat (of what was opened, not of the name) decides. O_NOFOLLOW:
 * switchyard only ever renames its own files into the folder, never links. A regular file ignores
 * O_NONBLOCK, so reads behave as usual. ENOENT and EACCES come through unchanged.
 */
export async function openRegularFile(file: string): Promise<fs.FileHandle> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw notARegularFile(file, 'a symbolic link');
    if (code === 'ENXIO') throw notARegularFile(file, 'a socket'); // what opening a unix socket answers
    throw e;
  }
  const kind = await handle.stat().then(otherThanRegular, async (e: unknown) => {
    await handle.close();
    throw e;
  });
  if (kind !== null) {
    await handle.close();
    throw notARegularFile(file, kind);
  }
  return handle;
}

/**
 * Removes `file` only when it is a regular file; a missing file is fine. By lstat, not by opening
 * it: nothing else (a device node, a FIFO, a symlink) is opened only to be left in place.
 */
export async function removeRegularFile(file: string): Promise<'removed' | 'absent' | 'not-a-file'> {
  let stats: Stats;
  try {
    stats = await fs.lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
  if (otherThanRegular(stats) !== null) return 'not-a-file';
  await fs.rm(file, { force: true });
  return 'removed';
}

/** Null for a regular file, else what it is, for the error. */
function otherThanRegular(stats: Stats): string | null {
  if (stats.isFile()) return null;
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'of another kind';
}

function notARegularFile(file: string, kind: string) {
  return failed(`${file} is ${kind}, not a regular file; refusing to read it`);
}
