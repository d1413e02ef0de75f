import fs from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { isTempFileName } from './naming.js';
import { removeIfPresent } from './fsutil.js';
import { processIsAlive } from '../util/process.js';

/**
 * After a crash: a backup journaled as running by a process that is gone is
 * marked failed and its temp file deleted; stray temp files of ours in the
 * backups dir go too. Backups still being written by a live process are left alone.
 */
export async function recoverInterruptedBackups(ctx: Context): Promise<number> {
  const dir = ctx.config.backups.dir;
  const live = new Set<string>();
  let recovered = 0;
  for (const b of ctx.store.backups.list({ status: 'running' })) {
    if (b.ownerPid !== null && b.ownerPid !== process.pid && processIsAlive(b.ownerPid)) {
      live.add(b.tempName);
      continue;
    }
    await removeIfPresent(path.join(dir, b.tempName));
    ctx.store.backups.fail(b.id, 'interrupted: the process taking this backup stopped before it finished');
    ctx.log.warn('interrupted backup cleaned up', { backup: b.id, file: b.fileName });
    recovered++;
  }
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    if (isTempFileName(name) && !live.has(name)) await removeIfPresent(path.join(dir, name));
  }
  return recovered;
}
