import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackupRecoveryPorts } from './ports.js';
import { removeRegularFile } from '../util/fsutil.js';
import { isTempFileName } from './naming.js';
import { processIsAlive } from '../util/process.js';

/**
 * After a crash: a backup journaled as running by a process that is gone is
 * marked failed and its temp file deleted; stray temp files of ours in the
 * backups dir go too. Backups still being written by a live process are left alone.
 * Only regular files are ever removed: anything else with a temp file's name (a
 * directory someone made, a symlink) is left in place and named in the log.
 */
export async function recoverInterruptedBackups(
  ports: BackupRecoveryPorts,
): Promise<{ recovered: number; skipped: string[] }> {
  const dir = ports.config.backups.dir;
  const live = new Set<string>();
  const skipped: string[] = [];
  const removeTemp = async (name: string) => {
    if ((await removeRegularFile(path.join(dir, name))) === 'not-a-file') skipped.push(name);
  };
  let recovered = 0;
  for (const b of ports.store.backups.list({ status: 'running' })) {
    if (b.ownerPid !== null && b.ownerPid !== process.pid && processIsAlive(b.ownerPid)) {
      live.add(b.tempName);
      continue;
    }
    await removeTemp(b.tempName);
    ports.store.backups.fail(b.id, 'interrupted: the process taking this backup stopped before it finished');
    ports.log.warn('interrupted backup cleaned up', { backup: b.id, file: b.fileName });
    recovered++;
  }
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    if (isTempFileName(name) && !live.has(name) && !skipped.includes(name)) await removeTemp(name);
  }
  for (const name of skipped) {
    ports.log.warn('left in place: has the name of a backup temp file but is not a regular file', { dir, name });
  }
  return { recovered, skipped };
}
