import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow, drillNow, sha256File } from '../../src/backup/index.js';
import { SwitchyardError } from '../../src/errors.js';
import { backupFiles, testContext, type TestContext } from '../fixtures/context.js';
import { BULK_DATA, tableDigest } from '../fixtures/data.js';
import { isRoot, need, run, runAsync } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('backups in URL mode (host pg_dump)', () => {
  let pg: PgCluster;
  let ctx: TestContext;

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb());
  });
  afterAll(async () => {
    ctx?.cleanup();
    await pg?.stop();
  });

  it('writes a timestamped, checksummed dump that restores to the same data', async () => {
    const backup = await backupNow(ctx, { reason: 'manual', note: 'before test', actor: 'test' });

    expect(backup.status).toBe('ok');
    expect(backup.fileName).toMatch(/^\d{8}T\d{6}Z_app_manual\.dump\.zst$/);
    const file = path.join(ctx.config.backups.dir, backup.fileName);
    expect(fs.statSync(file).size).toBe(backup.sizeBytes);
    expect(await sha256File(file)).toBe(backup.sha256);
    expect(backup.serverVersion).toMatch(/^15\./);
    expect(backup.rowCounts).toEqual({ 'public.comments': 600, 'public.requests': 250 });
    expect(backup.schemaFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.note).toBe('before test');

    // By hand, as README's recipe: zstd -dc FILE | pg_restore -d … (here through a file, to keep bytes binary).
    const archive = path.join(ctx.root, 'roundtrip.dump');
    run('zstd', ['-d', '-q', '-o', archive, file]);
    pg.createDatabase('roundtrip');
    run('pg_restore', ['--no-owner', '-d', pg.url('roundtrip'), archive]);
    for (const table of ['requests', 'comments']) {
      expect(pg.psql('roundtrip', tableDigest(table))).toBe(pg.psql('app', tableDigest(table)));
    }
  });

  it('keeps the catalog and the backups folder in step, and never logs the password', async () => {
    await backupNow(ctx, { reason: 'manual', actor: 'test' });
    const listed = ctx.store.backups
      .list({ status: 'ok' })
      .map((b) => b.fileName)
      .sort();
    expect(backupFiles(ctx)).toEqual(listed);
    expect(ctx.logLines.length).toBeGreaterThan(0);
    expect(ctx.logLines.join('\n')).not.toContain(pg.password);
    expect(JSON.stringify(ctx.store.audit.list())).not.toContain(pg.password);
  });

  it("asks no tool its version: pg_restore is pg_dump's own, zstd is looked up on PATH; without zstd it names the fix", async () => {
    // pg_restore and zstd first on PATH, each recording its arguments, then running the real one.
    const bin = fs.mkdtempSync(path.join(ctx.root, 'bin-'));
    const calls = path.join(bin, 'calls');
    for (const tool of ['pg_restore', 'zstd']) {
      const real = run('sh', ['-c', `command -v ${tool}`]).trim();
      fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${calls}\nexec ${real} "$@"\n`, {
        mode: 0o755,
      });
    }
    // A PATH with the PostgreSQL programs, stdbuf and mkfifo, and no zstd.
    const noZstd = fs.mkdtempSync(path.join(ctx.root, 'bin-'));
    for (const tool of ['pg_dump', 'pg_restore', 'stdbuf', 'mkfifo']) {
      fs.symlinkSync(run('sh', ['-c', `command -v ${tool}`]).trim(), path.join(noZstd, tool));
    }
    const pathWas = process.env.PATH;
    try {
      process.env.PATH = `${bin}${path.delimiter}${pathWas}`;
      expect((await backupNow(ctx, { reason: 'manual', actor: 'test' })).status).toBe('ok');
      // The verifying pg_restore and zstd start side by side: which one logs its call first is the scheduler's.
      const ran = fs.readFileSync(calls, 'utf8').trim().split('\n').sort();
      expect(ran).toEqual(['pg_restore --file=/dev/null', 'zstd -q -c -3 -T0']);

      process.env.PATH = noZstd;
      await expect(backupNow(ctx, { reason: 'manual', actor: 'test' })).rejects.toThrow(
        /zstd is not installed on this host .*install the zstd package/,
      );
    } finally {
      process.env.PATH = pathWas;
    }
  });

  it('reports a verified drill for a good backup and removes the scratch database', async () => {
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    const report = await drillNow(ctx, backup.id, 'test');
    expect(report.issues).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.markdown).toContain(`**Backup Used**: ${backup.fileName}`);
    expect(report.markdown).toContain('**Data Verified**: yes');
    expect(pg.psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = 'app_dr_test'`)).toBe('0');
    expect(ctx.store.drills.latestFor(backup.id)?.verified).toBe(true);
  });

  it('reports "not verified" when the file was altered (sha256 mismatch)', async () => {
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    const file = path.join(ctx.config.backups.dir, backup.fileName);
    const bytes = fs.readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0xff, bytes.length - 10);
    fs.writeFileSync(file, bytes);
    const report = await drillNow(ctx, backup.id, 'test');
    expect(report.verified).toBe(false);
    expect(report.issues.join()).toMatch(/sha256 mismatch/);
    expect(report.markdown).toContain('**Data Verified**: no');
  });

  it('reports "not verified" when the restored rows differ from those recorded', async () => {
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    // Swap in a dump of different data, with a matching checksum: only the row check can tell.
    pg.psql('app', `DELETE FROM comments WHERE id <= 10`);
    const file = path.join(ctx.config.backups.dir, backup.fileName);
    const archive = path.join(ctx.root, 'other.dump');
    run('pg_dump', ['-Fc', '-Z0', '-f', archive, pg.url('app')]);
    run('zstd', ['-q', '-f', '-o', file, archive]);
    ctx.store.db.prepare('UPDATE backups SET sha256 = ? WHERE id = ?').run(await sha256File(file), backup.id);
    const report = await drillNow(ctx, backup.id, 'test');
    expect(report.verified).toBe(false);
    expect(report.issues).toContain('table public.comments: recorded 600 rows, restored 590');
  });

  it('leaves no valid-looking file when pg_dump is killed mid-way, and records why', async () => {
    pg.psql('app', BULK_DATA);
    try {
      const pending = backupNow(ctx, { reason: 'manual', actor: 'test' }).catch((e: unknown) => e);
      await waitFor(() =>
        backupFiles(ctx).some(
          (f) => f.endsWith('.partial') && fs.statSync(path.join(ctx.config.backups.dir, f)).size > 1 << 20,
        ),
      );
      const pids = (await runAsync('pgrep', ['-x', '-P', String(process.pid), 'pg_dump'])).trim().split('\n');
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');

      const error = await pending;
      expect(error).toBeInstanceOf(SwitchyardError);
      expect((error as Error).message).toMatch(/pg_dump exited with code 137|does not read back/);
      expect(backupFiles(ctx).filter((f) => f.includes('.partial'))).toEqual([]);
      const failedRow = ctx.store.backups.list()[0]!;
      expect(failedRow.status).toBe('failed');
      expect(failedRow.error).toBeTruthy();
      expect(backupFiles(ctx)).not.toContain(failedRow.fileName);
    } finally {
      pg.psql('app', 'DROP TABLE bulk');
    }
  });

  it.runIf(need('root (to mount a tmpfs)', isRoot()))('fails cleanly when the backups folder is full', async () => {
    const small = path.join(ctx.root, 'small');
    fs.mkdirSync(small);
    run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]);
    const full = testContext({ database: `{ url: ${JSON.stringify(pg.url('app'))} }`, backupsDir: small });
    try {
      pg.psql('app', `CREATE TABLE filler AS SELECT md5(random()::text) AS t FROM generate_series(1, 20000)`);
      const error = await backupNow(full, { reason: 'manual', actor: 'test' }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/no space left in backups dir/);
      expect(fs.readdirSync(small)).toEqual([]);
      expect(full.store.backups.list()[0]).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/no space left/),
      });
      expect(full.store.lock.holder()).toBeUndefined();
    } finally {
      pg.psql('app', 'DROP TABLE IF EXISTS filler');
      run('umount', [small]);
      full.cleanup();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
