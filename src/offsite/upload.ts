import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openRegularFile } from '../util/fsutil.js';
import type { OffsiteConfig } from '../config/index.js';
import { failed, oneLine } from '../errors.js';
import type { BackupRow, RunningPair } from '../store/index.js';
import { ageOutcome, HashingStream, startEncrypt } from './age.js';
import type { Bucket } from './bucket.js';
import { buildManifest, manifestKey, objectKey, type Manifest } from './manifest.js';
import { signManifest } from './trust.js';

/**
 * Copies one verified backup off-site: the stored file as it is (whatever its
 * format), encrypted by `age` on the way and streamed as a multipart upload,
 * both sha256s computed in the same pass; then the manifest, last. The plain
 * sha256 must match the catalog, so a file that rotted on disk never goes out
 * as a good backup. Nothing is written locally.
 */
export async function uploadBackup(
  bucket: Bucket,
  offsite: Pick<OffsiteConfig, 'encrypt' | 'objectLock' | 'keep'>,
  backupsDir: string,
  backup: BackupRow,
  pair: RunningPair | null,
  now: () => Date,
): Promise<Manifest & { parts: number }> {
  const { encrypt } = offsite;
  const encrypted = encrypt.recipients.length > 0;
  const retainUntil = retainUntilFor(offsite, now());
  const key = objectKey(bucket.prefix, backup.fileName, encrypted);
  const file = path.join(backupsDir, backup.fileName);
  const plain = new HashingStream();
  const stored = new HashingStream();

  const handle = await openRegularFile(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
    throw failed(`backup file ${backup.fileName} is gone from ${backupsDir}`);
  });
  const source = handle.createReadStream({ highWaterMark: 1 << 20 });
  let sent: Awaited<ReturnType<Bucket['upload']>> = { parts: 0, etag: null, versionId: null };
  const send = () => bucket.upload(key, stored, undefined, retainUntil).then((r) => void (sent = r));
  let uploaded: Promise<void>;
  if (encrypted) {
    const age = startEncrypt(encrypt.recipients);
    const ageDone = ageOutcome(age, backup.fileName);
    ageDone.catch(() => undefined);
    const feed = pipeline(source, plain, age.stdin!);
    feed.catch(() => age.kill());
    const out = pipeline(age.stdout, stored).catch(() => undefined);
    uploaded = Promise.all([send(), feed, ageDone, out]).then(
      () => undefined,
      (e: unknown) => {
        age.kill();
        source.destroy();
        throw e;
      },
    );
  } else {
    uploaded = Promise.all([send(), pipeline(source, plain, stored)]).then(() => undefined);
  }
  try {
    await uploaded;
  } catch (e) {
    // Whatever reached the bucket has no manifest, so it is not a backup; remove it if the bucket answers.
    await bucket.delete(key).catch(() => undefined);
    throw e;
  }

  const plainSha = plain.sha256();
  if (plainSha !== backup.sha256) {
    await bucket.delete(key).catch(() => undefined);
    throw failed(
      `backup ${backup.fileName} does not match its recorded sha256 (file ${plainSha.slice(0, 12)}, catalog ${backup.sha256?.slice(0, 12)}); not copied`,
    );
  }
  const manifest = signManifest(
    buildManifest(
      backup,
      pair,
      {
        key,
        sizeBytes: stored.bytes,
        sha256: stored.sha256(),
        encryption: encrypted ? 'age' : 'none',
        recipients: [...encrypt.recipients],
        etag: sent.etag,
        versionId: sent.versionId,
      },
      now(),
    ),
    bucket.signingKey,
  );
  try {
    await bucket.put(manifestKey(bucket.prefix, backup.fileName), JSON.stringify(manifest, null, 2), retainUntil);
  } catch (e) {
    throw failed(`uploaded ${key} but could not write its manifest: ${oneLine(e)}`, e);
  }
  return { ...manifest, parts: sent.parts };
}

/** Under offsite.objectLock, a copy is retained as long as offsite.keep.days keeps it. */
export function retainUntilFor(offsite: Pick<OffsiteConfig, 'objectLock' | 'keep'>, now: Date): Date | undefined {
  return offsite.objectLock ? new Date(now.getTime() + offsite.keep.days * 86_400_000) : undefined;
}
