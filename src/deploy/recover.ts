import type { Deployment } from '../store/index.js';
import { Journal } from './journal.js';
import { underLock } from './operation.js';
import type { DeployPorts } from './ports.js';
import { finishDeployment } from './report.js';
import { anyMutated, anyTouchedDatabase } from './steps.js';
import { describeUndo, restorePreviousState } from './undo.js';

export interface RecoveredOperation {
  deploymentId: number;
  status: Deployment['status'];
  summary: string;
}

/**
 * Crash recovery, run when the daemon starts and before any CLI command that
 * takes the lock. Every operation holds the lock while it runs, so when the
 * lock is free or stale, whatever the journal shows as running was orphaned by
 * a dead process: temp files go, an interrupted database swap is completed,
 * and each orphaned deploy or rollback is undone so that the version recorded
 * before it runs healthy. A live lock holder is left alone.
 */
export async function recoverWith(ports: DeployPorts): Promise<RecoveredOperation[]> {
  const holder = ports.lock.holder();
  if (holder && !ports.lock.isStale(holder)) return [];
  const orphans = ports.deployments.unfinished();
  const backupsRunning = ports.backups.list({ status: 'running' }).length;
  if (!holder && orphans.length === 0 && backupsRunning === 0) {
    await ports.repairLeftovers(false); // stray temp files only
    return [];
  }

  return underLock(ports, 'crash recovery', async () => {
    ports.log.warn('recovering from an interrupted operation', { orphans: orphans.map((d) => d.id), backupsRunning });
    for (const note of await ports.repairLeftovers(true)) ports.log.warn(note);
    const results: RecoveredOperation[] = [];
    for (const deployment of orphans) results.push(await undoOrphan(ports, deployment));
    return results;
  });
}

/** What an orphaned operation had done decides the undo: nothing changed, or put the recorded previous state back. */
async function undoOrphan(ports: DeployPorts, d: Deployment): Promise<RecoveredOperation> {
  const steps = ports.deployments.steps(d.id);
  const names = steps.map((s) => s.name);
  const last = steps.at(-1);
  const where = last
    ? `${last.status === 'running' ? 'during' : 'after'} step "${last.name}"`
    : 'before its first step';
  let status: Exclude<Deployment['status'], 'running'> = 'interrupted';
  let summary: string;

  if (!anyMutated(names) || d.previousImages === null) {
    summary = `interrupted ${where}; it had changed nothing`;
  } else {
    const backup = d.backupId ? ports.backups.get(d.backupId) : undefined;
    // A deploy follows the configured policy; a rollback restores its safety backup only if it had reached the database.
    const restoreDatabase =
      d.kind === 'deploy' ? ports.settings.restoreDatabase : anyTouchedDatabase(names) ? 'always' : 'never';
    const undo = await restorePreviousState(ports, new Journal(ports, d.id), {
      previous: { commit: d.previousCommit, images: d.previousImages },
      backup: backup?.status === 'ok' ? backup : undefined,
      restoreDatabase,
    });
    if (!undo.ok) status = 'rollback-failed';
    summary = `interrupted ${where}; ${describeUndo(undo, 'recovery put the previous version back')}`;
  }
  const record = finishDeployment(ports, d.id, status, summary, (message) => ({
    audit: {
      actor: 'recovery',
      action: d.kind,
      target: `deployment ${d.id}`,
      ok: status === 'interrupted',
      detail: message,
    },
    notification: { event: d.kind, ok: false, summary: `${d.kind} ${d.id} ${message}`, details: { id: d.id, status } },
    log: {
      level: 'warn',
      message: 'interrupted operation recovered',
      fields: { deployment: d.id, status, summary: message },
    },
  }));
  return { deploymentId: d.id, status: record.status, summary: ports.redactor.redact(summary) };
}
