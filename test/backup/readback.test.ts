import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow } from '../../src/backup/index.js';
import { backupFiles, testContext, type TestContext } from '../fixtures/context.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

/**
 * The read-back race: pg_dump of a small database can finish before switchyard
 * starts reading its output. With both cores busy that happened to about one
 * backup in four; every one of these must be `ok`.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('backup read-back under load', () => {
  let pg: PgCluster;
  let ctx: TestContext;
  const spinners: ChildProcess[] = [];

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb({
      backups: 'keep: { last: 100, days: 30 }',
    }));
  });
  afterAll(async () => {
    for (const s of spinners) s.kill('SIGKILL');
    ctx?.cleanup();
    await pg?.stop();
  });

  it('takes 30 back-to-back backups of a small database while both cores are busy, all ok', {
    timeout: 180_000,
  }, async () => {
    for (let i = 0; i < 2; i++) spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    const failures: string[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        await backupNow(ctx, { reason: 'manual', actor: 'test' }).catch((e: unknown) =>
          failures.push((e as Error).message),
        );
      }
    } finally {
      for (const s of spinners.splice(0)) s.kill('SIGKILL');
    }
    expect(failures).toEqual([]);
    const ok = ctx.store.backups.list({ status: 'ok' });
    expect(ok).toHaveLength(30);
    expect(ok.every((b) => (b.sizeBytes ?? 0) > 1000 && b.rowCounts?.['public.requests'] === 250)).toBe(true);
    expect(backupFiles(ctx).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it("fails with pg_dump's own words, naming the table it may not read, and leaves nothing behind", async () => {
    pg.psql('app', `CREATE TABLE staff_secrets (id int, note text); INSERT INTO staff_secrets VALUES (1, 'x')`);
    pg.psql('app', `CREATE ROLE limited LOGIN PASSWORD 'limited-pw'; GRANT SELECT ON requests, comments TO limited`);
    const limited = testContext({
      database: `{ url: ${JSON.stringify(pg.url('app').replace(/\/\/postgres:[^@]*@/, '//limited:limited-pw@'))} }`,
    });
    try {
      const error = (await backupNow(limited, { reason: 'manual', actor: 'test' }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/pg_dump exited with code 1: .*permission denied for table staff_secrets/);
      expect(limited.store.backups.list()[0]).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('staff_secrets'),
      });
      expect(backupFiles(limited)).toEqual([]);
    } finally {
      limited.cleanup();
      pg.psql('app', `DROP TABLE staff_secrets; DROP OWNED BY limited; DROP ROLE limited`);
    }
  });
});
