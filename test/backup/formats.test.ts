import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention, backupNow, drillNow, recoverInterruptedBackups, sha256File } from '../../src/backup/index.js';
import { readBackBackupFile } from '../../src/backup/pgRestore.js';
import { restoreDatabase } from '../../src/backup/restore.js';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { backupFiles, type TestContext } from '../fixtures/context.js';
import { tableDigest } from '../fixtures/data.js';
import { need, run } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

const TOKEN = 'formats-test-admin-token-0123456789';

/**
 * Backups of both formats in one catalog: the old `.dump` (pg_dump's own zlib,
 * what every backup was before zstd; method gzip writes it still) and the new
 * `.dump.zst`. Every reader takes either.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('backup formats, old and new, side by side', () => {
  let pg: PgCluster;
  let ctx: TestContext;
  const digest = () => ['requests', 'comments'].map((t) => pg.psql('app', tableDigest(t))).join();

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb({
      backups: 'compression: { method: gzip }',
    }));
  });
  afterAll(async () => {
    ctx?.cleanup();
    await pg?.stop();
  });
  const useMethod = (method: 'zstd' | 'gzip' | 'none') => {
    ctx.config.backups.compression = { method, level: method === 'gzip' ? 6 : 3, threads: 0 };
  };

  it('restores and drills an old-format .dump after the switch to zstd, next to a new .dump.zst', async () => {
    useMethod('gzip');
    const before = digest();
    const old = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    expect(old.fileName).toMatch(/_manual\.dump$/);
    const oldFile = path.join(ctx.config.backups.dir, old.fileName);
    // The old format is a custom archive pg_restore reads as it is, compressed by pg_dump itself.
    expect(fs.readFileSync(oldFile).subarray(0, 5).toString()).toBe('PGDMP');
    expect(run('pg_restore', ['--list', oldFile])).toMatch(/Compression: (gzip|-1|6)/);

    useMethod('zstd');
    pg.psql('app', `DELETE FROM comments WHERE id > 300; UPDATE requests SET status = 'closed'`);
    const changed = digest();
    const fresh = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    expect(fresh.fileName).toMatch(/_manual\.dump\.zst$/);
    const freshFile = path.join(ctx.config.backups.dir, fresh.fileName);
    expect(fs.readFileSync(freshFile).readUInt32LE(0)).toBe(0xfd2fb528); // the zstd frame magic
    expect(await sha256File(freshFile)).toBe(fresh.sha256);
    expect(fresh.sizeBytes).toBe(fs.statSync(freshFile).size);

    await restoreDatabase(ctx, ctx.store.backups.get(old.id)!);
    expect(digest()).toBe(before);
    await restoreDatabase(ctx, ctx.store.backups.get(fresh.id)!);
    expect(digest()).toBe(changed);

    for (const b of [old, fresh]) {
      const report = await drillNow(ctx, b.id, 'test');
      expect(report.issues, b.fileName).toEqual([]);
      expect(report.verified).toBe(true);
    }
    await readBackBackupFile(oldFile);
    await readBackBackupFile(freshFile);
    // URL mode restores a .dump.zst from a decompressed temp file with pg_restore -j: it is gone afterwards.
    expect(backupFiles(ctx).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('method none writes a plain, uncompressed .dump that restores', async () => {
    useMethod('none');
    const plain = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    expect(plain.fileName).toMatch(/_manual\.dump$/);
    const file = path.join(ctx.config.backups.dir, plain.fileName);
    expect(run('pg_restore', ['--list', file])).toMatch(/Compression: (none|0)/);
    // Its rows were merged into large chunks on the way (compactArchive.ts): 5 bytes less per row than pg_dump's stream.
    const streamed = spawnSync('pg_dump', ['--format=custom', '--compress=0', 'app'], {
      env: pg.env,
      maxBuffer: 1 << 26,
    }).stdout;
    const rows = Number(pg.psql('app', 'SELECT (SELECT count(*) FROM requests) + (SELECT count(*) FROM comments)'));
    expect(streamed.length - plain.sizeBytes!).toBeGreaterThan(4 * rows);
    expect((await drillNow(ctx, plain.id, 'test')).verified).toBe(true);
    useMethod('zstd');
  });

  it('downloads either format from the API under its own name and content type, byte for byte', async () => {
    const app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
    const zst = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    useMethod('gzip');
    const dump = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    useMethod('zstd');
    for (const [b, type] of [
      [zst, 'application/zstd'],
      [dump, 'application/octet-stream'],
    ] as const) {
      const res = await app.request(`/api/system/backups/${b.id}/download`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${b.fileName}"`);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBe(b.sizeBytes);
      expect(createHash('sha256').update(body).digest('hex')).toBe(b.sha256);
    }
    const anonymous = await app.request(`/api/system/backups/${zst.id}/download`);
    expect(anonymous.status).toBe(401);
    const missing = await app.request('/api/system/backups/99999/download', {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(missing.status).toBe(404);
  });

  it("a damaged .dump.zst fails to restore with zstd's words, and the live database stays as it was", async () => {
    const b = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    const file = path.join(ctx.config.backups.dir, b.fileName);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const live = digest();
    // The sha256 is checked first: a changed file is refused before anything runs.
    await expect(restoreDatabase(ctx, ctx.store.backups.get(b.id)!)).rejects.toThrow(
      /does not match its recorded sha256/,
    );
    // Read back as it is (an off-site copy coming back is checked this way): zstd names the problem.
    await expect(readBackBackupFile(file)).rejects.toThrow(/zstd could not decompress the file|pg_restore exited/);
    await expect(readBackBackupFile(file)).rejects.toThrow(/zstd/);
    // Even with a catalog that agrees with the damage, the restore fails before the swap.
    ctx.store.db.prepare('UPDATE backups SET sha256 = ? WHERE id = ?').run(await sha256File(file), b.id);
    await expect(restoreDatabase(ctx, ctx.store.backups.get(b.id)!)).rejects.toThrow(
      /restore failed .*zstd|zstd could not decompress/,
    );
    expect(digest()).toBe(live);
    expect(pg.psql('postgres', `SELECT count(*) FROM pg_database WHERE datname LIKE 'app_sy_%'`)).toBe('0');
  });

  it('cleans up temp files of both formats after a crash, and retention removes either format', async () => {
    fs.writeFileSync(path.join(ctx.config.backups.dir, '.20260101T000000Z_app_manual.dump.zst.partial'), 'half');
    fs.writeFileSync(path.join(ctx.config.backups.dir, '.20260101T000000Z_app_manual.dump.partial'), 'half');
    fs.writeFileSync(path.join(ctx.config.backups.dir, 'operator-notes.zst'), 'not ours');
    await recoverInterruptedBackups(ctx);
    expect(backupFiles(ctx).filter((f) => f.endsWith('.partial'))).toEqual([]);

    const ok = ctx.store.backups.list({ status: 'ok' });
    expect(new Set(ok.map((b) => (b.fileName.endsWith('.zst') ? 'zst' : 'dump')))).toEqual(new Set(['zst', 'dump']));
    ctx.config.backups.keep = { last: 1, days: 0 };
    const removed = await applyRetention(ctx, new Date(Date.now() + 86_400_000));
    expect(removed.map((b) => b.fileName).some((f) => f.endsWith('.dump.zst'))).toBe(true);
    expect(removed.map((b) => b.fileName).some((f) => f.endsWith('.dump'))).toBe(true);
    const kept = ctx.store.backups.list({ status: 'ok' }).map((b) => b.fileName);
    expect(backupFiles(ctx)).toEqual([...kept, 'operator-notes.zst'].sort());
  });
});
