import { createBackup } from '../backup/create.js';
import { applyRetention } from '../backup/retention.js';
import { writePins } from '../compose/pins.js';
import { runCompose, streamCompose } from '../compose/project.js';
import type { Context } from '../context.js';
import { oneLine } from '../errors.js';
import type { BackupRow, Deployment, ImagePins } from '../store/index.js';
import { redact } from '../util/redact.js';
import { resolveRef, validateRef, type ResolvedRef } from '../versions/ref.js';
import { explainFailure } from './failureReport.js';
import { checkHealth } from './health.js';
import { removeUnneededImages } from './imageCleanup.js';
import { Journal } from './journal.js';
import { operationStarted } from './shutdown.js';
import { preflight, pullTargetImages, targetImages } from './images.js';
import { rollBackAutomatically } from './autoRollback.js';
import { assertCleanWorkTree, captureHostState, checkoutCommit, type HostState } from './state.js';

export interface DeployRequest {
  ref: string;
  actor: string;
}

export interface StartedDeployment {
  id: number;
  /** Settles when the deployment has ended, whatever the outcome (it never rejects). */
  done: Promise<Deployment>;
}

/**
 * Steps 1 and 2 — validate and resolve the ref, take the lock — happen before
 * this returns, so a bad ref is a 400/404 and a busy host a 409. The rest runs
 * in the background; watch it through ctx.events or the journal.
 */
export async function startDeploy(ctx: Context, request: DeployRequest): Promise<StartedDeployment> {
  const ref = validateRef(request.ref);
  const version = await resolveRef(ctx.config.project.dir, ref);
  const release = ctx.store.lock.acquire(`deploy ${ref}`);
  let id: number;
  try {
    id = ctx.store.deployments.create({ kind: 'deploy', ref, commit: version.sha, tag: version.tag, actor: request.actor });
  } catch (e) {
    release();
    throw e;
  }
  const ended = operationStarted();
  const done = runDeploy(ctx, id, version, request.actor).finally(() => {
    release();
    ended();
  });
  return { id, done };
}

/** Convenience for the CLI and tests: start and wait. */
export async function deploy(ctx: Context, request: DeployRequest): Promise<Deployment> {
  return (await startDeploy(ctx, request)).done;
}

/**
 * Plan first, mutate last. Everything up to the backup only reads or adds
 * (images, a dump): a failure there ends the deployment with the host as it
 * was. From the checkout on, a failure rolls back to the recorded previous state.
 */
async function runDeploy(ctx: Context, id: number, version: ResolvedRef, actor: string): Promise<Deployment> {
  const journal = new Journal(ctx, id);
  const { deployments, audit } = ctx.store;
  let previous: HostState | undefined;
  let backup: BackupRow | undefined;
  let pins: ImagePins | undefined;
  try {
    await journal.step('resolve', async () => version, (v) => ({ ref: v.ref, commit: v.sha, tag: v.tag }));
    previous = await journal.step('inspect', () => captureHostState(ctx), (s) => s);
    deployments.setPrevious(id, previous.commit, previous.images);
    const targets = targetImages(ctx.config, version);
    pins = await journal.step('pull', () => pullTargetImages(ctx, targets, journal), (p) => p);
    deployments.setImages(id, pins);
    await journal.step('preflight', async () => {
      if (previous!.commit !== null && !ctx.config.deploy.allowDirtyWorkTree) await assertCleanWorkTree(ctx.config);
      return preflight(ctx, pins!);
    });
    backup = await takePreDeployBackup(ctx, journal, id, actor);
  } catch (e) {
    return finish('failed', `deploy of ${version.ref} failed before any change: ${oneLine(e)}`);
  }

  try {
    if (previous.commit === null) journal.skip('checkout', 'project.dir is not a git repository');
    else await journal.step('checkout', () => checkoutCommit(ctx.config.project.dir, version.sha), () => ({ commit: version.sha }));
    await journal.step('pin', () => writeAndValidatePins(ctx, pins!));
    await journal.step('up', () => composeUp(ctx, journal));
    await journal.step('health', () => checkHealth(ctx, pins!));
  } catch (e) {
    const cause = await explainFailure(ctx, journal, e);
    const outcome = await rollBackAutomatically(ctx, journal, { previous, backup, cause });
    return finish(outcome.status, `deploy of ${version.ref} failed: ${cause}; ${outcome.summary}`);
  }

  await journal.step('cleanup', async () => ({
    prunedBackups: (await applyRetention(ctx)).length,
    removedImages: await removeUnneededImages(ctx),
  }), (r) => r).catch(() => undefined); // housekeeping never fails a deployment that succeeded
  return finish('succeeded', null);

  function finish(status: 'succeeded' | 'failed' | 'rolled-back' | 'rollback-failed', error: string | null): Deployment {
    const message = error === null ? null : redact(error);
    deployments.finish(id, status, message);
    audit.record({ actor, action: 'deploy', target: version.ref, outcome: status === 'succeeded' ? 'ok' : 'failed', detail: message });
    if (status === 'rollback-failed') ctx.log.error('ROLLBACK FAILED: the app may be down; see the deployment record', { deployment: id });
    const record = deployments.get(id)!;
    ctx.events.emit(id, { type: 'done', deployment: record });
    ctx.notifier.send({ event: 'deploy', ok: status === 'succeeded', summary: message ?? `deployed ${version.ref} (${version.sha.slice(0, 7)})`, details: { id, ref: version.ref, commit: version.sha, status } });
    return record;
  }
}

async function takePreDeployBackup(ctx: Context, journal: Journal, id: number, actor: string): Promise<BackupRow | undefined> {
  try {
    const backup = await journal.step('backup', () => createBackup(ctx, { reason: 'pre-deploy', actor, deploymentId: id }), (b) => ({ id: b.id, file: b.fileName }));
    ctx.store.deployments.setBackup(id, backup.id);
    return backup;
  } catch (e) {
    if (!ctx.config.deploy.allowWithoutBackup) throw e;
    journal.log(`deploying without a backup (deploy.allowWithoutBackup): ${oneLine(e)}`);
    return undefined;
  }
}

/** Writes the pin file, then asks compose whether the whole set of files is valid. */
export async function writeAndValidatePins(ctx: Context, pins: ImagePins): Promise<void> {
  await writePins(ctx.config.stateDir, pins);
  const check = await runCompose(ctx.config, ['config', '--quiet']);
  if (check.code !== 0) throw new Error(`docker compose rejects the files with the pin file: ${check.stderr.split('\n')[0]}`);
}

export async function composeUp(ctx: Context, journal: Journal): Promise<void> {
  await streamCompose(
    ctx.config,
    ['up', '--detach', '--no-build', '--remove-orphans', '--wait', '--wait-timeout', String(ctx.config.deploy.timeoutSeconds)],
    (line) => journal.log(line),
  );
}
