import path from 'node:path';
import { createBackup } from '../backup/create.js';
import { sha256File } from '../backup/checksum.js';
import { restoreDatabase } from '../backup/restore.js';
import { streamCompose } from '../compose/project.js';
import type { Context } from '../context.js';
import { registryAuth } from '../docker/auth.js';
import { inspectImage, pullImage } from '../docker/images.js';
import { conflict, failed, inputError, notFound, oneLine } from '../errors.js';
import type { BackupRow, Deployment, ImagePins } from '../store/index.js';
import { redact } from '../util/redact.js';
import { databaseWriters, rollBackAutomatically } from './autoRollback.js';
import { checkHealth } from './health.js';
import { Journal } from './journal.js';
import { operationStarted } from './shutdown.js';
import { composeUp, writeAndValidatePins, type StartedDeployment } from './pipeline.js';
import { captureHostState, checkoutCommit, type HostState } from './state.js';

export type RollbackMode = 'full' | 'images-only' | 'database-only';

export interface RollbackRequest {
  deploymentId: number;
  mode: RollbackMode;
  actor: string;
}

/**
 * Brings back the state from just before a recorded deployment: its previous
 * commit and image digests, and its pre-deploy dump. A rollback is itself a
 * deployment record (kind rollback) whose "previous" is the state it replaced
 * and whose backup is its safety backup, so it can be rolled back in turn.
 */
export async function startRollback(ctx: Context, request: RollbackRequest): Promise<StartedDeployment> {
  const target = ctx.store.deployments.get(request.deploymentId);
  if (!target) throw notFound(`deployment ${request.deploymentId} does not exist`);
  if (target.status === 'running') throw conflict(`deployment ${target.id} is still running`);
  const images = request.mode !== 'database-only';
  const database = request.mode !== 'images-only';
  if (images && (!target.previousImages || Object.keys(target.previousImages).length === 0)) {
    throw inputError(`deployment ${target.id} recorded no previous images to go back to; use --database-only`);
  }
  const dump = database ? ctx.store.backups.get(target.backupId ?? -1) : undefined;
  if (database && dump?.status !== 'ok') {
    throw inputError(`deployment ${target.id} has no usable database backup${dump ? ` (backup ${dump.id} is ${dump.status})` : ''}; use --images-only`);
  }

  const release = ctx.store.lock.acquire(`rollback to before deployment ${target.id}`);
  let id: number;
  try {
    // A database-only rollback keeps the code that runs: record it, so "current version" stays known.
    const running = ctx.store.deployments.current();
    id = ctx.store.deployments.create({
      kind: 'rollback',
      ref: `before #${target.id}${request.mode === 'full' ? '' : ` (${request.mode})`}`,
      commit: images ? target.previousCommit : (running?.commit ?? null),
      tag: images ? null : (running?.tag ?? null),
      actor: request.actor,
      rollbackOf: target.id,
    });
  } catch (e) {
    release();
    throw e;
  }
  const ended = operationStarted();
  const done = runRollback(ctx, id, target, { images, dump }, request.actor).finally(() => {
    release();
    ended();
  });
  return { id, done };
}

async function runRollback(
  ctx: Context,
  id: number,
  target: Deployment,
  parts: { images: boolean; dump: BackupRow | undefined },
  actor: string,
): Promise<Deployment> {
  const journal = new Journal(ctx, id);
  const { deployments } = ctx.store;
  let previous: HostState;
  let safety: BackupRow | undefined;
  let pins: ImagePins;
  try {
    await journal.step('check', () => checkTarget(ctx, journal, target, parts), () => ({ deployment: target.id, backup: parts.dump?.id ?? null }));
    previous = await journal.step('inspect', () => captureHostState(ctx), (s) => s);
    deployments.setPrevious(id, previous.commit, previous.images);
    pins = parts.images ? target.previousImages! : previous.images;
    deployments.setImages(id, pins);
    if (parts.dump) {
      safety = await journal.step('backup', () => createBackup(ctx, { reason: 'pre-rollback', actor, deploymentId: id }), (b) => ({ id: b.id, file: b.fileName }));
      deployments.setBackup(id, safety.id);
    }
  } catch (e) {
    return finish('failed', `rollback refused, nothing changed: ${oneLine(e)}`);
  }

  let databaseRestored = false;
  try {
    if (parts.dump) {
      const dump = parts.dump;
      const writers = databaseWriters(ctx);
      await journal.step('stop writers', () => streamCompose(ctx.config, ['stop', ...writers], (l) => journal.log(l)), () => ({ services: writers }));
      databaseRestored = true; // from here on, undoing means restoring the safety backup
      // restoreDatabase verifies the restored copy (counts, fingerprint) before it takes the database's name.
      await journal.step('restore database', () => restoreDatabase(ctx, dump), () => ({ backup: dump.id, file: dump.fileName }));
    }
    if (parts.images) {
      if (target.previousCommit && previous.commit !== null) {
        await journal.step('checkout', () => checkoutCommit(ctx.config.project.dir, target.previousCommit!), () => ({ commit: target.previousCommit }));
      }
      await journal.step('pin', () => writeAndValidatePins(ctx, pins));
    }
    await journal.step('up', () => composeUp(ctx, journal));
    await journal.step('health', () => checkHealth(ctx, pins));
  } catch (e) {
    const cause = oneLine(e);
    const outcome = await rollBackAutomatically(ctx, journal, { previous, backup: safety, cause, restoreDatabase: databaseRestored ? 'always' : 'never' });
    return finish(outcome.status, `rollback failed: ${cause}; ${outcome.summary.replace('rolled back to the previous version', 'put the pre-rollback state back')}`);
  }
  return finish('succeeded', null);

  function finish(status: 'succeeded' | 'failed' | 'rolled-back' | 'rollback-failed', error: string | null): Deployment {
    const message = error === null ? null : redact(error);
    deployments.finish(id, status, message);
    ctx.store.audit.record({ actor, action: 'rollback', target: `deployment ${target.id}`, outcome: status === 'succeeded' ? 'ok' : 'failed', detail: message });
    const record = deployments.get(id)!;
    ctx.events.emit(id, { type: 'done', deployment: record });
    ctx.notifier.send({ event: 'rollback', ok: status === 'succeeded', summary: message ?? `rolled back to before deployment ${target.id}`, details: { id, rollbackOf: target.id, status } });
    return record;
  }
}

/** Everything the rollback needs must be there before anything changes. */
async function checkTarget(ctx: Context, journal: Journal, target: Deployment, parts: { images: boolean; dump: BackupRow | undefined }): Promise<void> {
  if (parts.dump) {
    const file = path.join(ctx.config.backups.dir, parts.dump.fileName);
    const actual = await sha256File(file).catch(() => null);
    if (actual === null) throw failed(`the dump ${parts.dump.fileName} is missing from ${ctx.config.backups.dir}`);
    if (actual !== parts.dump.sha256) throw failed(`the dump ${parts.dump.fileName} does not match its recorded sha256: it was changed or damaged`);
  }
  if (parts.images) {
    const docker = ctx.docker();
    for (const [service, ref] of Object.entries(target.previousImages ?? {})) {
      if (await inspectImage(docker, ref)) continue;
      if (!ref.includes('@sha256:')) throw failed(`image ${ref} of service ${service} is gone and has no registry digest to pull it by`);
      await pullImage(docker, ref, registryAuth(ctx.config, ref), (p) =>
        ctx.events.emit(journal.deploymentId, { type: 'progress', image: p.image, status: p.status, current: p.current, total: p.total }),
      ).catch((e: unknown) => {
        throw failed(`image ${ref} of service ${service} is not on this host and cannot be pulled: ${oneLine(e)}`);
      });
    }
  }
}
