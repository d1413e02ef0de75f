import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/main/daemon.js';
import type { TestContext } from '../fixtures/context.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';
import { startS3, type S3Server } from '../fixtures/s3.js';

const TOKEN = 'wake-test-token-0123456789';

/**
 * The daemon's off-site worker passes every 30 s; a finished backup wakes it at once (the runtime's backupDone,
 * told by the one place a backup is recorded done), so the copy starts within seconds, whatever took the backup.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('a finished backup wakes the off-site worker', () => {
  let pg: PgCluster;
  let s3: S3Server;
  let ctx: TestContext;
  let server: RunningServer | undefined;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3();
    Object.assign(process.env, s3.env); // the bucket's keys, as the daemon's environment holds them
    ({ pg, ctx } = await startSampleDb({ extra: 'server: { listen: "127.0.0.1:0" }' }));
    ctx.config = parseConfig(`${fs.readFileSync(ctx.configFile, 'utf8')}\n${s3.offsiteYaml({})}`);
    server = await startServer(ctx, { SWITCHYARD_ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
    process.env = savedEnv;
    ctx?.cleanup();
    await pg?.stop();
    await s3?.stop();
  });

  it('a backup taken through the API is uploaded seconds after it is done, not at the next 30 s pass', async () => {
    await new Promise((r) => setTimeout(r, 500)); // the worker's first pass, at start, finds nothing to copy
    const res = await fetch(`${server!.url}/api/system/backups/create`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(201);
    const { backup } = (await res.json()) as { backup: { id: number } };
    const done = Date.now();
    while (ctx.store.offsite.get(backup.id)?.state !== 'uploaded') {
      expect(Date.now() - done, 'seconds from the backup to its off-site copy').toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`off-site copy uploaded ${Date.now() - done} ms after the backup was done`);
  });
});
