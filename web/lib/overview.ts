import { simpleGit } from 'simple-git';
import { listBackups, type BackupListing } from '../../src/backup/index.js';
import type { Context } from '../../src/context.js';
import { currentStatus, type CurrentStatus } from '../../src/deploy/index.js';
import { oneLine } from '../../src/errors.js';
import type { Deployment, LockHolder } from '../../src/store/index.js';
import { redact } from '../../src/util/redact.js';
import { freeBytes } from './diskSpace.js';

/** The runbook's drill pre-check: the newest backup must be younger than this. */
export const BACKUP_MAX_AGE_HOURS = 24;

export interface Overview {
  status: CurrentStatus | null;
  /** Why Docker or compose could not be asked, when they could not. */
  statusError: string | null;
  current: Deployment | undefined;
  subject: string | null;
  /** Tag, ref or short sha of what runs, for a rollback too (its own ref is "before #N"). */
  versionLabel: string | null;
  newestBackup: BackupListing | undefined;
  backupAgeHours: number | null;
  /** The newest backup with an off-site copy, and its age; null/undefined without off-site copies. */
  newestOffsite: BackupListing | undefined;
  offsiteAgeHours: number | null;
  offsiteConfigured: boolean;
  backupsDir: string;
  freeBytes: number | null;
  operation: LockHolder | null;
  /** The deployment or rollback running now, if the operation is one. */
  running: Deployment | undefined;
}

/** Everything the first page shows, each part read on its own so one failure does not hide the rest. */
export async function readOverview(ctx: Context): Promise<Overview> {
  const current = ctx.store.deployments.current();
  const [status, commit, free] = await Promise.all([
    currentStatus(ctx).then(
      (s) => ({ s, error: null }),
      (e: unknown) => ({ s: null, error: redact(oneLine(e)) }),
    ),
    describeCommit(ctx, current?.commit ?? null),
    freeBytes(ctx.config.backups.dir),
  ]);
  const backups = listBackups(ctx);
  const newestBackup = backups.find((b) => b.status === 'ok');
  const newestOffsite = backups.find((b) => b.offsite?.state === 'uploaded');
  const lock = ctx.store.lock.holder();
  return {
    status: status.s,
    statusError: status.error,
    current,
    subject: commit.subject,
    versionLabel: current ? versionLabel(current, commit.tag) : null,
    newestBackup,
    backupAgeHours: newestBackup ? (Date.now() - Date.parse(newestBackup.createdAt)) / 3_600_000 : null,
    newestOffsite,
    offsiteAgeHours: newestOffsite ? (Date.now() - Date.parse(newestOffsite.createdAt)) / 3_600_000 : null,
    offsiteConfigured: ctx.config.offsite !== undefined,
    backupsDir: ctx.config.backups.dir,
    freeBytes: free,
    operation: status.s?.operation ?? (lock && !ctx.store.lock.isStale(lock) ? lock : null),
    running: ctx.store.deployments.unfinished().at(-1),
  };
}

/** A deploy names its version; a rollback's ref is "before #N", so it is named by the tag at its commit, or the commit. */
function versionLabel(current: Deployment, tagAtCommit: string | null): string {
  const named = current.kind === 'deploy' ? current.tag ?? current.ref : null;
  return named ?? tagAtCommit ?? current.commit?.slice(0, 7) ?? 'unknown';
}

/** The commit's subject and a tag pointing at it, from the compose repo; nulls when git cannot say. */
async function describeCommit(ctx: Context, sha: string | null): Promise<{ subject: string | null; tag: string | null }> {
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return { subject: null, tag: null };
  const git = simpleGit({ baseDir: ctx.config.project.dir });
  const ask = (args: string[]) => git.raw(args).then((out) => out.trim().split('\n')[0] || null, () => null);
  const [subject, tag] = await Promise.all([ask(['log', '-1', '--format=%s', sha, '--']), ask(['tag', '--points-at', sha])]);
  return { subject, tag };
}
