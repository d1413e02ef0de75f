import type { Db } from './db.js';

export type BackupReason = 'manual' | 'scheduled' | 'pre-deploy' | 'pre-rollback';
export type BackupStatus = 'running' | 'ok' | 'failed' | 'pruned';
export type RowCounts = Record<string, number>;

export interface BackupRecord {
  id: number;
  fileName: string;
  databaseName: string;
  reason: BackupReason;
  note: string | null;
  actor: string;
  status: BackupStatus;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  serverVersion: string | null;
  rowCounts: RowCounts | null;
  schemaFingerprint: string | null;
  deploymentId: number | null;
}

/** Internal columns the API does not show. */
export interface BackupRow extends BackupRecord {
  tempName: string;
  ownerPid: number | null;
  /** Column names per table at the dump; null for backups recorded before they were kept. */
  columns?: Record<string, string[]> | null;
}

interface RawRow {
  id: number;
  file_name: string;
  temp_name: string;
  database_name: string;
  reason: BackupReason;
  note: string | null;
  actor: string;
  status: BackupStatus;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  size_bytes: number | null;
  sha256: string | null;
  server_version: string | null;
  row_counts: string | null;
  schema_fingerprint: string | null;
  deployment_id: number | null;
  owner_pid: number | null;
  columns: string | null;
}

const fromRaw = (r: RawRow): BackupRow => ({
  id: r.id,
  fileName: r.file_name,
  tempName: r.temp_name,
  databaseName: r.database_name,
  reason: r.reason,
  note: r.note,
  actor: r.actor,
  status: r.status,
  error: r.error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  sizeBytes: r.size_bytes,
  sha256: r.sha256,
  serverVersion: r.server_version,
  rowCounts: r.row_counts ? (JSON.parse(r.row_counts) as RowCounts) : null,
  schemaFingerprint: r.schema_fingerprint,
  deploymentId: r.deployment_id,
  ownerPid: r.owner_pid,
  columns: r.columns ? (JSON.parse(r.columns) as Record<string, string[]>) : null,
});

/** The record without its internal columns; a row typed as a record (backupOr404's) still has them at run time. */
export function toPublic(row: BackupRecord & Partial<BackupRow>): BackupRecord {
  const { tempName: _t, ownerPid: _p, columns: _c, ...record } = row;
  return record;
}

export interface NewBackup {
  fileName: string;
  tempName: string;
  databaseName: string;
  reason: BackupReason;
  note: string | null;
  actor: string;
  createdAt: string;
  deploymentId: number | null;
}

export interface FinishedBackup {
  sizeBytes: number;
  sha256: string;
  serverVersion: string;
  rowCounts: RowCounts;
  schemaFingerprint: string;
  /** Column names per table, when read (a backup taken by switchyard reads them; an imported one may not). */
  columns?: Record<string, string[]>;
}

export class BackupCatalog {
  constructor(private readonly db: Db) {}

  /** Journals a backup before any byte is written, so a crash leaves a trace to clean up. */
  begin(b: NewBackup): number {
    const info = this.db
      .prepare(
        `INSERT INTO backups (file_name, temp_name, database_name, reason, note, actor, status, created_at, deployment_id, owner_pid)
         VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(b.fileName, b.tempName, b.databaseName, b.reason, b.note, b.actor, b.createdAt, b.deploymentId, process.pid);
    return Number(info.lastInsertRowid);
  }

  /** `at`: the operation's clock; now by default. */
  succeed(id: number, f: FinishedBackup, at = new Date()): void {
    this.db
      .prepare(
        `UPDATE backups SET status = 'ok', finished_at = ?, size_bytes = ?, sha256 = ?, server_version = ?,
           row_counts = ?, schema_fingerprint = ?, columns = ?, owner_pid = NULL WHERE id = ?`,
      )
      .run(
        at.toISOString(),
        f.sizeBytes,
        f.sha256,
        f.serverVersion,
        JSON.stringify(f.rowCounts),
        f.schemaFingerprint,
        f.columns ? JSON.stringify(f.columns) : null,
        id,
      );
  }

  fail(id: number, error: string, at = new Date()): void {
    this.db
      .prepare(`UPDATE backups SET status = 'failed', finished_at = ?, error = ?, owner_pid = NULL WHERE id = ?`)
      .run(at.toISOString(), error, id);
  }

  markPruned(id: number): void {
    this.db.prepare(`UPDATE backups SET status = 'pruned' WHERE id = ? AND status = 'ok'`).run(id);
  }

  get(id: number): BackupRow | undefined {
    const raw = this.db.prepare(`SELECT * FROM backups WHERE id = ?`).get(id) as RawRow | undefined;
    return raw && fromRaw(raw);
  }

  /** Newest first. */
  list(filter: { status?: BackupStatus } = {}): BackupRow[] {
    const rows = filter.status
      ? this.db.prepare(`SELECT * FROM backups WHERE status = ? ORDER BY created_at DESC, id DESC`).all(filter.status)
      : this.db.prepare(`SELECT * FROM backups ORDER BY created_at DESC, id DESC`).all();
    return (rows as RawRow[]).map(fromRaw);
  }

  /**
   * Records a backup fetched from elsewhere (an off-site copy), already checked
   * against its manifest, as a good backup of this host; an entry of the same
   * file and checksum is reused (and un-pruned). Returns its id.
   */
  adopt(b: Omit<NewBackup, 'tempName' | 'deploymentId'> & FinishedBackup): number {
    const existing = this.db.prepare(`SELECT id, sha256 FROM backups WHERE file_name = ?`).get(b.fileName) as
      | { id: number; sha256: string | null }
      | undefined;
    if (existing) {
      if (existing.sha256 !== b.sha256)
        throw new Error(`a different backup named ${b.fileName} is already in the catalog`);
      this.db.prepare(`UPDATE backups SET status = 'ok' WHERE id = ? AND status = 'pruned'`).run(existing.id);
      return existing.id;
    }
    const info = this.db
      .prepare(
        `INSERT INTO backups (file_name, temp_name, database_name, reason, note, actor, status, created_at, finished_at, size_bytes, sha256,
           server_version, row_counts, schema_fingerprint)
         VALUES (?, '', ?, ?, ?, ?, 'ok', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        b.fileName,
        b.databaseName,
        b.reason,
        b.note,
        b.actor,
        b.createdAt,
        new Date().toISOString(),
        b.sizeBytes,
        b.sha256,
        b.serverVersion,
        JSON.stringify(b.rowCounts),
        b.schemaFingerprint,
      );
    return Number(info.lastInsertRowid);
  }

  fileNameTaken(fileName: string): boolean {
    return this.db.prepare(`SELECT 1 FROM backups WHERE file_name = ?`).get(fileName) !== undefined;
  }
}

/** Pre-deploy backups of the newest `deployments` deployments: the rollback targets retention must keep. */
export function protectedBackupIds(db: Db, deployments = 5): Set<number> {
  const rows = db
    .prepare(
      `SELECT b.id FROM backups b
        WHERE b.reason = 'pre-deploy'
          AND b.deployment_id IN (SELECT id FROM deployments ORDER BY id DESC LIMIT ?)`,
    )
    .all(deployments) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}
