import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Free bytes for an unprivileged writer where `dir` is (or will be: a folder
 * not created yet is measured at its nearest existing parent). Null when unknown.
 */
export async function freeBytes(dir: string): Promise<number | null> {
  let at = dir;
  for (;;) {
    try {
      const stats = await fs.statfs(at);
      return stats.bavail * stats.bsize;
    } catch (e) {
      const parent = path.dirname(at);
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) return null;
      at = parent;
    }
  }
}
