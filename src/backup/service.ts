import type { BackupListingPorts, BackupServicePorts } from './ports.js';
import { underLock } from '../ops/operation.js';
import { offsiteStatus, toPublic, type BackupRecord, type DrillRecord, type OffsiteStatus } from '../store/index.js';
import { createBackup, type BackupRequest } from './create.js';
import { runDrill, type DrillReport } from './drill.js';
import { applyRetention } from './retention.js';

/** The operations the CLI and the HTTP API offer, each under the operation lock. */

export async function backupNow(ports: BackupServicePorts, request: BackupRequest): Promise<BackupRecord> {
  return underLock(operationPorts(ports), `backup (${request.reason})`, async () => {
    const backup = await createBackup(ports, request);
    await applyRetention(ports);
    return toPublic(backup);
  });
}

export async function drillNow(
  ports: BackupServicePorts,
  backupId: number | undefined,
  actor: string,
): Promise<DrillReport> {
  return underLock(operationPorts(ports), 'drill', () => runDrill(ports, backupId, actor));
}

/** A backup as shown: its catalog record, its last drill, and its off-site copy (null: not queued). */
export type BackupListing = BackupRecord & { lastDrill: DrillRecord | null; offsite: OffsiteStatus | null };

export function listBackups(ports: BackupListingPorts): BackupListing[] {
  return ports.store.backups.list().map((b) => listing(ports, b));
}

/** One catalog row as shown: with its last drill and its off-site copy. */
export function listing(ports: BackupListingPorts, b: BackupRecord): BackupListing {
  const upload = ports.store.offsite.get(b.id);
  return {
    ...toPublic(b),
    lastDrill: ports.store.drills.latestFor(b.id) ?? null,
    offsite: upload ? offsiteStatus(upload) : null,
  };
}

const operationPorts = (ports: BackupServicePorts) => ({
  lock: ports.store.lock,
  recoverOrphans: () => ports.recoverOrphans(),
  stop: ports.shutdown,
  clock: ports.clock,
});
