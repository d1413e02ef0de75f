import { readBackBackupFile } from '../backup/pgRestore.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bucket } from './bucket.js';
import { findManifest } from './catalog.js';
import { downloadVerified } from './download.js';

export interface VerifyReport {
  fileName: string;
  key: string;
  bytes: number;
  downloadSeconds: number;
  readBackSeconds: number;
  sha256: string;
}

/**
 * `offsite verify`: download and decrypt one off-site backup into a temp dir,
 * check both sha256s against its manifest, and read the dump back in full with
 * pg_restore. Needs no database and no state: a fresh host can run it.
 */
export async function verifyOffsite(bucket: Bucket, name: string, identityFile: string | null): Promise<VerifyReport> {
  const m = await findManifest(bucket, name);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-verify-'));
  try {
    const got = await downloadVerified(bucket, m, identityFile, dir);
    const t0 = performance.now();
    await readBackBackupFile(got.file); // either format, by its name (src/backup/format.ts)
    return {
      fileName: m.fileName,
      key: m.object.key,
      bytes: got.bytes,
      downloadSeconds: got.seconds,
      readBackSeconds: Math.round(performance.now() - t0) / 1000,
      sha256: m.plain.sha256,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
