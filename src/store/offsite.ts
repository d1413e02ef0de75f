import type { Db } from './db.js';
import type { ImagePins } from './deployments.js';

export type OffsiteState = 'pending' | 'uploading' | 'uploaded' | 'failed';

/** The (images, database) pair that was running when a dump was taken: what a fresh host brings back. */
export interface RunningPair {
  commit: string | null;
  /** The version's name: its tag, else the ref it was deployed from. */
  version: string | null;
  images: ImagePins;
}

/** One backup's off-site copy, as the API and the CLI show it. */
export interface OffsiteStatus {
  state: OffsiteState;
  attempts: number;
  error: string | null;
  key: string | null;
  uploadedAt: string | null;
  nextAttemptAt: string;
}

export interface OffsiteUpload extends OffsiteStatus {
  backupId: number;
  pair: RunningPair | null;
  ownerPid: number | null;
}

interface Raw {
  backup_id: number;
  state: OffsiteState;
  attempts: number;
  next_attempt_at: string;
  error: string | null;
  object_key: string | null;
  uploaded_at: string | null;
  pair: string | null;
  owner_pid: number | null;
}

const fromRaw = (r: Raw): OffsiteUpload => ({
  backupId: r.backup_id,
  state: r.state,
  attempts: r.attempts,
  error: r.error,
  key: r.object_key,
  uploadedAt: r.uploaded_at,
  nextAttemptAt: r.next_attempt_at,
  pair: r.pair ? (JSON.parse(r.pair) as RunningPair) : null,
  ownerPid: r.owner_pid,
});

export function offsiteStatus(u: OffsiteUpload): OffsiteStatus {
  const { backupId: _b, pair: _p, ownerPid: _o, ...status } = u;
  return status;
}

/**
 * The upload queue: one row per backup that is to be copied off-site. A row is
 * claimed (uploading, with the owner's pid) before any byte leaves, and marked
 * uploaded only after its manifest is written, so a crash leaves it claimable again.
 */
export class OffsiteQueue {
  constructor(private readonly db: Db) {}

  /** Adds a backup to the queue unless it is already there. Returns whether it was added. */
  enqueue(backupId: number, pair: RunningPair | null, now: Date): boolean {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO offsite_uploads (backup_id, state, next_attempt_at, pair, updated_at) VALUES (?, 'pending', ?, ?, ?)`,
      )
      .run(backupId, now.toISOString(), pair ? JSON.stringify(pair) : null, now.toISOString());
    return info.changes > 0;
  }

  /** Claims a row, as it was read, for this process; false when another process changed it first. */
  claim(
    backupId: number,
    expected: OffsiteState,
    expectedOwner: number | null,
    at = new Date(),
    pid = process.pid,
  ): boolean {
    const info = this.db
      .prepare(
        `UPDATE offsite_uploads SET state = 'uploading', attempts = attempts + 1, owner_pid = ?, updated_at = ?
          WHERE backup_id = ? AND state = ? AND owner_pid IS ?`,
      )
      .run(pid, at.toISOString(), backupId, expected, expectedOwner);
    return info.changes > 0;
  }

  markUploaded(backupId: number, key: string, at: Date): void {
    this.db
      .prepare(
        `UPDATE offsite_uploads SET state = 'uploaded', object_key = ?, uploaded_at = ?, error = NULL, owner_pid = NULL,
           updated_at = ? WHERE backup_id = ?`,
      )
      .run(key, at.toISOString(), at.toISOString(), backupId);
  }

  markFailed(backupId: number, error: string, nextAttemptAt: Date, at = new Date()): void {
    this.db
      .prepare(
        `UPDATE offsite_uploads SET state = 'failed', error = ?, next_attempt_at = ?, owner_pid = NULL, updated_at = ?
          WHERE backup_id = ?`,
      )
      .run(error, nextAttemptAt.toISOString(), at.toISOString(), backupId);
  }

  /** A backup fetched from the bucket is already off-site: recorded as uploaded, never copied again. */
  recordFetched(backupId: number, key: string, uploadedAt: string, at = new Date()): void {
    const now = at.toISOString();
    this.db
      .prepare(
        `INSERT INTO offsite_uploads (backup_id, state, attempts, next_attempt_at, object_key, uploaded_at, updated_at)
         VALUES (?, 'uploaded', 0, ?, ?, ?, ?)
         ON CONFLICT (backup_id) DO UPDATE SET state = 'uploaded', object_key = excluded.object_key, uploaded_at = excluded.uploaded_at,
           error = NULL, owner_pid = NULL, updated_at = excluded.updated_at`,
      )
      .run(backupId, now, key, uploadedAt, now);
  }

  /** Makes a row due now (`offsite push BACKUP_ID` on a failed one). */
  dueNow(backupId: number, now: Date): void {
    this.db
      .prepare(`UPDATE offsite_uploads SET next_attempt_at = ? WHERE backup_id = ? AND state <> 'uploading'`)
      .run(now.toISOString(), backupId);
  }

  get(backupId: number): OffsiteUpload | undefined {
    const raw = this.db.prepare(`SELECT * FROM offsite_uploads WHERE backup_id = ?`).get(backupId) as Raw | undefined;
    return raw && fromRaw(raw);
  }

  all(): OffsiteUpload[] {
    return (this.db.prepare(`SELECT * FROM offsite_uploads ORDER BY backup_id`).all() as Raw[]).map(fromRaw);
  }
}
