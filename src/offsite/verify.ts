import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { failed } from '../errors.js';
import { redact } from '../util/redact.js';
import { collect, spawnHost } from '../util/process.js';
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
    await readDumpBack(got.file);
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

/**
 * Reads a dump file back in full, as the local backup does while writing it:
 * every table's data is decoded (pg_restore into /dev/null), so a dump that
 * only has a good header fails here. The one place `offsite verify` reads a dump.
 */
export async function readDumpBack(file: string): Promise<void> {
  // Reads a file only: the child gets PATH and nothing else of ours (no credentials).
  const r = await collect(spawnHost('pg_restore', ['--file=/dev/null', file], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }));
  if (r.code !== 0) throw failed(`${path.basename(file)} does not read back (pg_restore exited with code ${r.code}): ${redact(r.stderr.split('\n')[0] ?? '')}`);
}
