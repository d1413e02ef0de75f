import { formatTime } from '../../src/util/format.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { OperationLock } from '../../src/store/index.js';

describe('operation lock', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-lock-'));
    db = openDb(dir);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets one operation in and names it to the next', () => {
    const lock = new OperationLock(db);
    const release = lock.acquire('backup (manual)');
    expect(() => lock.acquire('deploy v2')).toThrow(/another operation is running: backup \(manual\) \(pid \d+/);
    release();
    const again = lock.acquire('deploy v2');
    expect(lock.holder()?.operation).toBe('deploy v2');
    again();
    expect(lock.holder()).toBeUndefined();
  });

  it('records the time it was taken at, and names it to the next', () => {
    const lock = new OperationLock(db);
    const at = new Date('2031-02-03T04:05:06.000Z'); // from the operation's clock
    const release = lock.acquire('backup (manual)', at);
    expect(lock.holder()?.acquiredAt).toBe(at.toISOString());
    expect(() => lock.acquire('deploy v2')).toThrow(`since ${formatTime(at)}`);
    release();
  });

  it('replaces the lock of a dead process but never steals a live one', () => {
    db.prepare(`INSERT INTO lock (id, operation, pid, boot_id, acquired_at) VALUES (1, 'deploy', 4242, ?, 'then')`).run(
      fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    );
    expect(() => new OperationLock(db, () => true).acquire('backup')).toThrow(/deploy \(pid 4242/);
    const release = new OperationLock(db, () => false).acquire('backup');
    expect(new OperationLock(db).holder()).toMatchObject({ operation: 'backup', pid: process.pid });
    release();
  });

  it('treats a lock from an earlier boot as stale', () => {
    db.prepare(
      `INSERT INTO lock (id, operation, pid, boot_id, acquired_at) VALUES (1, 'deploy', ?, 'an-earlier-boot', 'then')`,
    ).run(process.pid);
    const release = new OperationLock(db, () => true).acquire('backup');
    expect(new OperationLock(db).holder()).toMatchObject({ operation: 'backup', pid: process.pid });
    expect(new OperationLock(db).holder()?.bootId).not.toBe('an-earlier-boot');
    release();
  });

  it('migrates a fresh database to the newest schema and is idempotent on reopen', () => {
    const version = db.pragma('user_version', { simple: true });
    expect(version).toBeGreaterThan(0);
    db.close();
    db = openDb(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});
