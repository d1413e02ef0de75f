import { AuditLog } from './audit.js';
import { BackupCatalog } from './backups.js';
import { openDb, type Db } from './db.js';
import { DeploymentLog } from './deployments.js';
import { DrillLog } from './drills.js';
import { OperationLock } from './lock.js';
import { UserStore } from './users.js';
import { OffsiteQueue } from './offsite.js';

export interface Store {
  db: Db;
  backups: BackupCatalog;
  drills: DrillLog;
  deployments: DeploymentLog;
  audit: AuditLog;
  lock: OperationLock;
  users: UserStore;
  offsite: OffsiteQueue;
  close(): void;
}

export function openStore(stateDir: string): Store {
  const db = openDb(stateDir);
  return {
    db,
    backups: new BackupCatalog(db),
    drills: new DrillLog(db),
    deployments: new DeploymentLog(db),
    audit: new AuditLog(db),
    lock: new OperationLock(db),
    users: new UserStore(db),
    offsite: new OffsiteQueue(db),
    close: () => db.close(),
  };
}

export type { BackupRecord, BackupRow, BackupReason, BackupStatus, RowCounts } from './backups.js';
export { toPublic, protectedBackupIds } from './backups.js';
export type { AuditEntry, AuditFilter, AuditOutcome } from './audit.js';
export { AUDIT_PAGE_MAX, auditQueryFrom } from './audit.js';
export type { DrillRecord } from './drills.js';
export type { LockHolder } from './lock.js';
export { OperationLock } from './lock.js';
export type {
  Deployment,
  DeploymentKind,
  DeploymentStatus,
  DeploymentStep,
  FailedDeployment,
  ImagePins,
  StepStatus,
} from './deployments.js';
export type { User } from './users.js';
export type { OffsiteState, OffsiteStatus, OffsiteUpload, RunningPair } from './offsite.js';
export { offsiteStatus } from './offsite.js';
