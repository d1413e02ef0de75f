import { gitIn } from '../../src/util/git.js';
import { listBackups, type BackupListing } from '../../src/backup/index.js';
import { backupStaleness, type BackupStaleness } from '../../src/backup/staleness.js';
import type { Context } from '../../src/context.js';
import { currentStatus, type CurrentStatus } from '../../src/deploy/index.js';
import { oneLine } from '../../src/errors.js';
import type { Deployment, LockHolder } from '../../src/store/index.js';
import { redact } from '../../src/util/redact.js';
import { freeBytes } from '../../src/util/diskSpace.js';

export interface Overview {
  status: CurrentStatus | null;
  /** Why Docker or compose could not be asked, when they could not. */
  statusError: string | null;
  current: Deployment | undefined;
  subject: string | null;
  /** Tag, ref or short sha of what runs, for a rollback too (its own ref is "before #N"). */
  versionLabel: string | null;
  newestBackup: BackupListing | undefined;
  /** The one staleness rule (src/backup/staleness.ts): age, allowed age, stale. */
  backupAge: BackupStaleness;
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
  const newestBackup = listBackups(ctx).find((b) => b.status === 'ok');
  const lock = ctx.store.lock.holder();
  return {
    status: status.s,
    statusError: status.error,
    current,
    subject: commit.subject,
    versionLabel: current ? versionLabel(current, commit.tag) : null,
    newestBackup,
    backupAge: backupStaleness(ctx.config.backups.schedule, newestBackup?.createdAt),
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
  const git = gitIn(ctx.config.project.dir);
  const ask = (args: string[]) => git.raw(args).then((out) => out.trim().split('\n')[0] || null, () => null);
  const [subject, tag] = await Promise.all([ask(['log', '-1', '--format=%s', sha, '--']), ask(['tag', '--points-at', sha])]);
  return { subject, tag };
}
