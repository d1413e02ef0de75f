import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { switchyard } from '../fixtures/cli.js';
import { SAMPLE_SCHEMA } from '../fixtures/data.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';

/**
 * A database URL carrying its password as libpq's `?password=` rather than in the user info: the backup
 * connects with it, and it shows nowhere, whatever the command prints, logs or records.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('a database URL with ?password=', () => {
  let pg: PgCluster;
  let dir: string;
  const configFor = (database: string) => {
    const file = path.join(dir, `${database}.yaml`);
    const url = `postgres://postgres@127.0.0.1:${pg.port}/${database}?sslmode=disable&password=${encodeURIComponent(pg.password)}`;
    fs.writeFileSync(
      file,
      [
        `project: { dir: ${dir} }`,
        `database: { url: "${url}" }`,
        `stateDir: ${dir}/state`,
        `backups: { dir: ${dir}/backups }`,
      ].join('\n'),
    );
    return file;
  };

  beforeAll(async () => {
    pg = await startPgCluster();
    pg.createDatabase('app');
    pg.psql('app', SAMPLE_SCHEMA);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-cli-url-'));
  });
  afterAll(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('backs up with it, and it is in none of: config, the log, the catalog, the failed backup, the audit', async () => {
    const good = configFor('app');
    const shown = await switchyard(['config', '--config', good]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      `"url": "postgres://postgres@127.0.0.1:${pg.port}/app?sslmode=disable&password=***"`,
    );

    const made = await switchyard(['backup', '--verbose', '--json', '--config', good]);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ status: 'ok', rowCounts: { 'public.requests': 250 } });
    expect(made.stderr).toContain('"msg":"backup started"');
    expect(made.stderr).toContain('password=***');

    // The database does not exist: the error names the URL it could not reach.
    const failed = await switchyard(['backup', '--verbose', '--config', configFor('gone')]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /backup failed: cannot connect to postgres:\/\/postgres@127\.0\.0\.1:\d+\/gone\?sslmode=disable&password=\*\*\* /,
    );
    const listed = await switchyard(['backups', '--json', '--config', good]);
    const rows = JSON.parse(listed.stdout) as { status: string; error: string | null }[];
    expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'ok']);
    expect(rows.find((r) => r.status === 'failed')?.error).toContain('/gone?sslmode=disable&password=*** ');

    const store = openStore(path.join(dir, 'state'));
    const audit = JSON.stringify(store.audit.list());
    store.close();
    expect(audit).toContain('backup.create');
    expect(audit).toContain('password=***');
    for (const text of [shown.stdout, made.stdout, made.stderr, failed.stderr, listed.stdout, audit]) {
      expect(text).not.toContain(pg.password);
    }
  });
});
