import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArchiveIndex, readArchiveIndex } from '../../src/backup/archiveIndex.js';
import { backupNow } from '../../src/backup/index.js';
import { restoreBackupFile } from '../../src/backup/pgRestore.js';
import type { TestContext } from '../fixtures/context.js';
import { tableDigest } from '../fixtures/data.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

/**
 * A `.dump.zst` restored by the host's pg_restore in parallel data streams (restoreStreams.ts),
 * on a real cluster: the whole database comes back, the streams' scratch files go, and one stream
 * that fails stops the restore with pg_restore's own words.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('restoring a .dump.zst in parallel streams', () => {
  let pg: PgCluster;
  let ctx: TestContext;
  let file: string;

  const INDEXES = `SELECT string_agg(indexdef, '; ' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public'`;
  const CONSTRAINTS = `SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace`;
  const ourScratch = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`switchyard-${process.pid}-`));
  /** A copy of the backup with its archive passed through `edit` (decompressed, edited, compressed again). */
  const withArchive = (name: string, edit: (archive: Buffer) => Buffer, trailer: Buffer) => {
    const archive = execFileSync('zstd', ['-d', '-c', '-q', '--', file], { maxBuffer: 1 << 26 });
    const copy = path.join(ctx.root, name);
    fs.writeFileSync(copy, Buffer.concat([execFileSync('zstd', ['-q', '-c'], { input: edit(archive) }), trailer]));
    return copy;
  };
  const restoreInto = async (database: string, from: string) => {
    pg.createDatabase(database);
    return restoreBackupFile(ctx.database(), database, from);
  };
  const expectSameAsApp = (database: string) => {
    for (const table of ['requests', 'comments'])
      expect(pg.psql(database, tableDigest(table)), table).toBe(pg.psql('app', tableDigest(table)));
    expect(pg.psql(database, INDEXES)).toBe(pg.psql('app', INDEXES));
    expect(pg.psql(database, CONSTRAINTS)).toBe(pg.psql('app', CONSTRAINTS));
    expect(pg.psql(database, `SELECT last_value FROM requests_id_seq`)).toBe(
      pg.psql('app', `SELECT last_value FROM requests_id_seq`),
    );
  };

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb());
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    file = path.join(ctx.config.backups.dir, backup.fileName);
  });
  afterAll(async () => {
    ctx?.cleanup();
    await pg?.stop();
  });

  it('restores data, indexes, constraints and sequences, one stream per table, and leaves no scratch file', async () => {
    const sizes = await readArchiveIndex(file);
    expect([...sizes!.values()].filter((bytes) => bytes > 1000)).toHaveLength(2); // requests and comments
    expect(await restoreInto('streamed', file)).toBe('2 parallel streams from the file');
    expectSameAsApp('streamed');
    expect(ourScratch()).toEqual([]);
  });

  it('restores a file written before backups stored their data sizes', async () => {
    const old = withArchive('old.dump.zst', (archive) => archive, Buffer.alloc(0));
    expect(await readArchiveIndex(old)).toBeNull();
    expect(await restoreInto('from_old', old)).toBe('2 parallel streams from the file');
    expectSameAsApp('from_old');
  });

  it('fails with pg_restore’s words when one stream fails, and leaves no scratch file', async () => {
    // Same length, so the archive's framing still holds: only the row is wrong.
    const broken = withArchive(
      'broken.dump.zst',
      (archive) => {
        const row = archive.indexOf('\n17\tpothole #17\t');
        expect(row).toBeGreaterThan(0);
        return Buffer.concat([archive.subarray(0, row), Buffer.from('\n1x'), archive.subarray(row + 3)]);
      },
      encodeArchiveIndex((await readArchiveIndex(file))!),
    );
    const started = Date.now();
    await expect(restoreInto('from_broken', broken)).rejects.toThrow(
      /^restore failed \(pg_restore exited with code 1\): .*invalid input syntax for type integer: "1x"/s,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(ourScratch()).toEqual([]);
    // The failed stream's table is empty; post-data never ran.
    expect(pg.psql('from_broken', 'SELECT count(*) FROM requests')).toBe('0');
    expect(pg.psql('from_broken', INDEXES)).toBe('');
  });
});
