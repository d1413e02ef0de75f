import fs from 'node:fs';
import { formatTime } from '../util/format.js';
import { conflict } from '../errors.js';
import type { Db } from './db.js';
import { processIsAlive } from '../util/process.js';

export interface LockHolder {
  operation: string;
  pid: number;
  bootId: string;
  acquiredAt: string;
}

/**
 * One operation at a time across the daemon and every CLI process, kept in the
 * state database. A holder whose process is gone (or from an earlier boot) is
 * stale and may be replaced; a live holder is never stolen.
 */
export class OperationLock {
  constructor(
    private readonly db: Db,
    private readonly isAlive: (pid: number) => boolean = processIsAlive,
  ) {}

  holder(): LockHolder | undefined {
    const row = this.db.prepare(`SELECT operation, pid, boot_id, acquired_at FROM lock WHERE id = 1`).get() as
      | { operation: string; pid: number; boot_id: string; acquired_at: string }
      | undefined;
    return row && { operation: row.operation, pid: row.pid, bootId: row.boot_id, acquiredAt: row.acquired_at };
  }

  isStale(h: LockHolder): boolean {
    return h.bootId !== bootId() || !this.isAlive(h.pid);
  }

  /**
   * Takes the lock or throws a conflict naming the running operation. Returns the release function.
   * `at`: from the operation's clock (shown as "since" to the next one); now by default.
   */
  acquire(operation: string, at = new Date()): () => void {
    const pid = process.pid;
    this.db
      .transaction(() => {
        const current = this.holder();
        if (current && !this.isStale(current)) {
          throw conflict(
            `another operation is running: ${current.operation} (pid ${current.pid}, since ${formatTime(current.acquiredAt)})`,
          );
        }
        this.db
          .prepare(`INSERT OR REPLACE INTO lock (id, operation, pid, boot_id, acquired_at) VALUES (1, ?, ?, ?, ?)`)
          .run(operation, pid, bootId(), at.toISOString());
      })
      .immediate();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.db.prepare(`DELETE FROM lock WHERE id = 1 AND pid = ? AND operation = ?`).run(pid, operation);
    };
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = 'unknown';
    }
  }
  return cachedBootId;
}
