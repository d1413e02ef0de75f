import fs from 'node:fs/promises';
import path from 'node:path';
import type { FetchPorts } from './ports.js';
import type { BackupRow } from '../store/index.js';
import type { Bucket } from './bucket.js';
import { downloadVerified } from './download.js';
import type { Manifest } from './manifest.js';

export interface Fetched {
  backup: BackupRow;
  seconds: number;
  /** False when the same file was already in backups.dir: nothing new to clean up. */
  wasNew: boolean;
}

/**
 * Brings an off-site backup into this host's backups dir and catalog, verified
 * against its manifest (both sha256s), so the existing restore and drill paths
 * take it from there (their checksum and row-count checks run against the
 * manifest's facts). It counts as off-site already: never uploaded again.
 */
export async function fetchIntoCatalog(
  ports: FetchPorts,
  bucket: Bucket,
  m: Manifest,
  identityFile: string | null,
  actor: string,
  onProgress?: (bytes: number, total: number | null) => void,
): Promise<Fetched> {
  const dir = ports.config.backups.dir;
  const wasNew = !(await fs.stat(path.join(dir, m.fileName)).then(
    () => true,
    () => false,
  ));
  const got = await downloadVerified(bucket, m, identityFile, dir, onProgress);
  const id = ports.store.backups.adopt({
    fileName: m.fileName,
    databaseName: m.databaseName,
    reason: m.reason,
    note: m.note,
    actor,
    createdAt: m.createdAt,
    sizeBytes: m.plain.sizeBytes,
    sha256: m.plain.sha256,
    serverVersion: m.serverVersion ?? '',
    rowCounts: m.rowCounts,
    schemaFingerprint: m.schemaFingerprint,
  });
  ports.store.offsite.recordFetched(id, m.object.key, m.uploadedAt, ports.clock.now());
  return { backup: ports.store.backups.get(id)!, seconds: got.seconds, wasNew };
}
