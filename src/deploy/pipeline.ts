import { oneLine } from '../errors.js';
import type { BackupRow, Deployment, ImagePins } from '../store/index.js';
import type { ResolvedRef } from '../versions/ref.js';
import { explainFailure } from './failureReport.js';
import { Journal } from '../ops/journal.js';
import { startOperation, type StartedDeployment } from '../ops/operation.js';
import type { DeployPorts } from './ports.js';
import { deploymentEndLog, finishDeployment } from '../ops/report.js';
import { StoppedAtBoundary } from '../ops/shutdown.js';
import type { HostState } from './state.js';
import { describeUndo, restorePreviousState } from './undo.js';

export type { StartedDeployment } from '../ops/operation.js';

export interface DeployRequest {
  ref: string;
  actor: string;
}

/** What a deploy goes to: the resolved version and, per managed service, the image reference to pull. */
export interface DeployTarget extends ResolvedRef {
  images: Record<string, string>;
  /**
   * The images are recorded pins (a restart of the current pair): made present by digest, pulled only when gone,
   * and pinned as they are; never resolved again from a tag that may have moved.
   */
  pinned?: boolean;
}

/** Runs a deploy to `target` under the operation runner (lock, record, shutdown tracking, release). */
export function startDeployment(ports: DeployPorts, target: DeployTarget, actor: string): Promise<StartedDeployment> {
  return startOperation(
    ports,
    `deploy ${target.ref}`,
    (at) =>
      ports.deployments.create({
        kind: 'deploy',
        ref: target.ref,
        commit: target.sha || null, // a restart of a pair recorded outside a git repository has none
        tag: target.tag,
        actor,
        createdAt: at,
      }),
    (id) => runDeploy(ports, id, target, actor),
    (id) => ports.deployments.get(id)!,
  );
}

/**
 * Plan first, mutate last. Everything up to the backup only reads or adds
 * (images, a dump): a failure there ends the deployment with the host as it
 * was. From the checkout on, a failure rolls back to the recorded previous state.
 */
export async function runDeploy(
  ports: DeployPorts,
  id: number,
  target: DeployTarget,
  actor: string,
): Promise<Deployment> {
  const journal = new Journal(ports, id);
  const { deployments, engine, host } = ports;
  let previous: HostState | undefined;
  let backup: BackupRow | undefined;
  let pins: ImagePins;
  try {
    await journal.step(
      'resolve',
      async () => target,
      (v) => ({ ref: v.ref, commit: v.sha, tag: v.tag, ...(v.pinned ? { pinned: v.images } : {}) }),
    );
    previous = await journal.step(
      'inspect',
      () => host.inspect(),
      (s) => s,
    );
    deployments.setPrevious(id, previous.commit, previous.images);
    pins = await journal.step(
      'pull',
      async () => {
        if (!target.pinned) return engine.pull(target.images, (p) => journal.progress(p));
        await engine.ensurePresent(target.images, (p) => journal.progress(p));
        return target.images;
      },
      (p) => p,
    );
    deployments.setImages(id, pins);
    const gitRepo = previous.commit !== null;
    await journal.step('preflight', async () => {
      if (gitRepo && !ports.settings.allowDirtyWorkTree) await host.assertCleanWorkTree();
      return engine.preflight(pins);
    });
    backup = await takePreDeployBackup(ports, journal, id, actor);
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    return finish('failed', `deploy of ${target.ref} failed before any change: ${oneLine(e)}`);
  }

  try {
    if (previous.commit === null) journal.skip('checkout', 'project.dir is not a git repository');
    else
      await journal.step(
        'checkout',
        () => host.checkout(target.sha),
        () => ({ commit: target.sha }),
      );
    await journal.step('pin', () => host.writePins(pins));
    await journal.step('up', () => engine.up((line) => journal.log(line)));
    await journal.step('health', () => engine.health(pins));
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    const cause = await explainFailure(ports, journal, e);
    const undo = await restorePreviousState(ports, journal, {
      previous,
      backup,
      restoreDatabase: ports.settings.restoreDatabase,
      owner: id,
      actor,
    });
    const status = undo.ok ? 'rolled-back' : 'rollback-failed';
    return finish(
      status,
      `deploy of ${target.ref} failed: ${cause}; ${describeUndo(undo, 'rolled back to the previous version')}`,
    );
  }

  // Housekeeping never fails a deployment that succeeded (but a stop request still stops here).
  await journal
    .step(
      'cleanup',
      () => ports.cleanup(),
      (r) => r,
    )
    .catch((e: unknown) => {
      if (e instanceof StoppedAtBoundary) throw e;
    });
  return finish('succeeded', null);

  function finish(status: Exclude<Deployment['status'], 'running'>, error: string | null): Deployment {
    return finishDeployment(ports, id, status, error, (message) => ({
      audit: { actor, action: 'deploy', target: target.ref, ok: status === 'succeeded', detail: message },
      notification: {
        event: 'deploy',
        ok: status === 'succeeded',
        summary: message ?? `deployed ${target.ref} (${target.sha.slice(0, 7)})`,
        details: { id, ref: target.ref, commit: target.sha, status },
      },
      log: deploymentEndLog(id, status, 'deployment finished'),
    }));
  }
}

async function takePreDeployBackup(
  ports: DeployPorts,
  journal: Journal,
  id: number,
  actor: string,
): Promise<BackupRow | undefined> {
  try {
    const backup = await journal.step(
      'backup',
      () => ports.database.dump({ reason: 'pre-deploy', actor, deploymentId: id }),
      (b) => ({ id: b.id, file: b.fileName }),
    );
    ports.deployments.setBackup(id, backup.id);
    return backup;
  } catch (e) {
    if (e instanceof StoppedAtBoundary || !ports.settings.allowWithoutBackup) throw e;
    journal.log(`deploying without a backup (deploy.allowWithoutBackup): ${oneLine(e)}`);
    return undefined;
  }
}
