import { simpleGit } from 'simple-git';
import type { Context } from '../../src/context.js';
import { targetImages } from '../../src/deploy/images.js';
import { captureHostState, type HostState } from '../../src/deploy/state.js';
import { inspectImage } from '../../src/docker/images.js';
import { oneLine } from '../../src/errors.js';
import { versionChanges, type VersionChanges } from '../../src/versions/changes.js';
import { listVersions, resolveRef, validateRef, type Version } from '../../src/versions/index.js';
import { freeBytes } from './diskSpace.js';

export interface PlannedImage {
  service: string;
  reference: string;
  /** Already on this host: the pull only confirms its digest. */
  local: boolean;
  /** Whether the service's container gets a different image; null when not known before the pull. */
  changes: boolean | null;
}

export interface DeployPlan {
  ref: string;
  sha: string;
  tag: string | null;
  /** The version as the Versions page lists it (CI, images); undefined when it is older than the list. */
  version: Version | undefined;
  current: { commit: string | null; error: string | null };
  images: PlannedImage[];
  /** Compose files that differ between the running commit and this one; null when unknown. */
  composeFilesChanged: string[] | null;
  backup: { database: string; dir: string; estimateBytes: number | null; freeBytes: number | null; allowWithout: boolean };
  restorePolicy: 'auto' | 'always' | 'never';
  /** Commits and migration files between what runs and this version, and the tag's message (src/versions/changes.ts). */
  changes: VersionChanges;
  timeouts: { composeSeconds: number; healthSeconds: number };
}

/**
 * Exactly what a deploy of `ref` will do, read without changing anything: the
 * same ref resolution and image names as the pipeline, what runs now, and the
 * backup and restore settings. Shown before the operator confirms.
 */
export async function planDeploy(ctx: Context, rawRef: string): Promise<DeployPlan> {
  const ref = validateRef(rawRef);
  const resolved = await resolveRef(ctx.config.project.dir, ref);
  const [host, listing] = await Promise.all([
    captureHostState(ctx).then(
      (state): { state: HostState | null; error: string | null } => ({ state, error: null }),
      (e: unknown) => ({ state: null, error: oneLine(e) }),
    ),
    listVersions(ctx, { currentSha: ctx.store.deployments.current()?.commit ?? null }),
  ]);
  const docker = ctx.docker();
  const images = await Promise.all(
    Object.entries(targetImages(ctx.config, resolved)).map(async ([service, reference]): Promise<PlannedImage> => {
      const local = await inspectImage(docker, reference); // undefined: not on this host (or Docker did not answer)
      const running = host.state?.images[service];
      let changes: boolean | null = null;
      if (host.state && running === undefined) changes = true; // not running: it will be started
      else if (local?.digestRef && running) changes = local.digestRef !== running;
      return { service, reference, local: local !== undefined, changes };
    }),
  );
  const lastDump = ctx.store.backups.list({ status: 'ok' }).find((b) => b.sizeBytes !== null);
  return {
    ref,
    sha: resolved.sha,
    tag: resolved.tag,
    version: listing.versions.find((v) => v.sha === resolved.sha),
    current: { commit: host.state?.commit ?? null, error: host.error },
    images,
    composeFilesChanged: await changedComposeFiles(ctx, host.state?.commit ?? null, resolved.sha),
    backup: {
      database: ctx.config.database.name,
      dir: ctx.config.backups.dir,
      estimateBytes: lastDump?.sizeBytes ?? null,
      freeBytes: await freeBytes(ctx.config.backups.dir),
      allowWithout: ctx.config.deploy.allowWithoutBackup,
    },
    restorePolicy: ctx.config.deploy.restoreDatabase,
    changes: await versionChanges(ctx.config.project.dir, {
      from: host.state?.commit ?? null,
      to: resolved.sha,
      tag: resolved.tag,
      migrationPaths: ctx.config.project.migrationPaths,
    }),
    timeouts: { composeSeconds: ctx.config.deploy.timeoutSeconds, healthSeconds: ctx.config.health.timeoutSeconds },
  };
}

async function changedComposeFiles(ctx: Context, from: string | null, to: string): Promise<string[] | null> {
  if (!from || !/^[0-9a-f]{40}$/.test(from)) return null;
  if (from === to) return [];
  return simpleGit({ baseDir: ctx.config.project.dir })
    .raw(['diff', '--name-only', from, to, '--', ...ctx.config.project.composeFiles])
    .then(
      (out) => out.split('\n').filter(Boolean),
      () => null,
    );
}
