import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDrill } from '../../src/backup/drill.js';
import type { DrillPorts } from '../../src/backup/ports.js';
import { parseConfig } from '../../src/config/index.js';
import type { Notification } from '../../src/notify/payloads.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';
import { catalogBackup, fakeDatabaseTarget, tempStore } from '../fixtures/fakes.js';

/**
 * The drill's decisions before it touches a database, against fake ports: which backup, a file
 * that is gone or changed is an issue (never a restore), the record and outcome at the clock's
 * time. test/backup/url-mode.test.ts and service-mode.test.ts drill for real.
 */
const NOW = new Date('2035-07-08T09:10:11.000Z');

let cleanup: () => void = () => {};
afterEach(() => cleanup());

function world() {
  const { store, backupsDir: dir, remove } = tempStore('sy-drill-');
  cleanup = remove;
  fs.mkdirSync(dir);
  const redactor = new Redactor();
  const notifications: Array<Omit<Notification, 'at'>> = [];
  const sessions: string[] = [];
  const ports: DrillPorts = {
    config: parseConfig(
      `project: { dir: /srv/app }\ndatabase: { service: db, name: app }\nbackups: { dir: ${JSON.stringify(dir)} }`,
    ),
    store,
    database: () =>
      fakeDatabaseTarget({
        session: async (db = 'app') => {
          sessions.push(db);
          throw new Error('not expected');
        },
      }),
    notifier: { send: (n) => notifications.push(n) },
    log: createLogger({ redactor, level: 'error', write: () => {} }),
    redactor,
    clock: { now: () => NOW },
    backupDone: { emit: () => {} },
  };
  const backup = (fileName: string, hoursOld: number, content?: string) =>
    catalogBackup(store, dir, {
      fileName,
      createdAt: new Date(NOW.getTime() - hoursOld * 3_600_000).toISOString(),
      content,
    });
  return { ports, store, notifications, sessions, backup };
}

describe('runDrill with fake ports', () => {
  it('drills the newest good backup; a missing file is an issue, and no database is touched', async () => {
    const w = world();
    w.backup('old.dump', 48, 'x');
    const newest = w.backup('new.dump', 6); // catalogued, but its file is gone
    const report = await runDrill(w.ports, undefined, 'tester');
    expect(report).toMatchObject({
      backupId: newest,
      verified: false,
      startedAt: NOW.toISOString(),
      backupAgeHours: 6,
      scratchDatabase: 'app_dr_test',
      restoreMs: null,
    });
    expect(report.issues).toEqual(['backup file new.dump cannot be read: ENOENT']);
    expect(w.sessions).toEqual([]);
    expect(w.store.drills.latestFor(newest)).toMatchObject({ verified: false, startedAt: NOW.toISOString() });
    expect(w.notifications).toMatchObject([{ event: 'drill', ok: false }]);
    expect(report.markdown).toContain('## DR Drill Results - 2035-07-08');
  });

  it('a file that no longer matches its sha256 is never restored', async () => {
    const w = world();
    const id = w.backup('changed.dump', 1, 'not what was dumped');
    const report = await runDrill(w.ports, id, 'tester');
    expect(report.verified).toBe(false);
    expect(report.issues[0]).toMatch(/^sha256 mismatch: catalog ffffffffffff, file [0-9a-f]{12}$/);
    expect(w.sessions).toEqual([]);
    expect(w.store.audit.list()).toMatchObject([{ action: 'backup.drill', outcome: 'failed', at: NOW.toISOString() }]);
  });

  it('a FIFO in place of the file is an issue at once, named, and no database is touched', {
    timeout: 5000,
  }, async () => {
    const w = world();
    const id = w.backup('fifo.dump', 1);
    const file = path.join(w.ports.config.backups.dir, 'fifo.dump');
    execFileSync('mkfifo', ['--', file]); // nobody ever writes to it
    const report = await runDrill(w.ports, id, 'tester');
    expect(report.issues).toEqual([
      `backup file fifo.dump cannot be read: ${file} is a FIFO, not a regular file; refusing to read it`,
    ]);
    expect(w.sessions).toEqual([]);
  });

  it('refuses a backup that does not exist or is not usable, naming it', async () => {
    const w = world();
    await expect(runDrill(w.ports, undefined, 't')).rejects.toThrow('there is no backup to drill');
    await expect(runDrill(w.ports, 42, 't')).rejects.toThrow('backup 42 does not exist');
  });
});
