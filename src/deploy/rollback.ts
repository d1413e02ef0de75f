import { carryOverCounts, describeCarryOver } from '../carryover/report.js';
import type { CarryOverMode, CarryOverReport } from '../carryover/run.js';
import { conflict, failed, inputError, notFound, oneLine } from '../errors.js';
import type { BackupRow, Deployment, ImagePins } from '../store/index.js';
import { versionLabel } from '../versions/naming.js';
import { explainFailure } from './failureReport.js';
import { Journal } from '../ops/journal.js';
import { secureKept } from './keptDatabase.js';
import { replaceOnline } from './onlineReplace.js';
import { startOperation, type StartedDeployment } from '../ops/operation.js';
import type { DeployPorts } from './ports.js';
import { deploymentEndLog, finishDeployment } from '../ops/report.js';
import { rollbackBlockers, type RollbackMode } from './rollbackPlan.js';
import { StoppedAtBoundary } from '../ops/shutdown.js';
import type { HostState } from './state.js';
import { describeUndo, restorePreviousState } from './undo.js';

export interface RollbackRequest {
  deploymentId: number;
  mode: RollbackMode;
  actor: string;
  /** What becomes of rows written since the dump; the configured `rollback.carryOver` when absent. */
  carryOver?: CarryOverMode;
}

/**
 * Brings back the state from just before a recorded deployment: its previous
 * commit and image digests, and its pre-deploy dump. A rollback is itself a
 * deployment record (kind rollback) whose "previous" is the state it replaced
 * and whose backup is its safety backup, so it can be rolled back in turn: a dump of the database its
 * swap replaced, taken after health while the app serves, recorded once verified.
 * The rules of the rollback plan (rollbackBlockers) refuse first; then the operation runner takes over.
 */
export function startRollbackWith(
  ports: DeployPorts,
  request: RollbackRequest,
  previousTag: string | null = null,
): Promise<StartedDeployment> {
  const target = ports.deployments.get(request.deploymentId);
  if (!target) throw notFound(`deployment ${request.deploymentId} does not exist`);
  const backup = target.backupId ? ports.backups.get(target.backupId) : undefined;
  const blocker = rollbackBlockers(target, backup)[request.mode];
  if (blocker?.code === 'running') throw conflict(blocker.reason);
  if (blocker)
    throw inputError(`${blocker.reason}; use ${blocker.code === 'no-images' ? '--database-only' : '--images-only'}`);
  const images = request.mode !== 'database-only';
  const dump = request.mode !== 'images-only' ? backup : undefined;

  return startOperation(
    ports,
    `rollback to before deployment ${target.id}`,
    (at) => {
      // A database-only rollback keeps the code that runs: record it, so "current version" stays known.
      const running = ports.deployments.current();
      return ports.deployments.create({
        kind: 'rollback',
        ref: `before #${target.id}${request.mode === 'full' ? '' : ` (${request.mode})`}`,
        commit: images ? target.previousCommit : (running?.commit ?? null),
        tag: images ? previousTag : (running?.tag ?? null), // a version is named by its tag everywhere
        actor: request.actor,
        rollbackOf: target.id,
        createdAt: at,
      });
    },
    (id) =>
      runRollback(
        ports,
        id,
        target,
        { images, dump, carryOver: request.carryOver ?? ports.settings.carryOver },
        request.actor,
      ),
    (id) => ports.deployments.get(id)!,
    // The app serves again: the database the swap kept is dumped, verified, recorded as the safety backup, dropped.
    async (record) => {
      if (record.status !== 'succeeded' || !dump) return;
      await secureKept(ports, new Journal(ports, record.id), { owner: record.id, undo: false }, request.actor);
    },
  );
}

async function runRollback(
  ports: DeployPorts,
  id: number,
  target: Deployment,
  parts: { images: boolean; dump: BackupRow | undefined; carryOver: CarryOverMode },
  actor: string,
): Promise<Deployment> {
  const journal = new Journal(ports, id);
  const { deployments, engine, host, database } = ports;
  let previous: HostState;
  let pins: ImagePins;
  let carried: CarryOverReport | undefined;
  try {
    await journal.step(
      'check',
      async () => {
        if (parts.dump) {
          await database.checkDump(parts.dump);
          const problem = await database.spaceProblem(parts.dump, parts.carryOver);
          if (problem) throw failed(problem);
        }
        if (parts.images) await engine.ensurePresent(target.previousImages ?? {}, (p) => journal.progress(p));
      },
      () => ({ deployment: target.id, backup: parts.dump?.id ?? null }),
    );
    previous = await journal.step(
      'inspect',
      () => host.inspect(),
      (s) => s,
    );
    deployments.setPrevious(id, previous.commit, previous.images);
    pins = parts.images ? target.previousImages! : previous.images;
    deployments.setImages(id, pins);
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    return finish('failed', `rollback refused, nothing changed: ${oneLine(e)}`);
  }

  // No safety dump here: the swap keeps the replaced database, dumped once the app serves (keptDatabase.ts).
  const online = { swapped: false };
  try {
    if (parts.dump)
      carried = await replaceOnline(
        ports,
        journal,
        {
          backup: parts.dump,
          mode: parts.carryOver,
          owner: id,
          title: `switchyard leftovers of rollback ${id} (to before deployment ${target.id})`,
          names: 'rollback',
        },
        online,
      );
    if (parts.images) {
      const commit = target.previousCommit;
      if (commit && previous.commit !== null)
        await journal.step(
          'checkout',
          () => host.checkout(commit),
          () => ({ commit }),
        );
      await journal.step('pin', () => host.writePins(pins));
    }
    await journal.step('up', () => engine.up((l) => journal.log(l)));
    await journal.step('health', () => engine.health(pins));
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    const cause = await explainFailure(ports, journal, e);
    // Past the swap the kept database is the pre-rollback state: the undo swaps it back.
    const undo = await restorePreviousState(ports, journal, {
      previous,
      backup: undefined,
      restoreDatabase: online.swapped ? 'always' : 'never',
      owner: id,
      actor,
    });
    const status = undo.ok ? 'rolled-back' : 'rollback-failed';
    return finish(status, `rollback failed: ${cause}; ${describeUndo(undo, 'put the pre-rollback state back')}`);
  }
  return finish('succeeded', null);

  function finish(status: Exclude<Deployment['status'], 'running'>, error: string | null): Deployment {
    return finishDeployment(ports, id, status, error, (message, record) => ({
      audit: {
        actor,
        action: 'rollback',
        target: `deployment ${target.id}`,
        ok: status === 'succeeded',
        detail: [message, carried && describeCarryOver(carried)].filter(Boolean).join('; ') || null,
      },
      notification: {
        event: 'rollback',
        ok: status === 'succeeded',
        summary:
          message ??
          `rolled back to before deployment ${target.id}: ${versionLabel(record.commit, undefined, record.tag)}`,
        details: { id, rollbackOf: target.id, status, ...(carried ? { carryOver: carryOverCounts(carried) } : {}) },
      },
      log: deploymentEndLog(id, status, 'rollback finished'),
    }));
  }
}
