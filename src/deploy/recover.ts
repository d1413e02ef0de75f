import type { Deployment, LockHolder } from '../store/index.js';
import type { KeptRef } from '../backup/kept.js';
import { oneLine } from '../errors.js';
import { Journal } from '../ops/journal.js';
import { secureKept } from './keptDatabase.js';
import { holdingLock } from '../ops/operation.js';
import type { DeployPorts } from './ports.js';
import { planRecovery } from '../domain/recoveryPlan.js';
import { finishDeployment } from '../ops/report.js';
import { anyMutated, anyTouchedDatabase, type StepName } from '../domain/steps.js';
import { describeUndo, restorePreviousState } from './undo.js';

export interface RecoveredOperation {
  deploymentId: number;
  status: Deployment['status'];
  summary: string;
}

/** What one recovery did: the orphaned operations it closed, and what else it put right. */
export interface RecoveryReport {
  operations: RecoveredOperation[];
  /** Interrupted backups cleaned up, an interrupted database swap finished: one line each. */
  cleanedUp: string[];
}

/**
 * Crash recovery on its own (the daemon's start, `switchyard recover`): under the lock, unless a live process
 * holds it, which is never disturbed (`busy` names it). Every operation start runs the same recovery too.
 */
export async function recoverWith(ports: DeployPorts): Promise<RecoveryReport & { busy: LockHolder | null }> {
  const holder = ports.lock.holder();
  if (holder && !ports.lock.isStale(holder)) return { operations: [], cleanedUp: [], busy: holder };
  const report = await holdingLock(ports, 'crash recovery', () => recoverOrphans(ports));
  return { ...report, busy: null };
}

/**
 * Crash recovery, run by whoever holds the lock before its own operation starts (operation.ts). Every operation
 * holds the lock while it runs, so once this process holds it, whatever the journal shows as running was orphaned
 * by a dead process: temp files go, an interrupted backup is failed, an interrupted database swap is completed,
 * and a kept database whose safety backup did not end is dumped, verified and dropped.
 * An orphan that a later finished operation superseded is closed with nothing undone (recoveryPlan.ts); any other
 * is undone, newest first, so that the version recorded before it runs healthy.
 */
export async function recoverOrphans(ports: DeployPorts): Promise<RecoveryReport> {
  const orphans = ports.deployments.unfinished();
  const backupsRunning = ports.backups.list({ status: 'running' }).length;
  if (orphans.length === 0 && backupsRunning === 0) {
    const cleanedUp = await ports.repairLeftovers(false);
    return { operations: [], cleanedUp: [...cleanedUp, ...(await secureLeftKept(ports))] };
  }

  ports.log.warn('recovering from an interrupted operation', { orphans: orphans.map((d) => d.id), backupsRunning });
  const cleanedUp = await ports.repairLeftovers(true);
  for (const note of cleanedUp) ports.log.warn(note);
  const finished = orphans.length
    ? ports.deployments
        .after(orphans[0]!.id)
        .filter((d) => d.status !== 'running')
        .map((d) => ({ id: d.id, changedHost: anyMutated(stepNames(ports, d.id)) }))
    : [];
  const operations: RecoveredOperation[] = [];
  for (const step of planRecovery(orphans, finished)) {
    const orphan = orphans.find((d) => d.id === step.id)!;
    operations.push(await closeOrphan(ports, orphan, step.action === 'supersede' ? step.by : null));
  }
  return { operations, cleanedUp: [...cleanedUp, ...(await secureLeftKept(ports))] };
}

/**
 * The kept databases still there once every orphan is closed: their operation ended before its safety backup
 * did (a crash, a stop, a dump that failed). Each is dumped, verified, recorded and dropped now, never dropped
 * unverified; a failure leaves it for the next start, loudly. Returns one line each.
 */
async function secureLeftKept(ports: DeployPorts): Promise<string[]> {
  // The journal says first whether any swap kept a database not dropped since: only then is the server asked.
  const swaps = ports.deployments.stepsWithoutLater(KEEPING_SWAPS, 'drop kept database');
  if (!swaps.some((s) => s.name === 'rollback: swap back' || (s.detail as { kept?: unknown } | null)?.kept)) return [];
  let kept: KeptRef[];
  try {
    kept = await ports.database.keptDatabases();
  } catch (e) {
    ports.log.warn('cannot look for kept databases', { error: oneLine(e) });
    return [];
  }
  const notes: string[] = [];
  for (const ref of kept) {
    const secured = await secureKept(ports, new Journal(ports, ref.owner), ref, 'recovery');
    notes.push(
      secured.ok
        ? `took the safety backup ${secured.backup.fileName} of the database deployment ${ref.owner} replaced, then dropped that database`
        : secured.failure,
    );
  }
  return notes;
}

/** The steps that keep the database they replace (their detail names it; older versions' swap dropped it). */
const KEEPING_SWAPS: StepName[] = ['swap database', 'rollback: swap database', 'rollback: swap back'];

const stepNames = (ports: DeployPorts, id: number) => ports.deployments.steps(id).map((s) => s.name);

/**
 * What an orphaned operation had done decides the undo: nothing changed, or put the recorded previous state back.
 * `supersededBy`: a later operation changed what runs since; nothing is undone.
 */
async function closeOrphan(
  ports: DeployPorts,
  d: Deployment,
  supersededBy: number | null,
): Promise<RecoveredOperation> {
  const steps = ports.deployments.steps(d.id);
  const names = steps.map((s) => s.name);
  const last = steps.at(-1);
  const where = last
    ? `${last.status === 'running' ? 'during' : 'after'} step "${last.name}"`
    : 'before its first step';
  let status: Exclude<Deployment['status'], 'running'> = 'interrupted';
  let summary: string;

  if (supersededBy !== null) {
    status = 'superseded';
    summary = `interrupted ${where}; superseded by deployment ${supersededBy}, which changed what runs after it: nothing undone`;
  } else if (!anyMutated(names) || d.previousImages === null) {
    summary = `interrupted ${where}; it had changed nothing`;
  } else {
    const backup = d.backupId ? ports.backups.get(d.backupId) : undefined;
    // A deploy follows the configured policy; a rollback puts its database back only if it had reached it (its
    // kept database swapped back; a safety backup restored after an older version's rollback).
    const restoreDatabase =
      d.kind === 'deploy' ? ports.settings.restoreDatabase : anyTouchedDatabase(names) ? 'always' : 'never';
    // Nothing lost: whatever database the undo replaces is kept, dumped once the app serves, then dropped.
    const undo = await restorePreviousState(ports, new Journal(ports, d.id), {
      previous: { commit: d.previousCommit, images: d.previousImages },
      backup: backup?.status === 'ok' ? backup : undefined,
      restoreDatabase,
      owner: d.id,
      actor: 'recovery',
    });
    if (!undo.ok) status = 'rollback-failed';
    summary = `interrupted ${where}; ${describeUndo(undo, 'recovery put the previous version back')}`;
  }
  const record = finishDeployment(ports, d.id, status, summary, (message) => ({
    audit: {
      actor: 'recovery',
      action: d.kind,
      target: `deployment ${d.id}`,
      ok: status !== 'rollback-failed',
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

/** The report in lines, for people: one per orphan closed, one per other repair; none when nothing was wrong. */
export function describeRecovery(report: RecoveryReport): string[] {
  return [
    ...report.operations.map((r) => `deployment ${r.deploymentId}: ${r.status}: ${r.summary}`),
    ...report.cleanedUp,
  ];
}
