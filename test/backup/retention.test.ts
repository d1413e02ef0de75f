import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRetention, selectExpired } from '../../src/backup/index.js';
import type { BackupReason, BackupRow } from '../../src/store/index.js';
import { backupFiles, testContext, type TestContext } from '../fixtures/context.js';

const DAY = 86_400_000;
const now = new Date('2026-11-25T12:00:00Z');

function row(id: number, ageDays: number, extra: Partial<BackupRow> = {}): BackupRow {
  return {
    id,
    fileName: `b${id}.dump`,
    tempName: `.b${id}.dump.partial`,
    databaseName: 'app',
    reason: 'scheduled',
    note: null,
    actor: 'test',
    status: 'ok',
    error: null,
    createdAt: new Date(now.getTime() - ageDays * DAY).toISOString(),
    finishedAt: null,
    sizeBytes: 1,
    sha256: 'x',
    serverVersion: '15',
    rowCounts: {},
    schemaFingerprint: 'f',
    deploymentId: null,
    ownerPid: null,
    ...extra,
  };
}

describe('retention policy', () => {
  it('keeps the newest `last` and everything younger than `days`', () => {
    const rows = [row(1, 40), row(2, 35), row(3, 20), row(4, 10), row(5, 1)];
    expect(selectExpired(rows, { last: 2, days: 30 }, new Set(), now).map((r) => r.id)).toEqual([2, 1]);
    expect(selectExpired(rows, { last: 4, days: 30 }, new Set(), now).map((r) => r.id)).toEqual([1]);
    expect(selectExpired(rows, { last: 1, days: 0 }, new Set(), now).map((r) => r.id)).toEqual([4, 3, 2, 1]);
  });

  it('never selects a protected backup, nor one that is not ok', () => {
    const rows = [row(1, 40), row(2, 39, { status: 'failed' }), row(3, 38), row(4, 1)];
    expect(selectExpired(rows, { last: 1, days: 0 }, new Set([1]), now).map((r) => r.id)).toEqual([3]);
  });
});

describe('retention on disk', () => {
  let ctx: TestContext;
  beforeEach(() => {
    ctx = testContext({ database: '{ service: db, name: app }', backups: 'keep: { last: 1, days: 0 }' });
    fs.mkdirSync(ctx.config.backups.dir);
  });
  afterEach(() => ctx.cleanup());

  const catalogued = (name: string, reason: BackupReason, ageDays: number, deploymentId: number | null = null) => {
    fs.writeFileSync(path.join(ctx.config.backups.dir, name), 'dump');
    const id = ctx.store.backups.begin({
      fileName: name,
      tempName: `.${name}.partial`,
      databaseName: 'app',
      reason,
      note: null,
      actor: 'test',
      createdAt: new Date(Date.now() - ageDays * DAY).toISOString(),
      deploymentId,
    });
    ctx.store.backups.succeed(id, {
      sizeBytes: 4,
      sha256: 'x',
      serverVersion: '15',
      rowCounts: {},
      schemaFingerprint: 'f',
    });
    return id;
  };
  const deployment = () =>
    Number(
      ctx.store.db
        .prepare(`INSERT INTO deployments (kind, status, actor, created_at) VALUES ('deploy', 'succeeded', 'test', ?)`)
        .run(new Date().toISOString()).lastInsertRowid,
    );

  it('deletes only expired catalogued files, keeping rollback targets of the last 5 deployments and strangers', async () => {
    const oldDeploy = deployment();
    const oldPreDeploy = catalogued('old-predeploy.dump', 'pre-deploy', 50, oldDeploy);
    const recent: number[] = [];
    for (let i = 0; i < 5; i++) recent.push(catalogued(`predeploy-${i}.dump`, 'pre-deploy', 40 - i, deployment()));
    const expired = catalogued('expired.dump', 'scheduled', 60);
    const newest = catalogued('newest.dump', 'scheduled', 0);
    fs.writeFileSync(path.join(ctx.config.backups.dir, 'operator-notes.dump'), 'not ours');

    const removed = (await applyRetention(ctx)).map((b) => b.id).sort();

    // The oldest deployment is now the sixth newest: its pre-deploy backup is no longer protected.
    expect(removed).toEqual([oldPreDeploy, expired].sort());
    expect(backupFiles(ctx)).toEqual(
      ['newest.dump', 'operator-notes.dump', ...recent.map((_, i) => `predeploy-${i}.dump`)].sort(),
    );
    expect(ctx.store.backups.get(expired)?.status).toBe('pruned');
    expect(ctx.store.backups.get(newest)?.status).toBe('ok');
  });

  it('refuses catalog entries that point outside the backups folder or at a symlink', async () => {
    const outside = path.join(ctx.root, 'precious.txt');
    fs.writeFileSync(outside, 'keep me');
    catalogued('newest.dump', 'scheduled', 0);
    const escapee = catalogued('escape.dump', 'scheduled', 90);
    ctx.store.db.prepare('UPDATE backups SET file_name = ? WHERE id = ?').run('../precious.txt', escapee);
    fs.symlinkSync(outside, path.join(ctx.config.backups.dir, 'link.dump'));
    const link = catalogued('link-target.dump', 'scheduled', 80);
    fs.rmSync(path.join(ctx.config.backups.dir, 'link-target.dump'));
    ctx.store.db.prepare('UPDATE backups SET file_name = ? WHERE id = ?').run('link.dump', link);

    const removed = await applyRetention(ctx);

    expect(removed).toEqual([]);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(fs.lstatSync(path.join(ctx.config.backups.dir, 'link.dump')).isSymbolicLink()).toBe(true);
  });
});
