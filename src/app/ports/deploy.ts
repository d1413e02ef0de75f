import fs from 'node:fs/promises';
import path from 'node:path';
import { createBackup } from '../../backup/create.js';
import { recoverInterruptedBackups } from '../../backup/recover.js';
import { repairInterruptedSwap, restoreDatabase } from '../../backup/restore.js';
import { applyRetention } from '../../backup/retention.js';
import { beginOnlineRestore } from '../../backup/restoreOnline.js';
import { dropKeptDatabase, keptDatabasesOf, keptName, swapKeptBack } from '../../backup/kept.js';
import { leftoversFileName } from '../../backup/naming.js';
import { writePins } from '../../compose/pins.js';
import { pinFilePath } from '../../config/stateFiles.js';
import { runCompose, streamCompose } from '../../compose/project.js';
import { switchServices } from '../../compose/switch.js';
import { switchPorts } from './switch.js';
import type { Runtime } from '../runtime.js';
import { inspectDatabase, withSession } from '../../database/index.js';
import { failed, notFound, oneLine } from '../../errors.js';
import { diagnoseContainers } from '../../deploy/failureReport.js';
import { checkHealth } from '../../deploy/health.js';
import { databaseWriters, dumpProblem } from '../../deploy/checks.js';
import { removeUnneededImages } from '../../deploy/imageCleanup.js';
import { ensurePinsPresent, preflight, pullTargetImages, targetImages } from '../../deploy/images.js';
import type { StartedDeployment } from '../../ops/operation.js';
import { startDeployment, type DeployRequest, type DeployTarget } from '../../deploy/pipeline.js';
import type { DeployPorts } from '../../deploy/ports.js';
import { recoverOrphans, recoverWith, type RecoveryReport } from '../../deploy/recover.js';
import { startRollbackWith, type RollbackRequest } from '../../deploy/rollback.js';
import { rollbackSpaceProblem } from '../../deploy/rollbackSpace.js';
import { assertCleanWorkTree, captureHostState } from '../../deploy/state.js';
import { checkoutCommit } from '../../util/git.js';
import type { Deployment } from '../../store/index.js';
import { onSwarm } from './swarm.js';
import { tagOf } from '../../versions/naming.js';
import { resolveRef, validateRef } from '../../versions/ref.js';

/*
 * The faces' entry points: a Runtime in, its ports built, the operation of pipeline.ts,
 * rollback.ts or recover.ts run on them. Everything below them sees only DeployPorts.
 */

/**
 * Steps 1 and 2 — validate and resolve the ref, take the lock — happen before
 * this returns, so a bad ref is a 400/404 and a busy host a 409. The rest runs
 * in the background; watch it through ctx.events or the journal.
 */
export async function startDeploy(ctx: Runtime, request: DeployRequest): Promise<StartedDeployment> {
  const ref = validateRef(request.ref);
  const version = await resolveRef(ctx.config.project.dir, ref);
  const target: DeployTarget = { ...version, images: targetImages(ctx.config, version) };
  return startDeployment(deployPorts(ctx), target, request.actor);
}

/**
 * Restart the current version: a deploy of the recorded pair, the same commit and the pinned digests (not its tag,
 * which may have moved), with its backup first and its health check, rolled back like any deploy if it fails.
 */
export async function startRestart(ctx: Runtime, request: { actor: string }): Promise<StartedDeployment> {
  return startDeployment(deployPorts(ctx), restartTarget(ctx.store.deployments.current()), request.actor);
}

/** The recorded pair as a deploy target; refused when nothing with its pins was recorded. */
export function restartTarget(
  current: Pick<Deployment, 'id' | 'kind' | 'ref' | 'commit' | 'tag' | 'images'> | undefined,
): DeployTarget {
  if (!current?.images || Object.keys(current.images).length === 0)
    throw notFound('there is no current version to restart: switchyard has recorded no deployment with its images');
  // A rollback or restore is named "before #N" or by its file: the version is its tag, else its commit.
  const ref =
    current.kind === 'deploy' && current.ref ? current.ref : (current.tag ?? current.commit ?? `#${current.id}`);
  return { ref, sha: current.commit ?? '', tag: current.tag, images: current.images, pinned: true };
}

/** Convenience for the CLI and tests: start and wait. */
export async function deploy(ctx: Runtime, request: DeployRequest): Promise<Deployment> {
  return (await startDeploy(ctx, request)).done;
}

/** A rollback of a recorded deployment; its previous commit is named by its tag where it has one. */
export async function startRollback(ctx: Runtime, request: RollbackRequest): Promise<StartedDeployment> {
  const target = ctx.store.deployments.get(request.deploymentId);
  const previousTag = target ? await tagOf(ctx.config.project.dir, target.previousCommit) : null;
  return startRollbackWith(deployPorts(ctx), request, previousTag);
}

/** Crash recovery on its own (recover.ts): when the daemon starts, and `switchyard recover`. */
export async function recoverInterruptedOperations(ctx: Runtime): ReturnType<typeof recoverWith> {
  return recoverWith(deployPorts(ctx));
}

/** Crash recovery by the holder of the lock, before its operation (the Runtime's recoverOrphans). */
export async function recoverOrphansOf(ctx: Runtime): Promise<RecoveryReport> {
  return recoverOrphans(deployPorts(ctx));
}

/**
 * The composition root of src/deploy: the ports of the pipeline, the rollback and recovery,
 * wired to Docker, compose, git, PostgreSQL and the store of one Runtime. Built per operation,
 * so a reloaded config (SIGHUP) applies to the next one.
 */
export function deployPorts(ctx: Runtime): DeployPorts {
  const config = ctx.config;
  const { store } = ctx;
  const ports: DeployPorts = {
    settings: {
      restoreDatabase: config.deploy.restoreDatabase,
      allowWithoutBackup: config.deploy.allowWithoutBackup,
      allowDirtyWorkTree: config.deploy.allowDirtyWorkTree,
      databaseWriters: databaseWriters(config),
      carryOver: config.rollback.carryOver,
    },
    deployments: store.deployments,
    backups: store.backups,
    audit: store.audit,
    lock: store.lock,
    events: ctx.events,
    log: ctx.log,
    redactor: ctx.redactor,
    clock: ctx.clock,
    notify: (n) => ctx.notifier.send(n),
    stop: ctx.shutdown,
    recoverOrphans: () => ctx.recoverOrphans(),
    engine: {
      pull: (targets, onProgress) => pullTargetImages(ctx, targets, onProgress),
      ensurePresent: (pins, onProgress) => ensurePinsPresent(ctx, pins, onProgress),
      preflight: (pins) => preflight(ctx, pins),
      up: async (onLine) => void (await switchServices(switchPorts(ctx), onLine)),
      stop: (services, onLine) => streamCompose(config, ['stop', ...services], onLine),
      health: (pins) => checkHealth(ctx, pins),
      diagnose: (step, error) => diagnoseContainers(ctx, step, error),
    },
    host: {
      inspect: () => captureHostState(ctx),
      assertCleanWorkTree: () => assertCleanWorkTree(config),
      checkout: (sha) => checkoutCommit(config.project.dir, sha),
      writePins: async (pins) => {
        await writePins(config.stateDir, pins);
        const check = await runCompose(config, ['config', '--quiet']);
        if (check.code !== 0)
          throw new Error(`docker compose rejects the files with the pin file: ${check.stderr.split('\n')[0]}`);
      },
      restorePins: async (previous) => {
        if (Object.keys(previous.images).length > 0) await writePins(config.stateDir, previous.images);
        else await fs.rm(pinFilePath(config.stateDir), { force: true });
      },
    },
    database: {
      dump: (request) => createBackup(ctx, request),
      checkDump: async (dump) => {
        const problem = await dumpProblem(config.backups.dir, dump);
        if (problem) throw failed(problem);
      },
      spaceProblem: (backup, carryOver) => rollbackSpaceProblem(ctx, backup, carryOver),
      restore: (backup) => restoreDatabase(ctx, backup),
      restoreOnline: (backup, carryOver, keep) => beginOnlineRestore(ctx, backup, carryOver, keep),
      keptDatabases: () => keptDatabasesOf(ctx),
      dumpKept: (ref, request) => createBackup(ctx, { ...request, from: keptName(ctx.database().database, ref) }),
      swapBack: (owner) => swapKeptBack(ctx, owner),
      dropKept: (ref) => dropKeptDatabase(ctx, ref),
      leftoversFile: (id) => path.resolve(config.backups.dir, leftoversFileName(ctx.clock.now(), id)),
      schemaFingerprint: () => withSession(ctx.database(), async (s) => (await inspectDatabase(s)).schemaFingerprint),
    },
    cleanup: async () => ({
      prunedBackups: (await applyRetention(ctx)).length,
      removedImages: await removeUnneededImages(ctx),
    }),
    repairLeftovers: async (orphans) => {
      const notes: string[] = [];
      await removePinTempFiles(ctx);
      const backups = await recoverInterruptedBackups(ctx);
      if (backups.recovered > 0)
        notes.push(`cleaned up ${backups.recovered} interrupted backup(s) and their temp files`);
      if (orphans) {
        const swap = await repairInterruptedSwap(ctx);
        if (swap) notes.push(swap);
      }
      return notes;
    },
  };
  return config.project.engine === 'swarm' ? onSwarm(ctx, ports) : ports;
}

async function removePinTempFiles(ctx: Runtime): Promise<void> {
  const entries = await fs.readdir(ctx.config.stateDir).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith('pins.compose.yml.tmp-')) continue;
    await fs
      .rm(path.join(ctx.config.stateDir, name), { force: true })
      .catch((e: unknown) => ctx.log.warn('cannot remove', { name, error: oneLine(e) }));
  }
}
