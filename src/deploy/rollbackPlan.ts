import type { Config } from '../config/index.js';
import type { DockerClient } from '../docker/client.js';
import { toPublic, type BackupRecord, type BackupRow, type Deployment, type Store } from '../store/index.js';
import type { Redactor } from '../util/redact.js';
import { formatTime } from '../util/format.js';
import type { RegistryLookupPorts } from '../versions/images.js';
import { databaseWriters, dumpProblem, pinnedImageProblem } from './checks.js';
import { registryLookup } from './images.js';
import type { PlanNote } from './plan.js';
import { versionChanges, type VersionChanges } from '../versions/changes.js';
import { previewCarryOver, type CarryOverPreview } from '../carryover/preview.js';
import type { CarryOverMode } from '../carryover/run.js';
import { rollbackSpaceProblem, type RestoreSpacePorts } from './rollbackSpace.js';
import {
  alreadyUndone,
  readRollbackImpact,
  type ImpactPorts,
  type RollbackImpact,
} from '../carryover/rollbackImpact.js';

export type RollbackMode = 'full' | 'images-only' | 'database-only';
export const ROLLBACK_MODES: readonly RollbackMode[] = ['full', 'images-only', 'database-only'];

/** Why each kind of rollback is impossible (null: possible), from the record alone. */
export type ModeBlockers = Record<RollbackMode, PlanNote | null>;

/**
 * The rules of a rollback to before `target`, from its record: startRollback refuses with these,
 * and the plan shows them. A rollback needs the target finished, its previous images for the
 * images, and its pre-deploy backup in good standing for the database.
 */
export function rollbackBlockers(target: Deployment, backup: BackupRow | undefined): ModeBlockers {
  const running: PlanNote | null =
    target.status === 'running' ? { code: 'running', reason: `deployment ${target.id} is still running` } : null;
  const noImages: PlanNote | null =
    Object.keys(target.previousImages ?? {}).length === 0
      ? { code: 'no-images', reason: `deployment ${target.id} recorded no previous images to go back to` }
      : null;
  const noBackup: PlanNote | null =
    backup?.status === 'ok'
      ? null
      : {
          code: 'no-backup',
          reason: `deployment ${target.id} has no usable database backup${backup ? ` (backup ${backup.id} is ${backup.status})` : ''}`,
        };
  return {
    full: running ?? noImages ?? noBackup,
    'images-only': running ?? noImages,
    'database-only': running ?? noBackup,
  };
}

/** What planning a rollback reads: the records, the dump files, the engine, the registries, git and the live database. */
export interface RollbackPlanPorts extends ImpactPorts, RegistryLookupPorts, RestoreSpacePorts {
  config: Pick<Config, 'backups' | 'project' | 'services' | 'rollback' | 'registries'>;
  store: Pick<Store, 'backups' | 'deployments'>;
  docker(): DockerClient;
  redactor: Redactor;
}

export interface RollbackPlan {
  target: Deployment;
  mode: RollbackMode;
  /** Every mode, with why it is impossible (null: possible). */
  modes: ModeBlockers;
  /** The target's pre-deploy backup, when it is usable. */
  backup: BackupRecord | undefined;
  /** What each managed service runs now, and what it runs after (null: unchanged by this mode). */
  images: Array<{ service: string; digestNow: string | null; digestAfter: string | null; mustPull: boolean }>;
  commit: { now: string | null; after: string | null };
  /** What the code goes through: the commits taken away or brought back, and migration files; null without a commit. */
  changes: VersionChanges | null;
  /** Per table, the rows now against the rows in the dump (what the restore discards); null without a restore. */
  impact: RollbackImpact | { error: string } | null;
  /** Per table, what the configured carry-over would carry, leave over and discard (an estimate); null without a restore. */
  carryOver: CarryOverPreview | null;
  /** Why this would undo a rollback that already happened, or null. */
  undone: string | null;
  /** Services stopped while the database is restored. */
  stoppedServices: string[];
  warnings: PlanNote[];
  /** For the chosen mode: any blocker means the rollback is refused with nothing changed. */
  blockers: PlanNote[];
}

/**
 * What a rollback to before deployment `id` will do, read without changing anything: the rules
 * above, plus the rollback's own `check` step run as a look (checks.ts: the dump is there, whole
 * and matching its sha256; each image is here or its registry has it by digest, never pulled).
 */
export async function planRollback(
  ports: RollbackPlanPorts,
  target: Deployment,
  mode: RollbackMode = 'full',
  carryOver: CarryOverMode = ports.config.rollback.carryOver,
): Promise<RollbackPlan> {
  const backupRow = target.backupId ? ports.store.backups.get(target.backupId) : undefined;
  const modes = rollbackBlockers(target, backupRow);
  const usable = backupRow?.status === 'ok' ? backupRow : undefined;
  const withImages = mode !== 'database-only';
  const withDatabase = mode !== 'images-only';
  const blockers: PlanNote[] = modes[mode] ? [modes[mode]] : [];
  const warnings: PlanNote[] = [];

  if (withDatabase && usable) {
    const problem = await dumpProblem(ports.config.backups.dir, usable);
    if (problem) blockers.push({ code: 'dump-unusable', reason: problem });
    const space = await rollbackSpaceProblem(ports, usable, carryOver).catch(() => null); // unknown: the step checks
    if (space) blockers.push({ code: 'no-space', reason: space });
    warnings.push({
      code: 'writes-lost',
      reason: `database writes since ${formatTime(usable.createdAt)} (backup ${usable.id}) will be lost`,
    });
  }
  const current = ports.store.deployments.current();
  const source = registryLookup(ports);
  const images = await Promise.all(
    Object.keys(ports.config.services).map(async (service) => {
      const after = withImages ? (target.previousImages?.[service] ?? null) : null;
      const here = after !== null && (await source.isHere(after));
      return {
        service,
        digestNow: current?.images?.[service] ?? null,
        digestAfter: after,
        mustPull: after !== null && !here,
      };
    }),
  );
  for (const image of images) {
    if (!image.mustPull || !image.digestAfter) continue;
    const problem = await pinnedImageProblem(source, image.service, image.digestAfter);
    if (problem) blockers.push({ code: 'image-unavailable', reason: problem });
  }
  const undone = alreadyUndone(target, ports.store.deployments.list(1000));
  if (undone) {
    warnings.push({
      code: 'already-undone',
      reason: `${undone}: rolling back to before it again restores the state from before it over everything since`,
    });
  }
  const impact = withDatabase && usable ? await readRollbackImpact(ports, usable) : null;
  const commitNow = current?.commit ?? null;
  const commitAfter = withImages ? target.previousCommit : commitNow;
  return {
    target,
    mode,
    modes,
    backup: usable ? toPublic(usable) : undefined,
    images,
    commit: { now: commitNow, after: commitAfter },
    changes: commitAfter
      ? await versionChanges(
          ports.config.project.dir,
          {
            from: commitNow,
            to: commitAfter,
            tag: null,
            migrationPaths: ports.config.project.migrationPaths,
          },
          ports.redactor,
        )
      : null,
    impact,
    carryOver: impact && !('error' in impact) ? previewCarryOver(impact, carryOver) : null,
    undone,
    stoppedServices: databaseWriters(ports.config),
    warnings,
    blockers,
  };
}
