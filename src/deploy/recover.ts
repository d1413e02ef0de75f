import fs from 'node:fs/promises';
import path from 'node:path';
import { recoverInterruptedBackups } from '../backup/recover.js';
import { repairInterruptedSwap } from '../backup/restore.js';
import type { Context } from '../context.js';
import { oneLine } from '../errors.js';
import type { Deployment } from '../store/index.js';
import { redact } from '../util/redact.js';
import { rollBackAutomatically } from './autoRollback.js';
import { Journal } from './journal.js';

export interface RecoveredOperation {
  deploymentId: number;
  status: Deployment['status'];
  summary: string;
}

/** Steps that only read or add things: an operation that stopped before any other step changed nothing. */
const NON_MUTATING = new Set(['resolve', 'inspect', 'pull', 'preflight', 'backup', 'check']);
/** Steps after which a rollback operation has changed the database. */
const DATABASE_STEPS = new Set(['stop writers', 'restore database']);

/**
 * Crash recovery, run when the daemon starts and before any CLI command that
 * takes the lock. Every operation holds the lock while it runs, so when the
 * lock is free or stale, whatever the journal shows as running was orphaned by
 * a dead process: temp files go, an interrupted database swap is completed,
 * and each orphaned deploy or rollback is undone so that the version recorded
 * before it runs healthy. A live lock holder is left alone.
 */
export async function recoverInterruptedOperations(ctx: Context): Promise<RecoveredOperation[]> {
  const holder = ctx.store.lock.holder();
  if (holder && !ctx.store.lock.isStale(holder)) return [];
  const orphans = ctx.store.deployments.unfinished();
  const backupsRunning = ctx.store.backups.list({ status: 'running' }).length;
  if (!holder && orphans.length === 0 && backupsRunning === 0) {
    await removePinTempFiles(ctx);
    await recoverInterruptedBackups(ctx); // stray temp files only
    return [];
  }

  const release = ctx.store.lock.acquire('crash recovery');
  try {
    ctx.log.warn('recovering from an interrupted operation', { orphans: orphans.map((d) => d.id), backupsRunning });
    await removePinTempFiles(ctx);
    await recoverInterruptedBackups(ctx);
    const swap = await repairInterruptedSwap(ctx);
    if (swap) ctx.log.warn(swap);
    const results: RecoveredOperation[] = [];
    for (const deployment of orphans) results.push(await undo(ctx, deployment));
    return results;
  } finally {
    release();
  }
}

async function undo(ctx: Context, d: Deployment): Promise<RecoveredOperation> {
  const steps = ctx.store.deployments.steps(d.id);
  const last = steps.at(-1);
  const where = last ? `${last.status === 'running' ? 'during' : 'after'} step "${last.name}"` : 'before its first step';
  const changed = steps.some((s) => !NON_MUTATING.has(s.name));
  let status: Deployment['status'] = 'interrupted';
  let summary: string;

  if (!changed || d.previousImages === null) {
    summary = `interrupted ${where}; it had changed nothing`;
  } else {
    const journal = new Journal(ctx, d.id);
    const backup = d.backupId ? ctx.store.backups.get(d.backupId) : undefined;
    const restoreDatabase = d.kind === 'deploy' ? ctx.config.deploy.restoreDatabase : steps.some((s) => DATABASE_STEPS.has(s.name)) ? 'always' : 'never';
    const outcome = await rollBackAutomatically(ctx, journal, {
      previous: { commit: d.previousCommit, images: d.previousImages },
      backup: backup?.status === 'ok' ? backup : undefined,
      cause: `interrupted ${where}`,
      restoreDatabase,
    });
    if (outcome.status === 'rollback-failed') status = 'rollback-failed';
    summary = `interrupted ${where}; ${outcome.summary.replace('rolled back to the previous version', 'recovery put the previous version back')}`;
  }
  const message = redact(summary);
  ctx.store.deployments.finish(d.id, status as Exclude<Deployment['status'], 'running'>, message);
  ctx.store.audit.record({ actor: 'recovery', action: d.kind, target: `deployment ${d.id}`, outcome: status === 'interrupted' ? 'ok' : 'failed', detail: message });
  ctx.events.emit(d.id, { type: 'done', deployment: ctx.store.deployments.get(d.id)! });
  ctx.log.warn('interrupted operation recovered', { deployment: d.id, status, summary: message });
  ctx.notifier.send({ event: d.kind, ok: false, summary: `${d.kind} ${d.id} ${message}`, details: { id: d.id, status } });
  return { deploymentId: d.id, status, summary: message };
}

async function removePinTempFiles(ctx: Context): Promise<void> {
  const entries = await fs.readdir(ctx.config.stateDir).catch(() => [] as string[]);
  for (const name of entries) {
    if (name.startsWith('pins.compose.yml.tmp-')) await fs.rm(path.join(ctx.config.stateDir, name), { force: true }).catch((e: unknown) => ctx.log.warn('cannot remove', { name, error: oneLine(e) }));
  }
}
