import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { Redactor } from '../../src/util/redact.js';
import { type OverviewPorts, readOverview } from '../../src/app/overviewPage.js';

/**
 * The first page's decisions against fake ports: Docker down is one error line (redacted) and the
 * rest still shows; ages are measured on the clock. test/ui/* render it against a real daemon.
 */
const NOW = new Date('2034-05-06T12:00:00.000Z');
const SECRET = 'Socket-Secret-3141';

let cleanup: () => void = () => {};
afterEach(() => cleanup());

function ports(schedule?: string): OverviewPorts & { store: Store } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-overview-'));
  const store = openStore(path.join(root, 'state'));
  cleanup = () => {
    store.close();
    fs.rmSync(root, { recursive: true, force: true });
  };
  const config = parseConfig(
    [
      `project: { dir: ${JSON.stringify(path.join(root, 'no-repo'))} }`,
      'database: { service: db, name: app }',
      `stateDir: ${JSON.stringify(path.join(root, 'state'))}`,
      `backups: { dir: ${JSON.stringify(path.join(root, 'backups'))}${schedule ? `, schedule: "${schedule}"` : ''} }`,
    ].join('\n'),
  );
  const redactor = new Redactor();
  redactor.register(SECRET);
  return {
    config,
    store,
    docker: () => {
      throw new Error(`connect EACCES /var/run/docker.sock (${SECRET})`);
    },
    projectName: async () => 'app',
    redactor,
    clock: { now: () => NOW },
  };
}

function goodBackup(store: Store, hoursBeforeNow: number): number {
  const id = store.backups.begin({
    fileName: `b-${hoursBeforeNow}.dump`,
    tempName: `.b-${hoursBeforeNow}.dump.partial`,
    databaseName: 'app',
    reason: 'scheduled',
    note: null,
    actor: 't',
    createdAt: new Date(NOW.getTime() - hoursBeforeNow * 3_600_000).toISOString(),
    deploymentId: null,
  });
  store.backups.succeed(id, { sizeBytes: 1, sha256: 'x', serverVersion: '16', rowCounts: {}, schemaFingerprint: 'f' });
  return id;
}

describe('readOverview with fake ports', () => {
  it('Docker down is one redacted error line; backups and their age (on the clock) still show', async () => {
    const p = ports();
    const id = goodBackup(p.store, 30);
    const o = await readOverview(p);
    expect(o.status).toBeNull();
    expect(o.statusError).toBe('connect EACCES /var/run/docker.sock (***)');
    expect(o.unmanaged).toEqual([]);
    expect(o.newestBackup?.id).toBe(id);
    // No schedule: the runbook's 24 h rule, measured from the clock's now.
    expect(o.backupAge).toEqual({ ageHours: 30, allowedHours: 24, basis: 'runbook', stale: true });
    expect(o.offsiteAgeHours).toBeNull();
    expect(o.operation).toBeNull();
  });

  it('with a daily schedule a 20 h old backup is fresh; an off-site copy gets its age from the clock', async () => {
    const p = ports('0 3 * * *');
    const id = goodBackup(p.store, 20);
    p.store.offsite.enqueue(id, null, NOW);
    p.store.offsite.claim(id, 'pending', null);
    p.store.offsite.markUploaded(id, 'k', NOW);
    const o = await readOverview(p);
    expect(o.backupAge).toMatchObject({ ageHours: 20, basis: 'schedule', stale: false });
    expect(o.newestOffsite?.id).toBe(id);
    expect(o.offsiteAgeHours).toBe(20);
  });

  it('shows an operation whose process died as orphaned, with its deployment, even when Docker is down', async () => {
    const p = ports();
    const id = p.store.deployments.create({ kind: 'deploy', ref: 'v2', commit: null, tag: null, actor: 't' });
    p.store.db
      .prepare(
        `INSERT INTO lock (id, operation, pid, boot_id, acquired_at) VALUES (1, 'deploy v2', 2147483646, 'b', 'then')`,
      )
      .run();
    const o = await readOverview(p);
    expect(o.status).toBeNull();
    expect(o.operation).toMatchObject({ state: 'orphaned', operation: 'deploy v2', deploymentId: id });
    expect(o.recovered).toEqual([]);
  });
});
