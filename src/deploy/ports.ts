import type { BackupRequest } from '../backup/create.js';
import type { KeptRef } from '../backup/kept.js';
import type { OnlineRestore } from '../backup/restoreOnline.js';
import type { CarryOverMode } from '../carryover/run.js';
import type { DockerClient } from '../docker/client.js';
import type { BackupCatalog } from '../store/backups.js';
import type { DeploymentLog } from '../store/deployments.js';
import type { BackupRow, ImagePins, OperationLock } from '../store/index.js';
import type { DeploymentEvents } from '../ops/events.js';
import type { FailureReport } from './diagnosis.js';
import type { JournalPorts } from '../ops/journal.js';
import type { ReportPorts } from '../ops/report.js';
import type { OperationPorts } from '../ops/operation.js';
import type { HostState } from './state.js';

/** Docker and the compose project's name: what the modules that read containers and images use. */
export interface DockerAccess {
  docker(): DockerClient;
  projectName(): Promise<string>;
}

export interface PullProgress {
  image: string;
  status: string;
  current?: number;
  total?: number;
}

/** The Docker engine and compose, as the pipeline uses them. */
export interface EnginePort {
  /** Pulls every target image (service → repo:tag) and resolves each to the registry digest to pin. */
  pull(targets: Record<string, string>, onProgress: (p: PullProgress) => void): Promise<ImagePins>;
  /** Every pinned image is here, pulling by digest what is gone; refuses a pin that cannot be pulled back. */
  ensurePresent(pins: ImagePins, onProgress: (p: PullProgress) => void): Promise<void>;
  /** Platforms of the pinned images, and room for the pre-deploy dump. */
  preflight(pins: ImagePins): Promise<{ neededBytes: number; freeBytes: number }>;
  up(onLine: (line: string) => void): Promise<void>;
  stop(services: string[], onLine: (line: string) => void): Promise<void>;
  /** Every managed container runs its pinned image, healthy, and health.url answers 2xx, enough probes in a row (healthRule.ts). */
  health(pins: ImagePins): Promise<void>;
  /** Why `up` or `health` failed: the failing containers' state, health checks and last log lines. */
  diagnose(step: string, error: string): Promise<FailureReport>;
}

/** The compose repo and the pin file: what runs, and what the next `up` starts. */
export interface HostPort {
  /** What runs now, read from git and Docker. */
  inspect(): Promise<HostState>;
  assertCleanWorkTree(): Promise<void>;
  checkout(sha: string): Promise<void>;
  /** Writes the pin file and has compose validate the whole set of files. */
  writePins(pins: ImagePins): Promise<void>;
  /** The previous pins, or no pin file when nothing was pinned before. */
  restorePins(previous: HostState): Promise<void>;
}

/** PostgreSQL, as the pipeline uses it. */
export interface DatabasePort {
  dump(request: BackupRequest): Promise<BackupRow>;
  /** The dump file is there and matches its recorded sha256. */
  checkDump(backup: BackupRow): Promise<void>;
  /** Why there is no room to restore `backup` online and keep its safety dump (rollbackSpace.ts); null: room. */
  spaceProblem(backup: BackupRow, carryOver: CarryOverMode): Promise<string | null>;
  /** Into a fresh database, verified, then swapped in. */
  restore(backup: BackupRow): Promise<void>;
  /** Restored and verified beside the live database while the app serves; the rest step by step (restoreOnline.ts). */
  restoreOnline(backup: BackupRow, carryOver: CarryOverMode, keep: KeptRef): Promise<OnlineRestore>;
  /** The replaced databases kept on the server (src/backup/kept.ts), oldest operation first. */
  keptDatabases(): Promise<KeptRef[]>;
  /** A kept database dumped and verified, recorded as a backup of the live one. */
  dumpKept(ref: KeptRef, request: BackupRequest): Promise<BackupRow>;
  /** Operation `owner`'s kept database back under the live name; the replaced one kept as its undo's. */
  swapBack(owner: number): Promise<void>;
  dropKept(ref: KeptRef): Promise<void>;
  /** Where the leftovers of deployment `id`'s carry-over go: an absolute path in the backups dir. */
  leftoversFile(id: number): string;
  schemaFingerprint(): Promise<string>;
}

/** Everything the deploy pipeline, the rollback and recovery use, and nothing more. */
export interface DeployPorts extends JournalPorts, ReportPorts, OperationPorts {
  settings: {
    restoreDatabase: 'auto' | 'always' | 'never';
    allowWithoutBackup: boolean;
    allowDirtyWorkTree: boolean;
    /** Services stopped while the database is restored. */
    databaseWriters: string[];
    /** What a rollback does with the rows written since its dump, unless the request says. */
    carryOver: CarryOverMode;
  };
  deployments: DeploymentLog;
  backups: Pick<BackupCatalog, 'get' | 'list'>;
  lock: Pick<OperationLock, 'acquire' | 'holder' | 'isStale'>;
  events: DeploymentEvents;
  engine: EnginePort;
  host: HostPort;
  database: DatabasePort;
  /** After a successful deploy: backup retention and unused images; never fails the deploy. */
  cleanup(): Promise<{ prunedBackups: number; removedImages: number }>;
  /** Recovery: stray temp files, interrupted backups; with `orphans`, an interrupted database swap too. Returns notes. */
  repairLeftovers(orphans: boolean): Promise<string[]>;
}
