import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main/daemon.js';
import { backupFiles, type TestContext } from '../fixtures/context.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

const TOKEN = 'serve-test-token-0123456789';

describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('the daemon', () => {
  let pg: PgCluster;
  let ctx: TestContext;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb({
      backups: 'schedule: "*/2 * * * * *", keep: { last: 2, days: 0 }', // every 2 seconds, keep two
      extra: 'server: { listen: "127.0.0.1:0" }',
    }));
  });
  afterAll(async () => {
    await server?.close();
    ctx?.cleanup();
    await pg?.stop();
  });

  it('cleans up an interrupted backup before it starts serving', async () => {
    fs.mkdirSync(ctx.config.backups.dir, { recursive: true });
    const id = ctx.store.backups.begin({
      fileName: '20260101T000000Z_app_manual.dump',
      tempName: '.20260101T000000Z_app_manual.dump.partial',
      databaseName: 'app',
      reason: 'manual',
      note: null,
      actor: 'test',
      createdAt: '2026-01-01T00:00:00.000Z',
      deploymentId: null,
    });
    // Journaled by a process that no longer exists, with its half-written file left behind.
    ctx.store.db.prepare('UPDATE backups SET owner_pid = 999999 WHERE id = ?').run(id);
    fs.writeFileSync(path.join(ctx.config.backups.dir, '.20260101T000000Z_app_manual.dump.partial'), 'half');

    server = await startServer(ctx, { SWITCHYARD_ADMIN_TOKEN: TOKEN });

    expect(ctx.store.backups.get(id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
    expect(backupFiles(ctx).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('serves the API on the configured address with the runbook routes', async () => {
    const health = await fetch(`${server!.url}/api/health`);
    expect(health.status).toBe(200);
    const denied = await fetch(`${server!.url}/api/system/backups`);
    expect(denied.status).toBe(401);
    const listed = await fetch(`${server!.url}/api/system/backups`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(listed.status).toBe(200);
  });

  it('takes scheduled backups and applies retention after each', async () => {
    const until = Date.now() + 30_000;
    const scheduled = () => ctx.store.backups.list().filter((b) => b.reason === 'scheduled');
    while (scheduled().filter((b) => b.status === 'pruned').length < 1) {
      if (Date.now() > until) throw new Error(`scheduled backups: ${JSON.stringify(scheduled().map((b) => b.status))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await server!.close();
    server = undefined;
    const ok = ctx.store.backups.list({ status: 'ok' });
    expect(ok.length).toBeLessThanOrEqual(2);
    expect(ok.every((b) => b.actor === 'scheduler')).toBe(true);
    expect(
      backupFiles(ctx)
        .filter((f) => /\.dump(\.zst)?$/.test(f))
        .sort(),
    ).toEqual(ok.map((b) => b.fileName).sort());
  });
});
