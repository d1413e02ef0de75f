import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackup } from '../../src/backup/create.js';
import type { BackupPorts } from '../../src/backup/ports.js';
import { parseConfig } from '../../src/config/index.js';
import type { DatabaseTarget } from '../../src/database/index.js';
import type { Notification } from '../../src/notify/payloads.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';
import { fakeDatabaseTarget, tempStore } from '../fixtures/fakes.js';

/**
 * createBackup's decisions on failure, against fake ports (no PostgreSQL): the catalog row,
 * the name from the clock, nothing left in the backups dir, the outcome reported once, redacted.
 * test/backup/url-mode.test.ts and service-mode.test.ts take real backups.
 */
const AT = new Date('2032-04-05T06:07:08.900Z');
const SECRET = 'Dump-Secret-2718';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function fakePorts(database: Partial<DatabaseTarget>) {
  const { store, backupsDir: dir, remove } = tempStore('sy-create-');
  cleanup.push(remove);
  const config = parseConfig(
    `project: { dir: /srv/app }\ndatabase: { service: db, name: app }\nbackups: { dir: ${JSON.stringify(dir)}, compression: { method: none } }`,
  );
  const redactor = new Redactor();
  redactor.register(SECRET);
  const notifications: Array<Omit<Notification, 'at'>> = [];
  const logLines: string[] = [];
  const ports: BackupPorts = {
    config,
    store,
    database: () => fakeDatabaseTarget(database),
    notifier: { send: (n) => notifications.push(n) },
    log: createLogger({ redactor, write: (l) => logLines.push(l) }),
    redactor,
    clock: { now: () => AT },
    backupDone: { emit: () => {} },
  };
  return { ports, store, dir, notifications, logLines };
}

describe('createBackup with fake ports', () => {
  it('a database that cannot be reached: a failed row named after the clock, nothing on disk, one outcome', async () => {
    const w = fakePorts({ session: async () => Promise.reject(new Error(`connection refused (${SECRET})`)) });
    await expect(createBackup(w.ports, { reason: 'manual', actor: 'tester' })).rejects.toThrow(
      'backup failed: connection refused (***)',
    );
    const [row] = w.store.backups.list();
    expect(row).toMatchObject({
      fileName: '20320405T060708Z_app_manual.dump',
      status: 'failed',
      createdAt: AT.toISOString(),
      finishedAt: AT.toISOString(),
      error: 'connection refused (***)',
    });
    expect(fs.readdirSync(w.dir)).toEqual([]);
    expect(w.store.audit.list()).toMatchObject([{ action: 'backup.create', outcome: 'failed', at: AT.toISOString() }]);
    expect(w.notifications).toMatchObject([{ event: 'backup', ok: false, summary: expect.stringContaining('***') }]);
    expect(JSON.stringify([w.notifications, w.store.audit.list(), w.logLines])).not.toContain(SECRET);
  });

  it('a dump that fails after its temp file was made: the temp file goes, the row says why', async () => {
    const queries: string[] = [];
    const w = fakePorts({
      session: async () => ({
        // The server claims a major no host pg_restore has; the target's programs fail to start either way.
        query: async (sql: string) => {
          queries.push(sql);
          return sql.startsWith('SHOW') ? '9990000' : 'snap-1';
        },
        close: async () => {},
      }),
      spawn: async (tool) => Promise.reject(new Error(`${tool} cannot start`)),
    });
    await expect(createBackup(w.ports, { reason: 'pre-deploy', actor: 'deploy', deploymentId: null })).rejects.toThrow(
      'backup failed: no pg_dump here', // pg_dump starts first: no version probe runs before it any more
    );
    expect(queries[0]).toBe('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    expect(w.store.backups.list()[0]).toMatchObject({
      status: 'failed',
      fileName: '20320405T060708Z_app_pre-deploy.dump',
    });
    expect(fs.readdirSync(w.dir)).toEqual([]); // the .partial file is gone
  });

  it('two backups in the same clock second get distinct names', async () => {
    const w = fakePorts({});
    await expect(createBackup(w.ports, { reason: 'manual', actor: 't' })).rejects.toThrow();
    await expect(createBackup(w.ports, { reason: 'manual', actor: 't' })).rejects.toThrow();
    expect(
      w.store.backups
        .list()
        .map((b) => b.fileName)
        .sort(),
    ).toEqual(['20320405T060708Z_app_manual-2.dump', '20320405T060708Z_app_manual.dump']);
  });
});
