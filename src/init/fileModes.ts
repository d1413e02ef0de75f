import fs from 'node:fs/promises';
import path from 'node:path';
import { formatMode } from '../util/format.js';

/**
 * Creates `dir` and its missing parents with exactly `mode`. mkdir's mode passes through the
 * umask (0777 under umask 000 for a bare mkdir, 0700 under 077 for 0755), so each directory it
 * made is set again by chmod. Directories that already existed are left as they are.
 */
export async function makeDirs(dir: string, mode: number): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true, mode });
  if (first === undefined) return;
  const top = path.resolve(first);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await fs.chmod(d, mode);
    if (d === top || d === path.dirname(d)) break;
  }
}

/**
 * Gives an existing `path` exactly `mode` (a file written over keeps the mode it had: writeFile's
 * mode applies only to a file it creates). Returns the mode it had when that was another, for the
 * operator to be told; null when it was already right.
 */
export async function setMode(file: string, mode: number): Promise<string | null> {
  const had = (await fs.stat(file)).mode & 0o777;
  if (had === mode) return null;
  await fs.chmod(file, mode);
  return formatMode(had);
}
