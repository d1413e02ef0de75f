import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArchiveIndex, readArchiveIndex } from '../../src/backup/archiveIndex.js';
import { backupNow } from '../../src/backup/index.js';
import { parseArchiveHead } from '../../src/backup/compactArchive.js';
import { restoreBackupFile } from '../../src/backup/pgRestore.js';
import { readArchiveHead } from '../../src/backup/restoreStreams.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { ALWAYS_SPLIT, tableDigest } from '../fixtures/data.js';
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
  const ourChildren = () =>
    execFileSync('ps', ['-e', '-o', 'ppid=,comm='])
      .toString()
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([ppid, name]) => ppid === String(process.pid) && /^(psql|pg_restore|zstd)$/.test(name ?? ''));
  const ourScratch = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`switchyard-${process.pid}-`));
  /** A copy of the backup with its archive passed through `edit` (decompressed, edited, compressed again). */
  const withArchive = (name: string, edit: (archive: Buffer) => Buffer, trailer: Buffer) => {
    const archive = execFileSync('zstd', ['-d', '-c', '-q', '--', file], { maxBuffer: 1 << 26 });
    const copy = path.join(ctx.root, name);
    fs.writeFileSync(
      copy,
      Buffer.concat([execFileSync('zstd', ['-q', '-c'], { input: edit(archive), maxBuffer: 1 << 26 }), trailer]),
    );
    return copy;
  };
  /** A copy of the backup, its stored sizes kept, with `row` made `broken`: same length, so the framing holds. */
  const withRowBroken = async (name: string, row: string, broken: string) => {
    expect(broken.length).toBe(row.length);
    return withArchive(
      name,
      (archive) => {
        const at = archive.indexOf(row);
        expect(at).toBeGreaterThan(0);
        return Buffer.concat([archive.subarray(0, at), Buffer.from(broken), archive.subarray(at + row.length)]);
      },
      encodeArchiveIndex((await readArchiveIndex(file))!),
    );
  };
  /** `split` deals the rows of any table larger than its share over sessions (restorePlan.ts), however busy the host. */
  const restoreInto = async (database: string, from: string, split = false) => {
    pg.createDatabase(database);
    return restoreBackupFile(ctx.database(), database, from, [], { split: split ? ALWAYS_SPLIT : undefined });
  };
  const SPLIT = /^\d parallel streams from the file, \d of them sharing a large table's rows$/;
  const expectSameAsApp = (database: string) => {
    for (const table of ['requests', 'comments', 'zz_filler'])
      expect(pg.psql(database, tableDigest(table)), table).toBe(pg.psql('app', tableDigest(table)));
    expect(pg.psql(database, INDEXES)).toBe(pg.psql('app', INDEXES));
    expect(pg.psql(database, CONSTRAINTS)).toBe(pg.psql('app', CONSTRAINTS));
    expect(pg.psql(database, `SELECT last_value FROM requests_id_seq`)).toBe(
      pg.psql('app', `SELECT last_value FROM requests_id_seq`),
    );
  };

  /**
   * Runs `fn` with a `zstd` first on PATH: `script` runs (sh) once the real one has read the archive's head,
   * with $REAL the real zstd.
   */
  const withZstd = async <T>(script: string, fn: () => Promise<T>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-zstd-'));
    const real = execFileSync('which', ['zstd']).toString().trim();
    fs.writeFileSync(
      path.join(dir, 'zstd'),
      `#!/bin/sh\nREAL=${real}\nif [ ! -e ${dir}/head-read ]; then touch ${dir}/head-read; exec $REAL "$@"; fi\n${script}\n`,
      { mode: 0o755 },
    );
    const path0 = process.env.PATH;
    process.env.PATH = `${dir}:${path0}`;
    try {
      return await fn();
    } finally {
      process.env.PATH = path0;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb());
    // Last in the archive and the largest, so it has a stream of its own, and the other stream's pg_restore
    // is done (and stops reading) while its zstd still has megabytes to write.
    pg.psql(
      'app',
      `CREATE TABLE zz_filler (id int PRIMARY KEY, body text);
       INSERT INTO zz_filler SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 300000) g;`,
    );
    const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
    file = path.join(ctx.config.backups.dir, backup.fileName);
  });
  afterAll(async () => {
    ctx?.cleanup();
    await pg?.stop();
  });

  it('restores data, indexes, constraints and sequences in two streams, and leaves no scratch file', async () => {
    const sizes = await readArchiveIndex(file);
    expect([...sizes!.values()].filter((bytes) => bytes > 1000)).toHaveLength(3); // requests, comments, zz_filler
    expect(await restoreInto('streamed', file)).toBe('2 parallel streams from the file');
    expectSameAsApp('streamed');
    expect(ourScratch()).toEqual([]);
  });

  it('deals the largest table’s rows over two sessions: the same database, and no scratch file left', async () => {
    expect(await restoreInto('split', file, true)).toMatch(SPLIT);
    expectSameAsApp('split');
    expect(ourScratch()).toEqual([]);
  });

  it('keeps a large table in one session when too few cores are free, and says so', async () => {
    pg.createDatabase('busy');
    const split = { ...ALWAYS_SPLIT, spareCores: 1 };
    expect(await restoreBackupFile(ctx.database(), 'busy', file, [], { split })).toBe(
      '2 parallel streams from the file, a large table in one of them: 1 core free',
    );
    expectSameAsApp('busy');
  });

  it('fails with psql’s words when a session’s COPY fails, stops the others, and leaves no scratch file', async () => {
    // zz_filler is the table split.
    const broken = await withRowBroken('broken-split.dump.zst', '\n150000\t', '\n15000x\t');
    await expect(restoreInto('from_broken_split', broken, true)).rejects.toThrow(
      /^restore failed \(psql exited with code 3 loading a table's rows\): .*invalid input syntax for type integer: "15000x"/s,
    );
    expect(ourScratch()).toEqual([]);
    expect(ourChildren()).toEqual([]); // every session, pg_restore and zstd of the restore has ended
    expect(pg.psql('from_broken_split', INDEXES)).toBe('');
  });

  it('restores a file written before backups stored their data sizes', async () => {
    const old = withArchive('old.dump.zst', (archive) => archive, Buffer.alloc(0));
    expect(await readArchiveIndex(old)).toBeNull();
    expect(await restoreInto('from_old', old)).toBe('2 parallel streams from the file');
    expectSameAsApp('from_old');
  });

  it('takes a stream whose pg_restore succeeded as done, whatever its zstd does after', async () => {
    // As when pg_restore, done with its last entry, stops reading: zstd then fails to write (EPIPE, ECONNRESET).
    const via = await withZstd('$REAL "$@"; exit 70', () => restoreInto('zstd_failed_after', file));
    expect(via).toBe('2 parallel streams from the file');
    expectSameAsApp('zstd_failed_after');
  });

  it.each([
    ['whole tables', false],
    ['the largest split', true],
  ])('names zstd beside pg_restore when zstd ended first and pg_restore failed (%s)', async (_how, split) => {
    await expect(
      withZstd('echo "zstd: the file is damaged" >&2; exit 1', () =>
        restoreInto(`zstd_failed_${split ? 'split' : 'whole'}`, file, split),
      ),
    ).rejects.toThrow(
      /^restore failed \(pg_restore exited with code 1\): .* \(and zstd exited with code 1: zstd: the file is damaged\)$/s,
    );
    expect(ourScratch()).toEqual([]);
    expect(ourChildren()).toEqual([]);
  });

  it('fails with pg_restore’s words when one stream fails, and leaves no scratch file', async () => {
    const broken = await withRowBroken('broken.dump.zst', '\n17\tpothole #17\t', '\n1x\tpothole #17\t');
    const started = Date.now();
    const error = (await restoreInto('from_broken', broken).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^restore failed \(pg_restore exited with code 1\): .*invalid input syntax for type integer: "1x"/s,
    );
    expect(error.message).not.toMatch(/and zstd/); // zstd, cut off by the failing pg_restore, is only the echo
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(ourScratch()).toEqual([]);
    // The failed stream's table is empty; post-data never ran.
    expect(pg.psql('from_broken', 'SELECT count(*) FROM requests')).toBe('0');
    expect(pg.psql('from_broken', INDEXES)).toBe('');
  });

  it('reads a table of contents that takes many reads, and one that is the whole file', async () => {
    pg.createDatabase('wide');
    pg.psql(
      'wide',
      `CREATE TABLE t (id int);
       DO $$ BEGIN EXECUTE format('COMMENT ON TABLE t IS %L', repeat('a long comment ', 40000)); END $$;
       INSERT INTO t VALUES (1);`,
    );
    const zstdOf = (args: string[]) => {
      const archive = execFileSync('pg_dump', ['--format=custom', '--compress=0', ...args, 'wide'], {
        env: pg.env,
        maxBuffer: 1 << 26,
      });
      const file = path.join(ctx.root, `wide-${args.length}.dump.zst`);
      fs.writeFileSync(file, execFileSync('zstd', ['-q', '-c'], { input: archive, maxBuffer: 1 << 26 }));
      return { archive, file };
    };
    const withData = zstdOf([]);
    const head = await readArchiveHead(withData.file);
    expect(head!.bytes.length).toBeGreaterThan(600_000); // ten reads of a pipe, at least
    expect(head!.bytes.equals(withData.archive.subarray(0, head!.bytes.length))).toBe(true);
    expect(parseArchiveHead(head!.bytes)).toMatchObject({ kind: 'compactable', dataStart: head!.bytes.length });

    const schemaOnly = zstdOf(['--schema-only']);
    expect((await readArchiveHead(schemaOnly.file))!.bytes.equals(schemaOnly.archive)).toBe(true);
  });

  it('restores everything a plain pg_restore does: comments, grants, policies, views, large objects', async () => {
    pg.createDatabase('rich');
    pg.psql(
      'rich',
      `CREATE ROLE reader;
       CREATE SCHEMA city;
       COMMENT ON SCHEMA city IS 'the city';
       CREATE TABLE city.requests (id serial PRIMARY KEY, title text NOT NULL, opened date DEFAULT now());
       COMMENT ON TABLE city.requests IS 'requests';
       COMMENT ON COLUMN city.requests.title IS 'what was asked';
       CREATE TABLE city.notes (id int REFERENCES city.requests (id), body text);
       INSERT INTO city.requests (title) SELECT 'request ' || g FROM generate_series(1, 2000) g;
       INSERT INTO city.notes SELECT 1 + g % 2000, md5(g::text) FROM generate_series(1, 3000) g;
       CREATE INDEX notes_body ON city.notes (body);
       CREATE VIEW city.open AS SELECT id, title FROM city.requests;
       CREATE MATERIALIZED VIEW city.counts AS SELECT count(*) AS n FROM city.notes;
       CREATE FUNCTION city.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
       CREATE TRIGGER touch BEFORE UPDATE ON city.requests FOR EACH ROW EXECUTE FUNCTION city.touch();
       GRANT USAGE ON SCHEMA city TO reader;
       GRANT SELECT ON city.requests TO reader;
       ALTER TABLE city.notes ENABLE ROW LEVEL SECURITY;
       CREATE POLICY readable ON city.notes USING (true);
       CREATE TABLE city."odd
name" (id int, v text);
       INSERT INTO city."odd
name" SELECT g, (ARRAY['\\.', '\\\\.', E'a\\nb', E'tab\\tx', NULL, '', 'ünïcode'])[1 + g % 7]
         FROM generate_series(1, 20000) g;
       SELECT lo_from_bytea(4242, 'a large object');
       COMMENT ON LARGE OBJECT 4242 IS 'its comment';
       GRANT SELECT ON LARGE OBJECT 4242 TO reader;`,
    );
    const richCtx = testContext({ database: `{ url: ${JSON.stringify(pg.url('rich'))} }` });
    try {
      const backup = await backupNow(richCtx, { reason: 'manual', actor: 'test' });
      const richFile = path.join(richCtx.config.backups.dir, backup.fileName);
      pg.createDatabase('rich_streams');
      expect(await restoreBackupFile(richCtx.database(), 'rich_streams', richFile)).toMatch(/parallel streams/);
      // The odd table, the largest, is split: its name holds a newline, its values backslashes, `\.` and tabs.
      pg.createDatabase('rich_split');
      expect(await restoreBackupFile(richCtx.database(), 'rich_split', richFile, [], { split: ALWAYS_SPLIT })).toMatch(
        SPLIT,
      );
      // The reference: the same archive, restored whole by pg_restore in one go.
      const plain = path.join(richCtx.root, 'plain.dump');
      execFileSync('zstd', ['-d', '-q', '-o', plain, '--', richFile]);
      pg.createDatabase('rich_plain');
      execFileSync('pg_restore', ['--dbname=rich_plain', '--exit-on-error', '--single-transaction', plain], {
        env: pg.env,
      });
      const schemaOf = (database: string) =>
        execFileSync('pg_dump', ['--schema-only', database], { env: pg.env })
          .toString()
          .split('\n')
          .filter((line) => !/^\\(un)?restrict /.test(line))
          .join('\n');
      expect(schemaOf('rich_streams')).toBe(schemaOf('rich_plain'));
      expect(schemaOf('rich_split')).toBe(schemaOf('rich_plain'));
      expect(schemaOf('rich_streams')).toContain('CREATE POLICY readable');
      for (const query of [
        tableDigest('city.requests'),
        tableDigest('city.notes'),
        tableDigest('city."odd\nname"'),
        'SELECT n FROM city.counts',
        `SELECT convert_from(lo_get(4242), 'UTF8') || ' / ' || obj_description(4242, 'pg_largeobject')`,
        'SELECT lomacl::text FROM pg_largeobject_metadata WHERE oid = 4242',
      ])
        for (const restored of ['rich_streams', 'rich_split'])
          expect(pg.psql(restored, query), `${restored}: ${query}`).toBe(pg.psql('rich', query));
      expect(pg.psql('rich_split', `SELECT count(DISTINCT v) FROM city."odd\nname"`)).toBe('6');
    } finally {
      richCtx.cleanup();
    }
  });
});
