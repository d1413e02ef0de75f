import { gitIn } from '../util/git.js';
import { listBackups, type BackupListing } from '../backup/index.js';
import { backupStaleness, type BackupStaleness } from '../backup/staleness.js';
import type { Config } from '../config/index.js';
import { operationNow, type OperationNow, type RecoveredDeployment, type StatusPorts } from '../deploy/status.js';
import type { Clock } from '../util/clock.js';
import type { Redact } from '../util/redact.js';
import type { CurrentStatus } from '../deploy/index.js';
import type { Deployment, Store } from '../store/index.js';
import { freeBytes } from '../util/diskSpace.js';
import { readTagNames, versionName } from '../versions/naming.js';
import { appUrlOf, readStatus, type ChromePorts, type StatusRead } from './chrome.js';
import type { ContainerFacts } from '../docker/containerFacts.js';
import { dockerContainerPort } from '../docker/containerPort.js';

/**
 * What the first page reads, each part on its own: the status (Docker), the records, the backups
 * and their off-site copies, git, the time (for ages) and the redactor (for the errors it shows).
 */
export interface OverviewPorts extends StatusPorts, ChromePorts {
  config: Config;
  store: Pick<Store, 'deployments' | 'lock' | 'backups' | 'offsite' | 'drills'>;
  redactor: Redact;
  clock: Clock;
}

export interface AppOverview {
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
  /** Running, or left running by a process that died (recovered before the next operation). */
  operation: OperationNow | null;
  /** What crash recovery closed since the current deployment. */
  recovered: RecoveredDeployment[];
  /** The deployment or rollback running now, if the operation is one. */
  running: Deployment | undefined;
  /** The project's other containers (the database, caches…): switchyard does not pin them, but they run with the app. */
  unmanaged: ContainerFacts[];
  appUrl: string | null;
}

/** Everything the first page shows, each part read on its own so one failure does not hide the rest. */
export async function readOverview(
  ports: OverviewPorts,
  status: () => Promise<StatusRead> = () => readStatus(ports),
): Promise<AppOverview> {
  const current = ports.store.deployments.current();
  const now = ports.clock.now();
  const [read, commit, tags, free] = await Promise.all([
    status(),
    describeCommit(ports, current?.commit ?? null),
    readTagNames(ports.config.project.dir),
    freeBytes(ports.config.backups.dir),
  ]);
  const unmanaged = await ports
    .projectName()
    .then((project) => dockerContainerPort(ports.docker(), ports.redactor).projectContainers(project))
    .then((all) => all.filter((c) => !(c.service in ports.config.services)))
    .catch(() => [] as ContainerFacts[]); // statusError already says why Docker could not be asked
  const backups = listBackups(ports);
  const newestBackup = backups.find((b) => b.status === 'ok');
  const newestOffsite = backups.find((b) => b.offsite?.state === 'uploaded');
  const operations = operationNow(ports.store);
  return {
    status: read.status,
    statusError: read.error,
    current,
    subject: commit.subject,
    versionLabel: current
      ? versionName(current.commit, tags, current.kind === 'deploy' ? (current.tag ?? current.ref) : current.tag)
      : null,
    newestBackup,
    backupAge: backupStaleness(ports.config.backups.schedule, newestBackup?.createdAt, now),
    newestOffsite,
    offsiteAgeHours: newestOffsite ? (now.getTime() - Date.parse(newestOffsite.createdAt)) / 3_600_000 : null,
    offsiteConfigured: ports.config.offsite !== undefined,
    backupsDir: ports.config.backups.dir,
    freeBytes: free,
    operation: operations.operation,
    recovered: operations.recovered,
    running: ports.store.deployments.unfinished().at(-1),
    unmanaged,
    appUrl: appUrlOf(ports.config),
  };
}

/** The commit's subject, from the compose repo; null when git cannot say. */
async function describeCommit(ports: OverviewPorts, sha: string | null): Promise<{ subject: string | null }> {
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return { subject: null };
  const git = gitIn(ports.config.project.dir);
  const subject = await git.raw(['log', '-1', '--format=%s', sha, '--']).then(
    (out) => out.trim().split('\n')[0] || null,
    () => null,
  );
  return { subject };
}
