import type { Context } from '../context.js';
import { underLock } from '../deploy/operation.js';
import { toPublic, type BackupRecord, type DrillRecord } from '../store/index.js';
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

export type BackupListing = BackupRecord & { lastDrill: DrillRecord | null };

export function listBackups(ctx: Context): BackupListing[] {
  return ctx.store.backups.list().map((b) => ({ ...toPublic(b), lastDrill: ctx.store.drills.latestFor(b.id) ?? null }));
}

export function getBackup(ctx: Context, id: number): BackupListing | undefined {
  const b = ctx.store.backups.get(id);
  return b && { ...toPublic(b), lastDrill: ctx.store.drills.latestFor(b.id) ?? null };
}

const operationPorts = (ctx: Context) => ({ lock: ctx.store.lock, stop: ctx.shutdown });
