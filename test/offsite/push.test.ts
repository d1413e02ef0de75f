import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow } from '../../src/backup/index.js';
import { parseConfig } from '../../src/config/index.js';
import { openBucket, UPLOAD_PART_BYTES } from '../../src/offsite/bucket.js';
import { readBucket } from '../../src/offsite/catalog.js';
import { deployPorts } from '../../src/app/ports/deploy.js';
import { pushPending } from '../../src/offsite/push.js';
import { restoreFromOffsite } from '../../src/offsite/restore.js';
import { verifyOffsite } from '../../src/offsite/verify.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { SAMPLE_SCHEMA, tableDigest } from '../fixtures/data.js';
import { need, run } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';
import { ageKeyPair, startS3, type S3Server } from '../fixtures/s3.js';

const hasAge = () => spawnSync('age', ['--version']).status === 0;
const MIB = 1024 * 1024;

describe.runIf(need('PostgreSQL server binaries', hasPostgres()) && need('age (apt-get install age)', hasAge()))(
  'off-site copies to an S3 server',
  () => {
    let pg: PgCluster;
    let s3: S3Server;
    let ctx: TestContext;
    let key: { identityFile: string; recipient: string };
    const savedEnv = { ...process.env };
    /** 5 MiB parts (S3's minimum) so a ~20 MiB dump takes several. */
    const bucket = () => openBucket(ctx.config.offsite!, process.env, 5 * MIB);

    beforeAll(async () => {
      pg = await startPgCluster();
      pg.createDatabase('app');
      pg.psql('app', SAMPLE_SCHEMA);
      // Text-rich rows, incompressible enough for a multi-part upload.
      pg.psql(
        'app',
        `CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);
      INSERT INTO notes (body) SELECT 'resident report ' || g || ': ' || md5(random()::text) || md5(random()::text) || md5(random()::text)
        FROM generate_series(1, 250000) g;`,
      );
      s3 = await startS3();
      Object.assign(process.env, s3.env);
      ctx = testContext({ database: `{ url: ${JSON.stringify(pg.url('app'))} }`, extra: '' });
      key = ageKeyPair(ctx.root);
      ctx.config = parseConfig(
        `${fs.readFileSync(ctx.configFile, 'utf8')}\n${s3.offsiteYaml({ recipients: [key.recipient] })}`,
      );
    });
    afterAll(async () => {
      process.env = savedEnv;
      ctx?.cleanup();
      await s3?.stop();
      await pg?.stop();
    });

    it('encrypts and uploads a verified backup in several parts, then writes its manifest; stock age decrypts it', async () => {
      const backup = await backupNow(ctx, { reason: 'manual', note: 'nightly', actor: 'test' });
      expect(backup.sizeBytes!).toBeGreaterThan(11 * MIB);
      const [outcome] = await pushPending(ctx, { bucket: bucket() });
      expect(outcome).toMatchObject({ backupId: backup.id, ok: true, key: `prod/${backup.fileName}.age` });
      expect(outcome!.parts).toBeGreaterThanOrEqual(3);
      expect(ctx.store.offsite.get(backup.id)).toMatchObject({
        state: 'uploaded',
        key: `prod/${backup.fileName}.age`,
        attempts: 1,
      });

      const { manifests, strays } = await readBucket(bucket());
      expect(strays).toEqual([]);
      expect(manifests).toHaveLength(1);
      const m = manifests[0]!;
      expect(m).toMatchObject({
        fileName: backup.fileName,
        reason: 'manual',
        note: 'nightly',
        databaseName: 'app',
        rowCounts: backup.rowCounts,
        schemaFingerprint: backup.schemaFingerprint,
        plain: { sizeBytes: backup.sizeBytes, sha256: backup.sha256 },
        object: { encryption: 'age', recipients: [key.recipient] },
      });
      expect(m.object.sha256).not.toBe(m.plain.sha256);
      const manifestText = await bucket().getText(`prod/${backup.fileName}.manifest.json`);
      expect(manifestText).not.toContain('resident report'); // no row data in the plaintext manifest

      // The runbook's hand path: fetch the object, `age -d -i key.txt`, then pg_restore (through zstd -dc for .zst).
      const encrypted = path.join(ctx.root, 'fetched.age');
      await pipeline((await bucket().getStream(m.object.key)).body, fs.createWriteStream(encrypted));
      const plain = path.join(ctx.root, 'fetched.dump');
      run('age', ['-d', '-i', key.identityFile, '-o', plain, encrypted]);
      const dump = backup.fileName.endsWith('.zst') ? path.join(ctx.root, 'fetched.raw') : plain;
      if (dump !== plain) run('zstd', ['-d', '-q', '-f', '-o', dump, plain]);
      pg.createDatabase('byhand');
      run('pg_restore', ['--no-owner', '-d', pg.url('byhand'), dump]);
      for (const table of ['requests', 'comments', 'notes'])
        expect(pg.psql('byhand', tableDigest(table))).toBe(pg.psql('app', tableDigest(table)));
    });

    it('offsite verify downloads, decrypts, checks both sha256s and reads the dump back', async () => {
      const report = await verifyOffsite(bucket(), 'latest', key.identityFile);
      const newest = ctx.store.backups.list({ status: 'ok' })[0]!;
      expect(report).toMatchObject({ fileName: newest.fileName, bytes: newest.sizeBytes, sha256: newest.sha256 });
    });

    it('refuses a wrong identity file with a clear error', async () => {
      const other = ageKeyPair(ctx.root, 'other.txt');
      await expect(verifyOffsite(bucket(), 'latest', other.identityFile)).rejects.toThrow(
        /identity file .*other\.txt does not match any recipient/,
      );
      await expect(verifyOffsite(bucket(), 'latest', path.join(ctx.root, 'missing.txt'))).rejects.toThrow(
        /identity file .*missing\.txt cannot be read/,
      );
    });

    it('refuses an object with one flipped byte, naming the sha256 mismatch', async () => {
      const newest = ctx.store.backups.list({ status: 'ok' })[0]!;
      const stored = findStoredObject(s3.dir, `${newest.fileName}.age`);
      const original = fs.readFileSync(stored);
      const bytes = Buffer.from(original);
      const at = bytes.length - 100; // inside the last payload chunk: age would also notice, the sha256 first
      bytes[at] = bytes[at]! ^ 0x01;
      const { atime, mtime } = fs.statSync(stored);
      fs.writeFileSync(stored, bytes);
      fs.utimesSync(stored, atime, mtime); // rot, not a rewrite: the bucket's record (its time) stays as it was
      try {
        await expect(verifyOffsite(bucket(), newest.fileName, key.identityFile)).rejects.toThrow(
          /sha256 mismatch|age failed/,
        );
        const error = await verifyOffsite(bucket(), newest.fileName, key.identityFile).catch((e: Error) => e);
        expect(String(error)).toMatch(/sha256 mismatch: off-site object prod\/.*\.age/);
        // The restore refuses it too, before touching the database (and leaves no downloaded file behind).
        const before = pg.psql('app', tableDigest('notes'));
        const filesBefore = fs.readdirSync(ctx.config.backups.dir).sort();
        const restore = await restoreFromOffsite(
          ctx,
          deployPorts(ctx),
          { name: newest.fileName, identityFile: key.identityFile, withImages: false, force: true, actor: 'test' },
          bucket(),
        );
        expect(restore.deployment).toMatchObject({
          kind: 'restore',
          status: 'failed',
          error: expect.stringMatching(/sha256 mismatch: off-site object/),
        });
        expect(restore.phases.map((p) => p.name)).toEqual(['check', 'download']);
        expect(pg.psql('app', tableDigest('notes'))).toBe(before);
        expect(fs.readdirSync(ctx.config.backups.dir).sort()).toEqual(filesBefore);
      } finally {
        fs.writeFileSync(stored, original);
        fs.utimesSync(stored, atime, mtime);
      }
    });

    it('names the bucket, and never a secret, for wrong credentials and a missing bucket', async () => {
      process.env.SY_TEST_WRONG_KEY = 'AKIAWRONGWRONGWRONG';
      const base = fs.readFileSync(ctx.configFile, 'utf8');
      const wrongCreds = parseConfig(
        `${base}\n${s3.offsiteYaml({ recipients: [key.recipient], accessEnv: 'SY_TEST_WRONG_KEY' })}`,
      ).offsite!;
      const e1 = (await openBucket(wrongCreds)
        .list()
        .catch((e: Error) => e)) as Error;
      expect(e1.message).toMatch(
        /^bucket "switchyard-test" at http:\/\/127\.0\.0\.1:\d+ refused the credentials from SY_TEST_WRONG_KEY\/SY_TEST_S3_SECRET/,
      );
      expect(e1.message).not.toContain('AKIAWRONG');
      expect(e1.message).not.toContain('S3RVER');
      expect(e1.message.split('\n')).toHaveLength(1);

      const missing = parseConfig(
        `${base}\n${s3.offsiteYaml({ recipients: [key.recipient], bucket: 'no-such-bucket' })}`,
      ).offsite!;
      const e2 = (await openBucket(missing)
        .list()
        .catch((e: Error) => e)) as Error;
      expect(e2.message).toMatch(/^bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist$/);
      delete process.env.SY_TEST_WRONG_KEY;
    });

    it('retries an upload cut by a dead server, and marks nothing uploaded before its manifest', async () => {
      const backup = await backupNow(ctx, { reason: 'scheduled', actor: 'test' });
      const pushing = pushPending(ctx, { bucket: bucket() });
      // Kill the server once the upload is under way (a part has landed in s3rver's uploads folder).
      await waitFor(() => ctx.store.offsite.get(backup.id)?.state === 'uploading' && hasUploadParts(s3.dir));
      await s3.kill();
      const [outcome] = await pushing;
      expect(outcome).toMatchObject({ backupId: backup.id, ok: false });
      expect(outcome!.error).toMatch(/cannot reach bucket "switchyard-test"|failed/);
      const row = ctx.store.offsite.get(backup.id)!;
      expect(row).toMatchObject({ state: 'failed', attempts: 1, uploadedAt: null });
      expect(Date.parse(row.nextAttemptAt)).toBeGreaterThan(Date.now());

      await s3.restart();
      expect((await readBucket(bucket())).manifests.map((m) => m.fileName)).not.toContain(backup.fileName);
      // Not due yet: nothing happens. Once the backoff has passed, it goes.
      expect(await pushPending(ctx, { bucket: bucket() })).toEqual([]);
      const later = new Date(Date.parse(row.nextAttemptAt) + 1000);
      const [retry] = await pushPending({ ...ctx, clock: { now: () => later } }, { bucket: bucket() });
      expect(retry).toMatchObject({ backupId: backup.id, ok: true });
      expect(ctx.store.offsite.get(backup.id)).toMatchObject({ state: 'uploaded', attempts: 2, error: null });
      expect((await readBucket(bucket())).manifests.map((m) => m.fileName)).toContain(backup.fileName);
    });

    it('resumes an upload whose process died (claimed by a pid that is gone)', async () => {
      const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
      ctx.store.offsite.enqueue(backup.id, null, new Date());
      expect(ctx.store.offsite.claim(backup.id, 'pending', null, new Date(), 2 ** 22 + 12345)).toBe(true); // a pid that does not exist
      const [outcome] = await pushPending(ctx, { bucket: bucket() });
      expect(outcome).toMatchObject({ backupId: backup.id, ok: true });
    });

    it('keeps the default part size bounded', () => {
      expect(UPLOAD_PART_BYTES).toBe(8 * MIB);
    });
  },
);

function findStoredObject(root: string, name: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.startsWith(name) && e.name.endsWith('._S3rver_object')) found.push(p);
    }
  };
  walk(root);
  if (found.length !== 1) throw new Error(`expected one stored object for ${name}, found ${found.length}`);
  return found[0]!;
}

function hasUploadParts(root: string): boolean {
  const walk = (dir: string): boolean =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .some((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /^\d+$/.test(e.name) && dir.includes('uploads')));
  return walk(root);
}

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
