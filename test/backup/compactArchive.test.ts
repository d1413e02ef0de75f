import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactArchive, parseArchiveHead, Section } from '../../src/backup/compactArchive.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';

const ROWS = 3000;

/**
 * The compactor against real pg_dump archives: the SQL pg_restore makes of the
 * compacted archive is the SQL it makes of pg_dump's own, however the stream
 * arrives in pieces, and anything it does not know goes through untouched.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('compactArchive', () => {
  let pg: PgCluster;
  let dir: string;
  /** `pg_dump -Fc -Z0` to a pipe, as backups run it: no data offsets. */
  let streamed: Buffer;

  const tool = (cmd: string, args: string[], input?: Buffer) => {
    const r = spawnSync(cmd, args, { env: pg.env, input, maxBuffer: 1 << 28 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
  };
  /** The SQL pg_restore makes of an archive, without the \restrict lines that carry a random key. */
  const sqlOf = (archive: Buffer) => {
    const r = tool('pg_restore', ['--file=-'], archive);
    expect(r.stderr).toBe('');
    return r.stdout
      .toString()
      .split('\n')
      .filter((line) => !/^\\(un)?restrict /.test(line))
      .join('\n');
  };
  /** The compacted archive, and the data sizes the compactor counted on the way. */
  const compactCounting = async (archive: Buffer, pieceSize: number) => {
    const pieces: Buffer[] = [];
    // Fresh copies: the compactor rewrites its input in place.
    for (let at = 0; at < archive.length; at += pieceSize)
      pieces.push(Buffer.from(archive.subarray(at, at + pieceSize)));
    const out: Buffer[] = [];
    const compactor = compactArchive();
    for await (const chunk of Readable.from(pieces).pipe(compactor)) out.push(chunk as Buffer);
    return { archive: Buffer.concat(out), sizes: compactor.dataSizes() };
  };
  const compact = async (archive: Buffer, pieceSize: number) => (await compactCounting(archive, pieceSize)).archive;
  /** Dump ids by description, from pg_restore's own listing (`3368; 0 16391 TABLE DATA public t owner`). */
  const dumpIdOf = (archive: Buffer, description: string) => {
    const line = tool('pg_restore', ['--list'], archive)
      .stdout.toString()
      .split('\n')
      .find((l) => l.includes(` ${description} `));
    return Number(line?.split(';')[0]);
  };

  beforeAll(async () => {
    pg = await startPgCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-compact-'));
    pg.createDatabase('app');
    pg.psql(
      'app',
      `CREATE SCHEMA city;
       CREATE TABLE city.requests (id int PRIMARY KEY, category text, description text, details jsonb);
       INSERT INTO city.requests
         SELECT i, 'cat-' || (i % 7), repeat('pothole near ' || i || ' ', 1 + i % 9), jsonb_build_object('n', i)
         FROM generate_series(1, ${ROWS}) i;
       CREATE TABLE empty_table (id int);
       CREATE TABLE files (id int, body bytea);
       INSERT INTO files SELECT i, decode(repeat('00ff', 200 + i), 'hex') FROM generate_series(1, 50) i;
       SELECT lo_from_bytea(0, convert_to(repeat('large object ', 20000), 'UTF8'));`,
    );
    const r = tool('pg_dump', ['--format=custom', '--compress=0', 'app']);
    expect(r.code, r.stderr).toBe(0);
    streamed = r.stdout;
  });
  afterAll(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('reads the table of contents of a streamed archive up to its first block', () => {
    const head = parseArchiveHead(streamed);
    expect(head.kind).toBe('compactable');
    const dataStart = (head as { dataStart: number }).dataStart;
    expect([1, 3]).toContain(streamed[dataStart]); // a data or large-object block starts there
    expect(parseArchiveHead(streamed.subarray(0, dataStart - 1))).toEqual({ kind: 'incomplete' });
    expect(parseArchiveHead(streamed.subarray(0, 3))).toEqual({ kind: 'incomplete' });
  });

  it('merges the per-row chunks: the same SQL, about 5 bytes less per row', async () => {
    const compacted = await compact(streamed, 64 * 1024);
    expect(sqlOf(compacted)).toBe(sqlOf(streamed));
    expect(streamed.length - compacted.length).toBeGreaterThan(4 * ROWS);
    // pg_restore into a database reads it as well as it reads the original.
    pg.createDatabase('restored');
    const r = tool('pg_restore', ['--dbname=restored', '--exit-on-error', '--single-transaction'], compacted);
    expect(r.code, r.stderr).toBe(0);
    expect(pg.psql('restored', 'SELECT count(*), sum(length(description)) FROM city.requests')).toBe(
      pg.psql('app', 'SELECT count(*), sum(length(description)) FROM city.requests'),
    );
    expect(pg.psql('restored', 'SELECT length(lo_get(oid)) FROM pg_largeobject_metadata')).toBe('260000');
  });

  it('gives the same archive to pg_restore however the stream is cut, down to 1-byte pieces', async () => {
    const expected = sqlOf(streamed);
    for (const pieceSize of [1, 3, 5, 6, 7, 4099, 65_536]) {
      expect(sqlOf(await compact(streamed, pieceSize)), `pieces of ${pieceSize}`).toBe(expected);
    }
  });

  it('passes through, untouched, what it does not know', async () => {
    const newer = Buffer.from(streamed);
    newer[6] = 99; // archive version 1.99
    expect(parseArchiveHead(newer)).toMatchObject({ kind: 'leave', why: 'archive version 1.99' });
    expect((await compact(newer, 4096)).equals(newer)).toBe(true);

    const text = Buffer.from('-- a plain SQL dump\nSELECT 1;\n');
    expect(parseArchiveHead(text)).toMatchObject({ kind: 'leave', why: 'not a custom-format archive' });
    expect((await compact(text, 4096)).equals(text)).toBe(true);

    // Written to a file, pg_dump goes back and fills in the data offsets, which compacting would make wrong.
    const file = path.join(dir, 'seekable.dump');
    expect(tool('pg_dump', ['--format=custom', '--compress=0', `--file=${file}`, 'app']).code).toBe(0);
    const seekable = fs.readFileSync(file);
    expect(parseArchiveHead(seekable)).toMatchObject({ kind: 'leave', why: 'data offsets already filled in' });
    expect((await compact(seekable, 4096)).equals(seekable)).toBe(true);
  });

  it('lists every entry with its section, and which ones have data', () => {
    const head = parseArchiveHead(streamed) as Extract<ReturnType<typeof parseArchiveHead>, { kind: 'compactable' }>;
    const requests = head.entries.find((e) => e.dumpId === dumpIdOf(streamed, 'TABLE DATA city requests'));
    expect(requests).toEqual({ dumpId: requests!.dumpId, kind: 'TABLE DATA', section: Section.Data, hasData: true });
    const table = head.entries.find((e) => e.dumpId === dumpIdOf(streamed, 'TABLE city requests'));
    expect(table).toMatchObject({ section: Section.PreData, hasData: false });
    const key = head.entries.find((e) => e.dumpId === dumpIdOf(streamed, 'CONSTRAINT city requests requests_pkey'));
    expect(key).toMatchObject({ section: Section.PostData, hasData: false });
  });

  it("counts each table's data bytes on the way: exactly its COPY text, however the stream is cut", async () => {
    // pg_dump ends every table's COPY data with `\.` and two empty lines.
    const copyBytes = (table: string) =>
      tool('psql', ['-d', 'app', '-c', `COPY ${table} TO STDOUT`]).stdout.length + '\\.\n\n\n'.length;
    for (const pieceSize of [7, 65_536]) {
      const { sizes } = await compactCounting(streamed, pieceSize);
      expect(sizes!.get(dumpIdOf(streamed, 'TABLE DATA city requests'))).toBe(copyBytes('city.requests'));
      expect(sizes!.get(dumpIdOf(streamed, 'TABLE DATA public files'))).toBe(copyBytes('files'));
      expect(sizes!.get(dumpIdOf(streamed, 'TABLE DATA public empty_table'))).toBe(copyBytes('empty_table'));
      expect(sizes!.get(dumpIdOf(streamed, 'BLOBS -'))).toBe(260_000);
    }
  });

  it('has no sizes for an archive it passed through, or one cut short', async () => {
    const newer = Buffer.from(streamed);
    newer[6] = 99;
    expect((await compactCounting(newer, 4096)).sizes).toBeNull();
    const cut = streamed.subarray(0, Math.floor(streamed.length / 2) + 3);
    expect((await compactCounting(cut, 4096)).sizes).toBeNull();
  });

  it('passes a stream cut short on as it came, for pg_restore to refuse', async () => {
    const head = parseArchiveHead(streamed) as { dataStart: number };
    const inToc = streamed.subarray(0, head.dataStart - 10);
    expect((await compact(inToc, 4096)).equals(inToc)).toBe(true);

    const inData = streamed.subarray(0, Math.floor(streamed.length / 2) + 3);
    const compacted = await compact(inData, 4096);
    expect(compacted.length).toBeGreaterThan(head.dataStart);
    const r = tool('pg_restore', ['--file=/dev/null'], compacted);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/pg_restore: error/);
  });
});
