import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenceDatabase, liftFence } from '../../src/backup/fence.js';
import { carryOver, stageRows, type CarryOverReport, type TableCarryReport } from '../../src/carryover/run.js';
import { urlTarget } from '../../src/database/urlTarget.js';
import { run } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';

const OLD_SCHEMA = `
  CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL);
  CREATE TABLE posts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, author_id int NOT NULL REFERENCES authors,
                      title text NOT NULL UNIQUE, body text);
  CREATE TABLE comments (post_id bigint REFERENCES posts, n int, said text, PRIMARY KEY (post_id, n));
  CREATE TABLE logs (line text);
  CREATE TABLE notes (id int PRIMARY KEY, content text);
  CREATE TABLE measures (id int PRIMARY KEY, v integer);
  CREATE TABLE tags (id int PRIMARY KEY, label text NOT NULL);
  CREATE TABLE strict (id int PRIMARY KEY, must text NOT NULL);
  CREATE TABLE gen (id int PRIMARY KEY, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED);
  CREATE TABLE secure (id int PRIMARY KEY, owner text);
  ALTER TABLE secure ENABLE ROW LEVEL SECURITY; ALTER TABLE secure FORCE ROW LEVEL SECURITY;
  CREATE POLICY mine ON secure USING (owner = current_user);
  CREATE TABLE events (id bigserial PRIMARY KEY, payload text);
  INSERT INTO authors (name) VALUES ('ann'), ('bob');
  INSERT INTO posts (author_id, title, body) VALUES (1, 'hello', 'first');
  INSERT INTO comments VALUES (1, 1, 'nice');
  INSERT INTO logs VALUES ('a');
  INSERT INTO notes VALUES (1, 'old note');
  INSERT INTO measures VALUES (1, 10);
  INSERT INTO tags VALUES (1, 'red');
  INSERT INTO strict VALUES (1, 'x');
  INSERT INTO gen (id, a) VALUES (1, 1);
  INSERT INTO secure VALUES (1, 'postgres');
  INSERT INTO events (payload) SELECT 'e' || g FROM generate_series(1, 10) g;`;

// What the version deployed after the dump did to the schema, and what its users wrote.
const MIGRATION_AND_WRITES = `
  ALTER TABLE authors ADD COLUMN email text;
  ALTER TABLE posts DROP CONSTRAINT posts_title_key;
  ALTER TABLE tags ADD COLUMN color text NOT NULL DEFAULT 'blue';
  ALTER TABLE strict DROP COLUMN must;
  ALTER TABLE notes RENAME COLUMN content TO note_text;
  ALTER TABLE measures ALTER COLUMN v TYPE numeric;
  CREATE TABLE categories (id int PRIMARY KEY, name text);
  INSERT INTO categories VALUES (1, 'potholes'), (2, 'lights');
  INSERT INTO authors (name, email) VALUES ('carol', 'carol@example.org');
  UPDATE authors SET name = 'bobby' WHERE id = 2;
  INSERT INTO posts (author_id, title, body) VALUES (3, 'by carol', E'odd bytes: tab\\t nl\\n backslash\\\\ quote'' é \\u00e9 \\x01 end');
  INSERT INTO posts (author_id, title, body) VALUES (1, 'hello', 'a second hello');
  INSERT INTO comments VALUES (2, 1, 'on carol''s post'), (3, 1, 'on the second hello');
  INSERT INTO logs VALUES ('b');
  INSERT INTO notes VALUES (2, 'renamed column');
  INSERT INTO measures VALUES (2, 20), (3, 2.5);
  INSERT INTO tags VALUES (2, 'green', 'green');
  INSERT INTO strict VALUES (2);
  INSERT INTO gen (id, a) VALUES (2, 3);
  INSERT INTO secure VALUES (2, 'someone else');
  DELETE FROM gen WHERE id = 1;
  INSERT INTO events (payload) SELECT repeat('text-rich ', 5) || g FROM generate_series(1, 100000) g;`;

const hasPg = hasPostgres();

describe.runIf(hasPg)('carry-over of the rows written since the dump (real PostgreSQL)', () => {
  let cluster: PgCluster;
  let dir: string;
  let report: CarryOverReport;
  let leftovers: string;
  const committed: number[] = [];
  const byTable = (name: string): TableCarryReport => report.tables.find((t) => t.table === name)!;
  const restored = (sql: string) => cluster.psql('app_sy_incoming', sql);

  beforeAll(async () => {
    cluster = await startPgCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-carry-'));
    cluster.createDatabase('app');
    cluster.psql('app', OLD_SCHEMA);
    // The restored copy: the database as the dump had it.
    cluster.psql('postgres', 'CREATE DATABASE app_sy_incoming TEMPLATE app');
    cluster.psql('app', MIGRATION_AND_WRITES);

    // A writer outside the managed services, inserting every 50 ms until the fence ends its session.
    const writer = new pg.Client({ connectionString: cluster.url('app') });
    writer.on('error', () => undefined);
    await writer.connect();
    let writing = true;
    const writes = (async () => {
      while (writing) {
        try {
          const r = await writer.query(`INSERT INTO events (payload) VALUES ('from the writer') RETURNING id`);
          committed.push(Number(r.rows[0].id));
        } catch {
          return; // its session was ended by the fence
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const target = urlTarget(cluster.url('app'));
    const staged = await stageRows(target, 'app', 'app_sy_incoming');
    await new Promise((r) => setTimeout(r, 300)); // the writer goes on after the first pass
    const fenced = await target.session('app');
    const admin = await target.session('postgres');
    try {
      await fenceDatabase(admin, 'app', Number(await fenced.query('SELECT pg_backend_pid()')));
      await writes;
      writing = false;
      leftovers = path.join(dir, 'rollback-7.leftovers.sql');
      report = await carryOver(target, fenced, 'app_sy_incoming', staged, { file: leftovers, title: 'test' });
    } finally {
      await fenced.close();
      await liftFence(admin, 'app');
      await admin.close();
      await writer.end().catch(() => undefined);
    }
  });
  afterAll(async () => {
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('carries inserted rows in foreign-key order, with their keys, serial and identity alike', () => {
    expect(byTable('public.authors')).toMatchObject({ carried: 1, updated: 1, deleted: 0 });
    expect(restored(`SELECT name FROM authors WHERE id = 3`)).toBe('carol');
    expect(restored(`SELECT name FROM authors WHERE id = 2`)).toBe('bob'); // the dump's version stays
    expect(restored(`SELECT title FROM posts WHERE id = 2`)).toBe('by carol');
    expect(restored(`SELECT said FROM comments WHERE post_id = 2 AND n = 1`)).toBe("on carol's post");
  });

  it('keeps odd bytes in text exactly', () => {
    const q = `SELECT md5(body) FROM posts WHERE id = 2`;
    expect(restored(q)).toBe(cluster.psql('app', q));
  });

  it('moves sequences and identities past the carried and left-over keys', () => {
    const maxEvent = Number(cluster.psql('app', 'SELECT max(id) FROM events'));
    expect(Number(restored(`SELECT nextval('events_id_seq')`))).toBeGreaterThan(maxEvent);
    // posts id 3 was left over (unique conflict): a new post must not get its id.
    expect(Number(restored(`INSERT INTO posts (author_id, title) VALUES (1, 'next') RETURNING id`))).toBeGreaterThan(3);
  });

  it('leaves over a unique conflict and the rows that depend on it, naming the constraint', () => {
    expect(byTable('public.posts')).toMatchObject({ carried: 1, leftover: 1 });
    expect(byTable('public.posts').reasons.join(' ')).toMatch(/unique conflict on posts_title_key/);
    expect(byTable('public.comments')).toMatchObject({ carried: 1, leftover: 1 });
    expect(byTable('public.comments').reasons.join(' ')).toMatch(/foreign key comments_post_id_fkey/);
  });

  it('handles each kind of schema change', () => {
    expect(byTable('public.categories')).toMatchObject({ carried: 0, leftover: 2 }); // a table the old schema lacks
    expect(byTable('public.tags')).toMatchObject({ carried: 1 }); // NOT NULL column with a default, added
    expect(byTable('public.tags').reasons.join(' ')).toMatch(/values of column color/);
    expect(byTable('public.strict')).toMatchObject({ carried: 0, leftover: 1 }); // dropped NOT NULL column
    expect(byTable('public.strict').reasons.join(' ')).toMatch(/must is NOT NULL with no default/);
    expect(byTable('public.notes')).toMatchObject({ carried: 1 }); // renamed column: its values go to leftovers
    expect(restored(`SELECT content IS NULL FROM notes WHERE id = 2`)).toBe('t');
    expect(byTable('public.notes').reasons.join(' ')).toMatch(/values of column note_text/);
    expect(byTable('public.measures')).toMatchObject({ carried: 1, leftover: 1 }); // 2.5 does not fit integer
    expect(byTable('public.measures').reasons.join(' ')).toMatch(/column v does not fit its restored type integer/);
    expect(byTable('public.authors').reasons.join(' ')).toMatch(/values of column email/);
  });

  it('computes generated columns, carries rows under row-level security, counts deletions', () => {
    expect(byTable('public.gen')).toMatchObject({ carried: 1, deleted: 1 });
    expect(restored(`SELECT doubled FROM gen WHERE id = 2`)).toBe('6');
    expect(byTable('public.secure')).toMatchObject({ carried: 1 });
    expect(restored(`SELECT owner FROM secure WHERE id = 2`)).toBe('someone else');
  });

  it('leaves over the new rows of a table without a primary key', () => {
    expect(byTable('public.logs')).toMatchObject({ carried: 0, leftover: 1 });
    expect(byTable('public.logs').reasons.join(' ')).toMatch(/no primary key/);
  });

  it('carries 100k new rows and every row the outside writer committed', () => {
    expect(committed.length).toBeGreaterThan(3);
    expect(byTable('public.events').carried).toBe(100_000 + committed.length);
    const missing = restored(
      `SELECT count(*) FROM unnest(ARRAY[${committed.join(',')}]::bigint[]) c(id) WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = c.id)`,
    );
    expect(missing).toBe('0');
  });

  it('writes a leftovers file that loads into a scratch database, and drops its staging schema', () => {
    const text = fs.readFileSync(leftovers, 'utf8');
    expect(text).toMatch(/-- public.posts: carried 1, left over 1, updated 0, deleted 0/);
    cluster.createDatabase('scratch');
    run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'scratch', '-f', leftovers], { env: cluster.env });
    const section = (what: string) =>
      cluster.psql(
        'scratch',
        `SELECT c.relname FROM pg_class c JOIN pg_description d ON d.objoid = c.oid WHERE d.description = '${what}'`,
      );
    const categories = section('public.categories: rows (left over)');
    expect(
      cluster.psql('scratch', `SELECT string_agg(name, ',' ORDER BY id) FROM switchyard_leftovers.${categories}`),
    ).toBe('potholes,lights');
    const posts = section('public.posts: inserted since the dump, not carried');
    expect(cluster.psql('scratch', `SELECT body FROM switchyard_leftovers.${posts}`)).toBe('a second hello');
    const updated = section('public.authors: updated since the dump (live version)');
    expect(cluster.psql('scratch', `SELECT name FROM switchyard_leftovers.${updated}`)).toBe('bobby');
    const strict = section('public.strict: inserted since the dump, not carried');
    expect(cluster.psql('scratch', `SELECT id FROM switchyard_leftovers.${strict}`)).toBe('2');
    expect(restored(`SELECT count(*) FROM pg_namespace WHERE nspname = '_sy_carry'`)).toBe('0');
  });
});
