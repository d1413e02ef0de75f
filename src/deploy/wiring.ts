import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../backup/checksum.js';
import { createBackup } from '../backup/create.js';
import { recoverInterruptedBackups } from '../backup/recover.js';
import { repairInterruptedSwap, restoreDatabase } from '../backup/restore.js';
import { applyRetention } from '../backup/retention.js';
import { beginOnlineRestore } from '../backup/restoreOnline.js';
import { leftoversFileName } from '../backup/naming.js';
import { pinFilePath, writePins } from '../compose/pins.js';
import { runCompose, streamCompose } from '../compose/project.js';
import type { Context } from '../context.js';
import { inspectDatabase } from '../database/index.js';
import { registryAuth } from '../docker/auth.js';
import { inspectImage, pullImage } from '../docker/images.js';
import { failed, oneLine } from '../errors.js';
import { diagnoseContainers } from './failureReport.js';
import { checkHealth } from './health.js';
import { databaseWriters } from './checks.js';
import { removeUnneededImages } from './imageCleanup.js';
import { preflight, pullTargetImages, targetImages } from './images.js';
import type { StartedDeployment } from './operation.js';
import { startDeployment, type DeployRequest, type DeployTarget } from './pipeline.js';
import type { DeployPorts } from './ports.js';
import { recoverWith, type RecoveredOperation } from './recover.js';
import { startRollbackWith, type RollbackRequest } from './rollback.js';
import { assertCleanWorkTree, captureHostState, checkoutCommit } from './state.js';
import type { Deployment } from '../store/index.js';
import { tagOf } from '../versions/naming.js';
import { resolveRef, validateRef } from '../versions/ref.js';

/*
 * The faces' entry points: a Context in, its ports built, the operation of pipeline.ts,
 * rollback.ts or recover.ts run on them. Everything below them sees only DeployPorts.
 */

/**
 * Steps 1 and 2 — validate and resolve the ref, take the lock — happen before
 * this returns, so a bad ref is a 400/404 and a busy host a 409. The rest runs
 * in the background; watch it through ctx.events or the journal.
 */
export async function startDeploy(ctx: Context, request: DeployRequest): Promise<StartedDeployment> {
  const ref = validateRef(request.ref);
  const version = await resolveRef(ctx.config.project.dir, ref);
  const target: DeployTarget = { ...version, images: targetImages(ctx.config, version) };
  return startDeployment(deployPorts(ctx), target, request.actor);
}

/** Convenience for the CLI and tests: start and wait. */
export async function deploy(ctx: Context, request: DeployRequest): Promise<Deployment> {
  return (await startDeploy(ctx, request)).done;
}

/** A rollback of a recorded deployment; its previous commit is named by its tag where it has one. */
export async function startRollback(ctx: Context, request: RollbackRequest): Promise<StartedDeployment> {
  const target = ctx.store.deployments.get(request.deploymentId);
  const previousTag = target ? await tagOf(ctx.config.project.dir, target.previousCommit) : null;
  return startRollbackWith(deployPorts(ctx), request, previousTag);
}

/** Crash recovery (recover.ts), run when the daemon starts and before any CLI command that takes the lock. */
export async function recoverInterruptedOperations(ctx: Context): Promise<RecoveredOperation[]> {
  return recoverWith(deployPorts(ctx));
}

/**
 * The composition root of src/deploy: the ports of the pipeline, the rollback and recovery,
 * wired to Docker, compose, git, PostgreSQL and the store of one Context. Built per operation,
 * so a reloaded config (SIGHUP) applies to the next one.
 */
export function deployPorts(ctx: Context): DeployPorts {
  const config = ctx.config;
  const { store } = ctx;
  const upArgs = [
    'up',
    '--detach',
    '--no-build',
    '--remove-orphans',
    '--wait',
    '--wait-timeout',
    String(config.deploy.timeoutSeconds),
  ];
  return {
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
    engine: {
      pull: (targets, onProgress) => pullTargetImages(ctx, targets, onProgress),
      ensurePresent: async (pins, onProgress) => {
        const docker = ctx.docker();
        for (const [service, ref] of Object.entries(pins)) {
          if (await inspectImage(docker, ref)) continue;
          if (!ref.includes('@sha256:'))
            throw failed(`image ${ref} of service ${service} is gone and has no registry digest to pull it by`);
          await pullImage(docker, ref, registryAuth(config, ref, ctx.redactor), onProgress).catch((e: unknown) => {
            throw failed(`image ${ref} of service ${service} is not on this host and cannot be pulled: ${oneLine(e)}`);
          });
        }
      },
      preflight: (pins) => preflight(ctx, pins),
      up: (onLine) => streamCompose(config, upArgs, onLine),
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
        const file = path.join(config.backups.dir, dump.fileName);
        const actual = await sha256File(file).catch(() => null);
        if (actual === null) throw failed(`the dump ${dump.fileName} is missing from ${config.backups.dir}`);
        if (actual !== dump.sha256)
          throw failed(`the dump ${dump.fileName} does not match its recorded sha256: it was changed or damaged`);
      },
      restore: (backup) => restoreDatabase(ctx, backup),
      restoreOnline: (backup, carryOver) => beginOnlineRestore(ctx, backup, carryOver),
      leftoversFile: (id) => path.resolve(config.backups.dir, leftoversFileName(ctx.clock.now(), id)),
      schemaFingerprint: () => withSession(ctx, async (s) => (await inspectDatabase(s)).schemaFingerprint),
    },
    cleanup: async () => ({
      prunedBackups: (await applyRetention(ctx)).length,
      removedImages: await removeUnneededImages(ctx),
    }),
    repairLeftovers: async (orphans) => {
      const notes: string[] = [];
      await removePinTempFiles(ctx);
      await recoverInterruptedBackups(ctx);
      if (orphans) {
        const swap = await repairInterruptedSwap(ctx);
        if (swap) notes.push(swap);
      }
      return notes;
    },
  };
}

async function withSession<T>(
  ctx: Context,
  use: (s: Awaited<ReturnType<ReturnType<Context['database']>['session']>>) => Promise<T>,
): Promise<T> {
  const session = await ctx.database().session();
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}

async function removePinTempFiles(ctx: Context): Promise<void> {
  const entries = await fs.readdir(ctx.config.stateDir).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith('pins.compose.yml.tmp-')) continue;
    await fs
      .rm(path.join(ctx.config.stateDir, name), { force: true })
      .catch((e: unknown) => ctx.log.warn('cannot remove', { name, error: oneLine(e) }));
  }
}
