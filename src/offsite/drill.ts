import fs from 'node:fs/promises';
import path from 'node:path';
import { drillNow } from '../backup/service.js';
import type { DrillReport } from '../backup/drill.js';
import type { OffsiteDrillPorts } from './ports.js';
import { openBucket, type Bucket } from './bucket.js';
import { findManifest } from './catalog.js';
import { fetchIntoCatalog } from './fetch.js';
import { offsiteConfig } from './push.js';

export interface OffsiteDrillReport extends DrillReport {
  objectKey: string;
  downloadSeconds: number;
}

/**
 * The runbook's quarterly drill, from the off-site copy: download and verify it
 * (both sha256s), then the usual drill (scratch database, row counts and schema
 * fingerprint against the manifest's). A file fetched only for the drill is
 * removed afterwards; the report adds the download time to the runbook's.
 */
export async function drillFromOffsite(
  ports: OffsiteDrillPorts,
  name: string,
  identityFile: string | null,
  actor: string,
  bucket?: Bucket,
): Promise<OffsiteDrillReport> {
  const b = bucket ?? openBucket(offsiteConfig(ports));
  const m = await findManifest(b, name);
  const fetched = await fetchIntoCatalog(ports, b, m, identityFile, actor);
  let report: DrillReport;
  try {
    report = await drillNow(ports, fetched.backup.id, actor);
  } finally {
    if (fetched.wasNew) {
      await fs.rm(path.join(ports.config.backups.dir, m.fileName), { force: true });
      ports.store.backups.markPruned(fetched.backup.id);
    }
  }
  const extra = [
    `**Downloaded From**: s3://${b.name}/${m.object.key}`,
    `**Download Time**: ${fetched.seconds.toFixed(1)} s`,
  ];
  const lines = report.markdown.split('\n');
  const at = lines.findIndex((l) => l.startsWith('**Restore Time**'));
  lines.splice(at, 0, ...extra);
  return { ...report, objectKey: m.object.key, downloadSeconds: fetched.seconds, markdown: lines.join('\n') };
}
