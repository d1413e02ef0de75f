import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncDir, removeIfPresent } from '../util/fsutil.js';
import { tempFileName } from '../backup/naming.js';
import { failed, oneLine } from '../errors.js';
import { ageOutcome, HashingStream, startDecrypt } from './age.js';
import type { Bucket } from './bucket.js';
import type { Manifest } from './manifest.js';

export interface Downloaded {
  file: string;
  bytes: number;
  seconds: number;
}

/**
 * Fetches one off-site backup into `dir` under its own file name: streamed from
 * the bucket through `age --decrypt` into a temp file, with the sha256 of the
 * object and of the plain file computed on the way; both must match the
 * manifest before the file is fsynced and renamed into place. On any mismatch
 * or error nothing is left behind.
 */
export async function downloadVerified(
  bucket: Bucket,
  m: Manifest,
  identityFile: string | null,
  dir: string,
  onProgress?: (bytes: number, total: number | null) => void,
): Promise<Downloaded> {
  if (m.object.encryption === 'age' && !identityFile)
    throw failed(`${m.fileName} is encrypted: pass --identity FILE (the age identity)`);
  if (identityFile)
    await fs.access(identityFile).catch(() => Promise.reject(failed(`identity file ${identityFile} cannot be read`)));
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const started = performance.now();
  const temp = path.join(dir, tempFileName(m.fileName));
  const final = path.join(dir, m.fileName);
  const stored = new HashingStream();
  const plain = new HashingStream();
  try {
    const { body, size } = await bucket.getStream(m.object.key, m.object.versionId);
    if (onProgress) {
      let last = 0;
      stored.on('data', () => {
        if (stored.bytes - last >= 16 << 20 || stored.bytes === size) {
          last = stored.bytes;
          onProgress(stored.bytes, size);
        }
      });
    }
    const sink = () => createWriteStream(temp, { mode: 0o600 });
    if (m.object.encryption === 'age') {
      const age = startDecrypt(identityFile!);
      const done = ageOutcome(age, m.fileName, identityFile!);
      done.catch(() => undefined);
      const fed = feedToTheEnd(body, stored, age.stdin!);
      const written = pipeline(age.stdout, plain, sink());
      const results = await Promise.allSettled([done, fed, written]);
      // A damaged object is named by its sha256 (the whole object was read); otherwise age's verdict (wrong
      // identity) says more than the broken pipe it causes.
      if (results[1].status === 'rejected') throw results[1].reason;
      checkStored(stored, m);
      if (results[0].status === 'rejected') throw results[0].reason;
      if (results[2].status === 'rejected') throw results[2].reason;
    } else {
      await pipeline(body, stored, plain, sink());
      checkStored(stored, m);
    }
    await fsyncFile(temp);
    checkStored(stored, m);
    const plainSha = plain.sha256();
    if (plainSha !== m.plain.sha256) {
      throw failed(
        `sha256 mismatch: decrypted ${m.fileName} is ${plainSha.slice(0, 12)}…, its manifest says ${m.plain.sha256.slice(0, 12)}…; refusing it`,
      );
    }
    await fs.rename(temp, final);
    await fsyncDir(dir);
    return { file: final, bytes: plain.bytes, seconds: Math.round(performance.now() - started) / 1000 };
  } catch (e) {
    await removeIfPresent(temp);
    if (e instanceof Error && e.name === 'SwitchyardError') throw e;
    throw failed(`download of ${m.object.key} failed: ${oneLine(e)}`, e);
  }
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function checkStored(stored: HashingStream, m: Manifest): void {
  const sha = stored.sha256();
  if (sha !== m.object.sha256) {
    throw failed(
      `sha256 mismatch: off-site object ${m.object.key} is ${sha.slice(0, 12)}…, its manifest says ${m.object.sha256.slice(0, 12)}…; refusing it`,
    );
  }
}

/**
 * Feeds the object to age and reads it to its last byte even when age stops
 * early (a damaged chunk), so the object's sha256 can still name the damage.
 */
async function feedToTheEnd(body: Readable, stored: HashingStream, stdin: Writable): Promise<void> {
  let open = true;
  const closed = new Promise<void>((resolve) => {
    stdin.once('error', () => resolve());
    stdin.once('close', () => resolve());
  }).then(() => void (open = false));
  for await (const chunk of body as AsyncIterable<Buffer>) {
    stored.add(chunk);
    if (open && !stdin.write(chunk)) await Promise.race([once(stdin, 'drain').catch(() => undefined), closed]);
  }
  if (open) stdin.end();
}
