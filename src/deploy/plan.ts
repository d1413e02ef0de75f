import { gitIn } from '../util/git.js';
import { readComposeModel } from '../compose/project.js';
import { managedStrategies, planSwitches, type ServiceSwitch } from '../compose/strategy.js';
import { estimateDump, type DumpEstimate } from '../backup/estimate.js';
import type { Config } from '../config/index.js';
import type { DatabaseTarget } from '../database/index.js';
import type { FailedDeployment, Store } from '../store/index.js';
import type { VersionListPorts } from '../versions/list.js';
import type { DockerAccess } from './ports.js';
import { enginePlatform, inspectImage } from '../docker/images.js';
import { oneLine } from '../errors.js';
import { versionChanges, type VersionChanges } from '../versions/changes.js';
import { lookupImage } from '../versions/images.js';
import { listVersions, resolveRef, validateRef, type Version } from '../versions/index.js';
import { freeBytes } from '../util/diskSpace.js';
import { backupSpaceProblem, dirtyWorkTreeProblem, lookupProblem, platformProblem } from './checks.js';
import { targetImages } from './images.js';
import { captureHostState, type HostState } from './state.js';
import { stackFileNotes } from '../swarm/stack.js';

/**
 * What planning reads, and nothing it could change with: the config, what runs (Docker, git), the
 * records, the live database for the dump estimate, and the version list's sources.
 */
export interface PlanPorts extends VersionListPorts, DockerAccess {
  config: Config;
  store: Pick<Store, 'backups' | 'deployments'>;
  database(): DatabaseTarget;
}

/** Something the operator should know before confirming, or something that stops the operation. */
export interface PlanNote {
  code: string;
  reason: string;
}

export interface PlannedImage {
  service: string;
  /** repo:tag from the service's tag template. */
  reference: string;
  /** What the service's container runs now (digest, or image id); null when it is not running. */
  digestNow: string | null;
  /** The registry digest the deploy will pin, when the image is already here; null until the pull tells. */
  digestAfter: string | null;
  /** Not on this host: the pull downloads it. */
  mustPull: boolean;
  /** Whether the service's container gets a different image; null when not known before the pull. */
  changes: boolean | null;
}

export interface DeployPlan {
  ref: string;
  sha: string;
  tag: string | null;
  /** How the version is named: its tag, else the ref given. */
  name: string;
  /** The version as the Versions page lists it (CI, images); undefined when it is older than the list or not asked. */
  version: Version | undefined;
  current: { commit: string | null; error: string | null };
  /** Its last failed deploy, unless a later one of it succeeded: the operator may retry, warned. */
  failedBefore: FailedDeployment | null;
  /** Commits (subject, author, date) and migration files between what runs and the target, and the tag's message. */
  changes: VersionChanges;
  images: PlannedImage[];
  /** How each managed service's container is replaced, and why stop-first; null when compose cannot read the files. */
  switches: ServiceSwitch[] | null;
  /** Compose files that differ between the running commit and this one; null when unknown. */
  composeFilesChanged: string[] | null;
  backup: {
    database: string;
    dir: string;
    estimateBytes: number | null;
    neededBytes: number | null;
    basis: DumpEstimate['basis'] | null;
    freeBytes: number | null;
    allowWithout: boolean;
  };
  restorePolicy: 'auto' | 'always' | 'never';
  timeouts: { composeSeconds: number; healthSeconds: number };
  warnings: PlanNote[];
  /** Any blocker means the deploy would fail before changing anything. */
  blockers: PlanNote[];
}

/**
 * Exactly what a deploy of `ref` will do, read without changing anything (no pull, no dump, no
 * checkout): the pipeline's ref resolution and image names, whether the registry has each image
 * (the pull's own condition, asked as a manifest lookup), what runs now, the one dump estimate,
 * and the preflight's own rules (src/deploy/checks.ts) as blockers. `versions: true` also asks the
 * version list (CI state), which may reach GitHub.
 */
export async function planDeploy(
  ports: PlanPorts,
  rawRef: string,
  options: { versions?: boolean } = {},
): Promise<DeployPlan> {
  const ref = validateRef(rawRef);
  const resolved = await resolveRef(ports.config.project.dir, ref);
  const currentSha = ports.store.deployments.current()?.commit ?? null;
  const [host, listing, engine] = await Promise.all([
    captureHostState(ports).then(
      (state): { state: HostState | null; error: string | null } => ({ state, error: null }),
      (e: unknown) => ({ state: null, error: ports.redactor.redact(oneLine(e)) }), // the plan is shown as it is
    ),
    options.versions ? listVersions(ports, { currentSha }).catch(() => undefined) : Promise.resolve(undefined),
    enginePlatform(ports.docker()).catch(() => undefined),
  ]);
  const warnings: PlanNote[] = [];
  const blockers: PlanNote[] = [];
  if (host.error) warnings.push({ code: 'host-unknown', reason: `could not read what runs now: ${host.error}` });

  const docker = ports.docker();
  // The pull step pulls every target image by tag, here or not: the registry must have each (asked once per image).
  const inRegistry = new Map<string, Promise<string | null>>();
  const registryProblem = (reference: string) => {
    if (!inRegistry.has(reference)) inRegistry.set(reference, lookupImage(ports, reference).then(lookupProblem));
    return inRegistry.get(reference)!;
  };
  const images = await Promise.all(
    Object.entries(targetImages(ports.config, resolved)).map(async ([service, reference]): Promise<PlannedImage> => {
      const unpullable = await registryProblem(reference);
      if (unpullable)
        blockers.push({
          code: 'image-unavailable',
          reason: `image ${reference} of service ${service} cannot be pulled: ${unpullable}`,
        });
      const local = await inspectImage(docker, reference).catch(() => undefined);
      const running = host.state?.images[service] ?? null;
      let changes: boolean | null = null;
      if (host.state && running === null)
        changes = true; // not running: it will be started
      else if (local?.digestRef && running) changes = local.digestRef !== running;
      const platform = local && engine ? platformProblem(service, reference, local, engine) : null;
      if (platform) blockers.push({ code: 'platform', reason: platform });
      return {
        service,
        reference,
        digestNow: running,
        digestAfter: local?.digestRef ?? null,
        mustPull: !local,
        changes,
      };
    }),
  );

  const dir = ports.config.backups.dir;
  const target = ports.database();
  const [estimate, free] = await Promise.all([
    estimateDump(ports.store.backups.list({ status: 'ok' }), target).catch((e: unknown) => {
      warnings.push({
        code: 'estimate-unknown',
        reason: `cannot estimate the dump size: ${ports.redactor.redact(oneLine(e))}`,
      });
      return null;
    }),
    freeBytes(dir),
  ]);
  const space = backupSpaceProblem(dir, estimate?.neededBytes ?? null, free);
  if (space) blockers.push({ code: 'backup-space', reason: space });

  const commit = host.state?.commit ?? null;
  if (commit !== null && !ports.config.deploy.allowDirtyWorkTree) {
    const dirty = await dirtyWorkTreeProblem(ports.config.project.dir).catch(() => null);
    if (dirty) blockers.push({ code: 'dirty-work-tree', reason: dirty });
  }

  const version = listing?.versions.find((v) => v.sha === resolved.sha);
  if (version) {
    if (version.ci.state === 'failed')
      warnings.push({ code: 'ci-failed', reason: 'CI checks failed for this version' });
    else if (version.ci.state !== 'passed') {
      warnings.push({ code: `ci-${version.ci.state}`, reason: `CI checks are ${version.ci.state} for this version` });
    }
  }
  const failedBefore = ports.store.deployments.failedVersions().get(resolved.sha) ?? null;
  if (failedBefore)
    warnings.push({
      code: 'failed-before',
      reason: `this version failed when deployed before: deployment ${failedBefore.id} at ${failedBefore.at}: ${failedBefore.headline}`,
    });
  if (commit === resolved.sha)
    warnings.push({
      code: 'redeploy',
      reason: 'this commit runs now: its images are re-pulled and services recreated',
    });
  if (ports.config.deploy.allowWithoutBackup) {
    warnings.push({
      code: 'backup-optional',
      reason: 'if the backup fails, the deploy goes on without one (deploy.allowWithoutBackup)',
    });
  }
  if (ports.config.project.engine === 'swarm') warnings.push(...(await stackFileNotes(ports.config)));

  return {
    ref,
    sha: resolved.sha,
    tag: resolved.tag,
    name: resolved.tag ?? ref,
    version,
    failedBefore,
    current: { commit, error: host.error },
    changes: await versionChanges(
      ports.config.project.dir,
      {
        from: commit,
        to: resolved.sha,
        tag: resolved.tag,
        migrationPaths: ports.config.project.migrationPaths,
      },
      ports.redactor,
    ),
    images,
    // From the compose files checked out now: the ones the pipeline checks out may differ (composeFilesChanged).
    switches: await readComposeModel(ports.config, []).then(
      (m) => planSwitches(m.services, managedStrategies(ports.config.services)),
      () => null,
    ),
    composeFilesChanged: await changedComposeFiles(ports, commit, resolved.sha),
    backup: {
      database: target.database,
      dir,
      estimateBytes: estimate?.expectedBytes ?? null,
      neededBytes: estimate?.neededBytes ?? null,
      basis: estimate?.basis ?? null,
      freeBytes: free,
      allowWithout: ports.config.deploy.allowWithoutBackup,
    },
    restorePolicy: ports.config.deploy.restoreDatabase,
    timeouts: { composeSeconds: ports.config.deploy.timeoutSeconds, healthSeconds: ports.config.health.timeoutSeconds },
    warnings,
    blockers,
  };
}

const SHA = /^[0-9a-f]{40}$/;
async function changedComposeFiles(ports: PlanPorts, from: string | null, to: string): Promise<string[] | null> {
  if (!from || !SHA.test(from)) return null;
  if (from === to) return [];
  return gitIn(ports.config.project.dir)
    .raw(['diff', '--name-only', from, to, '--', ...ports.config.project.composeFiles])
    .then(
      (out) => out.split('\n').filter(Boolean),
      () => null,
    );
}
