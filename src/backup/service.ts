import type { Context } from '../context.js';
import { underLock } from '../deploy/operation.js';
import {
  offsiteStatus,
  toPublic,
  type BackupRecord,
  type BackupRow,
  type DrillRecord,
  type OffsiteStatus,
} from '../store/index.js';
import { createBackup, type BackupRequest } from './create.js';
import { runDrill, type DrillReport } from './drill.js';
import { applyRetention } from './retention.js';

/** The operations the CLI and the HTTP API offer, each under the operation lock. */

export async function backupNow(ctx: Context, request: BackupRequest): Promise<BackupRecord> {
  return underLock(operationPorts(ctx), `backup (${request.reason})`, async () => {
    const backup = await createBackup(ctx, request);
    await applyRetention(ctx);
    return toPublic(backup);
  });
}

export async function drillNow(ctx: Context, backupId: number | undefined, actor: string): Promise<DrillReport> {
  return underLock(operationPorts(ctx), 'drill', () => runDrill(ctx, backupId, actor));
}

/** A backup as shown: its catalog record, its last drill, and its off-site copy (null: not queued). */
export type BackupListing = BackupRecord & { lastDrill: DrillRecord | null; offsite: OffsiteStatus | null };

export function listBackups(ctx: Context): BackupListing[] {
  return ctx.store.backups.list().map((b) => listing(ctx, b));
}

export function getBackup(ctx: Context, id: number): BackupListing | undefined {
  const b = ctx.store.backups.get(id);
  return b && listing(ctx, b);
}

function listing(ctx: Context, b: BackupRow): BackupListing {
  const upload = ctx.store.offsite.get(b.id);
  return {
    ...toPublic(b),
    lastDrill: ctx.store.drills.latestFor(b.id) ?? null,
    offsite: upload ? offsiteStatus(upload) : null,
  };
}

const operationPorts = (ctx: Context) => ({ lock: ctx.store.lock, stop: ctx.shutdown });
