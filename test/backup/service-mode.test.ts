import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow, drillNow, sha256File } from '../../src/backup/index.js';
import { backupFiles, testContext, type TestContext } from '../fixtures/context.js';
import { startPgCompose, type ComposeSandbox } from '../fixtures/compose.js';
import { BULK_DATA, SAMPLE_SCHEMA, tableDigest } from '../fixtures/data.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/** Kills pg_dump where it runs; async, since a blocking spawn would stop this process reading the dump. */
type KillPgDump = (sandbox: ComposeSandbox) => Promise<unknown>;

describe.runIf(ready).each([
  {
    programs: "this host's client programs over the container's socket",
    clientPrograms: 'auto',
    via: "a pipe in the temp dir, from this host's pg_dump over the container's socket, in 1 MiB writes",
    // This process's own child, not some other pg_dump of the host.
    killPgDump: (() =>
      promisify(execFile)('pkill', ['-KILL', '-P', String(process.pid), '-x', 'pg_dump'])) as KillPgDump,
  },
  {
    programs: "the container's own client programs",
    clientPrograms: 'container',
    via: "a pipe in the container's /tmp",
    killPgDump: ((sandbox) =>
      sandbox.composeAsync(['exec', '-T', 'db', 'pkill', '-KILL', '-x', 'pg_dump'])) as KillPgDump,
  },
])('backups in service mode, with $programs', ({ clientPrograms, via, killPgDump }) => {
  let sandbox: ComposeSandbox;
  let ctx: TestContext;

  beforeAll(() => {
    sandbox = startPgCompose({ dbName: 'app' });
    sandbox.psql('app', SAMPLE_SCHEMA);
    // No project.name: switchyard must find the name the way compose does (here: `name:` in the file).
    ctx = testContext({
      database: `{ service: db, user: postgres, name: app, clientPrograms: ${clientPrograms} }`,
      projectDir: sandbox.dir,
    });
  });
  afterAll(() => {
    ctx?.cleanup();
    sandbox?.down();
  });

  it('streams the dump out of the container into a verified, restorable file', async () => {
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    expect(backup.status).toBe('ok');
    expect(backup.rowCounts).toEqual({ 'public.comments': 600, 'public.requests': 250 });
    const file = path.join(ctx.config.backups.dir, backup.fileName);
    expect(await sha256File(file)).toBe(backup.sha256);
    const finished = ctx.logLines.find((l) => l.includes('backup finished') && l.includes(backup.fileName));
    expect(finished).toContain(via);

    // Restore through the container's own pg_restore, fed from the host file through the host's zstd.
    expect(backup.fileName).toMatch(/\.dump\.zst$/);
    sandbox.psql('postgres', 'CREATE DATABASE roundtrip');
    sandbox.compose(
      ['exec', '-T', 'db', 'pg_restore', '-U', 'postgres', '-d', 'roundtrip'],
      execFileSync('zstd', ['-d', '-c', '-q', file], { maxBuffer: 1 << 28 }),
    );
    for (const table of ['requests', 'comments']) {
      expect(sandbox.psql('roundtrip', tableDigest(table))).toBe(sandbox.psql('app', tableDigest(table)));
    }
  });

  it('verifies a good backup with a drill', async () => {
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    const report = await drillNow(ctx, undefined, 'test');
    expect(report.backupId).toBe(backup.id);
    expect(report.issues).toEqual([]);
    expect(report.verified).toBe(true);
    expect(sandbox.psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = 'app_dr_test'`)).toBe('0');
  });

  it("reports pg_restore's words, without hanging, when a large .dump.zst holds no archive", async () => {
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    const file = path.join(ctx.config.backups.dir, backup.fileName);
    // 32 MB that decompress fine but are no pg_dump archive: pg_restore stops at once while zstd has plenty left.
    execFileSync('zstd', ['-q', '-f', '-o', file], { input: Buffer.alloc(32 << 20, 'not an archive\n') });
    ctx.store.db.prepare('UPDATE backups SET sha256 = ? WHERE id = ?').run(await sha256File(file), backup.id);
    const report = await drillNow(ctx, backup.id, 'test');
    expect(report.verified).toBe(false);
    expect(report.issues.join()).toMatch(
      /restore failed \(pg_restore exited with code 1\): .*(not appear to be a valid archive|too short)/,
    );
    expect(sandbox.psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = 'app_dr_test'`)).toBe('0');
  });

  it('leaves no valid-looking file when pg_dump is killed', async () => {
    sandbox.psql('app', BULK_DATA);
    const pending = backupNow(ctx, { reason: 'manual', actor: 'test' }).catch((e: unknown) => e);
    try {
      const until = Date.now() + 60_000;
      while (
        !backupFiles(ctx).some(
          (f) => f.endsWith('.partial') && fs.statSync(path.join(ctx.config.backups.dir, f)).size > 1 << 20,
        )
      ) {
        if (Date.now() > until) throw new Error('dump never started');
        await new Promise((r) => setTimeout(r, 20));
      }
      await killPgDump(sandbox);
      const error = (await pending) as Error;
      expect(error.message).toMatch(/backup failed: (pg_dump exited with code|the dump does not read back)/);
      expect(backupFiles(ctx).filter((f) => f.includes('.partial'))).toEqual([]);
      const row = ctx.store.backups.list()[0]!;
      expect(row.status).toBe('failed');
      expect(backupFiles(ctx)).not.toContain(row.fileName);
      expect(ctx.store.lock.holder()).toBeUndefined();
    } finally {
      await pending; // a dump still running holds a lock that DROP TABLE would wait for, blocking this process
      sandbox.psql('app', 'DROP TABLE bulk');
    }
  });

  it('names the service when its container is not running', async () => {
    sandbox.compose(['stop', 'db']);
    try {
      await expect(backupNow(ctx, { reason: 'manual', actor: 'test' })).rejects.toThrow(
        `no running container for compose service "db" in compose project "${sandbox.project}"`,
      );
    } finally {
      sandbox.compose(['up', '-d', '--wait']);
    }
  });
});
