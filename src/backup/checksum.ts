import { createHash } from 'node:crypto';
import { openRegularFile } from '../util/fsutil.js';

/** The sha256 of a stored backup file; anything but a regular file is refused at once (fsutil.ts). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await openRegularFile(file);
  for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
