import { gitIn } from '../../src/util/git.js';
import { listBackups, type BackupListing } from '../../src/backup/index.js';
import { backupStaleness, type BackupStaleness } from '../../src/backup/staleness.js';
import type { Context } from '../../src/context.js';
import { currentStatus, type CurrentStatus } from '../../src/deploy/index.js';
import { oneLine } from '../../src/errors.js';
import type { Deployment, LockHolder } from '../../src/store/index.js';
import { freeBytes } from '../../src/util/diskSpace.js';
import { readTagNames, versionName } from '../../src/versions/naming.js';
import { appUrlOf } from './chrome.js';
import { dockerContainerPort, type ContainerFacts } from '../../src/deploy/failureReport.js';

export interface Overview {
  status: CurrentStatus | null;
  /** Why Docker or compose could not be asked, when they could not. */
  statusError: string | null;
  current: Deployment | undefined;
  subject: string | null;
  /** What runs, named by its tag (naming.ts) or short sha, for a rollback too (its own ref is "before #N"). */
  versionLabel: string | null;
  newestBackup: BackupListing | undefined;
  /** The one staleness rule (src/backup/staleness.ts): age, allowed age, stale. */
  backupAge: BackupStaleness;
  /** The newest backup with an off-site copy, and its age; null/undefined without off-site copies. */
  newestOffsite: BackupListing | undefined;
  offsiteAgeHours: number | null;
  offsiteConfigured: boolean;
  backupsDir: string;
  freeBytes: number | null;
  operation: LockHolder | null;
  /** The deployment or rollback running now, if the operation is one. */
  running: Deployment | undefined;
  /** The project's other containers (the database, caches…): switchyard does not pin them, but they run with the app. */
  unmanaged: ContainerFacts[];
  appUrl: string | null;
}

/** Everything the first page shows, each part read on its own so one failure does not hide the rest. */
export async function readOverview(ctx: Context): Promise<Overview> {
  const current = ctx.store.deployments.current();
  const [status, commit, tags, free] = await Promise.all([
    currentStatus(ctx).then(
      (s) => ({ s, error: null }),
      (e: unknown) => ({ s: null, error: ctx.redactor.redact(oneLine(e)) }),
    ),
    describeCommit(ctx, current?.commit ?? null),
    readTagNames(ctx.config.project.dir),
    freeBytes(ctx.config.backups.dir),
  ]);
  const unmanaged = await ctx
    .projectName()
    .then((project) => dockerContainerPort(ctx.docker(), ctx.redactor).projectContainers(project))
    .then((all) => all.filter((c) => !(c.service in ctx.config.services)))
    .catch(() => [] as ContainerFacts[]); // statusError already says why Docker could not be asked
  const backups = listBackups(ctx);
  const newestBackup = backups.find((b) => b.status === 'ok');
  const newestOffsite = backups.find((b) => b.offsite?.state === 'uploaded');
  const lock = ctx.store.lock.holder();
  return {
    status: status.s,
    statusError: status.error,
    current,
    subject: commit.subject,
    versionLabel: current
      ? versionName(current.commit, tags, current.kind === 'deploy' ? (current.tag ?? current.ref) : current.tag)
      : null,
    newestBackup,
    backupAge: backupStaleness(ctx.config.backups.schedule, newestBackup?.createdAt),
    newestOffsite,
    offsiteAgeHours: newestOffsite ? (Date.now() - Date.parse(newestOffsite.createdAt)) / 3_600_000 : null,
    offsiteConfigured: ctx.config.offsite !== undefined,
    backupsDir: ctx.config.backups.dir,
    freeBytes: free,
    operation: status.s?.operation ?? (lock && !ctx.store.lock.isStale(lock) ? lock : null),
    running: ctx.store.deployments.unfinished().at(-1),
    unmanaged,
    appUrl: appUrlOf(ctx.config),
  };
}

/** The commit's subject, from the compose repo; null when git cannot say. */
async function describeCommit(ctx: Context, sha: string | null): Promise<{ subject: string | null }> {
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return { subject: null };
  const git = gitIn(ctx.config.project.dir);
  const subject = await git.raw(['log', '-1', '--format=%s', sha, '--']).then(
    (out) => out.trim().split('\n')[0] || null,
    () => null,
  );
  return { subject };
}
