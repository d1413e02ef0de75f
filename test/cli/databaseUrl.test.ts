import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import type { TestContext } from '../fixtures/context.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

/**
 * A database URL carrying its password as libpq's `?password=` rather than in the user info: the backup
 * connects with it, and it shows nowhere, whatever the command prints, logs or records.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('a database URL with ?password=', () => {
  let pg: PgCluster;
  let ctx: TestContext;

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb({}, (cluster) => cluster.url('app', { passwordInQuery: true })));
  });
  afterAll(async () => {
    ctx?.cleanup();
    await pg?.stop();
  });

  it('backs up with it, and it is in none of: config, the log, the catalog, the failed backup, the audit', async () => {
    const url = `postgres://postgres@127.0.0.1:${pg.port}/app?password=***`;
    const shown = await switchyard(['config', '--config', ctx.configFile]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`"url": "${url}"`);

    const made = await switchyard(['backup', '--verbose', '--json', '--config', ctx.configFile]);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ status: 'ok', rowCounts: { 'public.requests': 250 } });
    expect(made.stderr).toMatch(
      /"msg":"backup started",.*"database":"postgres:\/\/postgres@127\.0\.0\.1:\d+\/app\?password=\*\*\*"/,
    );

    // Gone: the error names the URL it could not reach.
    pg.psql('postgres', 'DROP DATABASE app');
    const failed = await switchyard(['backup', '--verbose', '--config', ctx.configFile]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`backup failed: cannot connect to ${url}: `);
    expect(failed.stderr).toContain('does not exist');
    const listed = await switchyard(['backups', '--json', '--config', ctx.configFile]);
    const rows = JSON.parse(listed.stdout) as { status: string; error: string | null }[];
    expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'ok']);
    expect(rows.find((r) => r.status === 'failed')?.error).toContain(`cannot connect to ${url}:`);

    const audit = JSON.stringify(ctx.store.audit.list());
    expect(audit).toContain(`cannot connect to ${url}:`);
    for (const text of [shown.stdout, made.stdout, made.stderr, failed.stderr, listed.stdout, audit]) {
      expect(text).not.toContain(pg.password);
    }
  });
});
