import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow } from '../../src/backup/index.js';
import { parseConfig } from '../../src/config/index.js';
import { openBucket } from '../../src/offsite/bucket.js';
import { readBucket } from '../../src/offsite/catalog.js';
import { manifestKey, type Manifest } from '../../src/offsite/manifest.js';
import { judgeProtection, probeProtection } from '../../src/offsite/probe.js';
import { pushPending } from '../../src/offsite/push.js';
import { distrust, signatureOf, signManifest } from '../../src/offsite/trust.js';
import { retainUntilFor } from '../../src/offsite/upload.js';
import { switchyard } from '../fixtures/cli.js';
import type { TestContext } from '../fixtures/context.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';
import { ageKeyPair, S3_ACCESS_KEY, S3_SECRET_KEY, SIGNING_KEY, startS3, type S3Server } from '../fixtures/s3.js';

const hasAge = () => spawnSync('age', ['--version']).status === 0;
const KEY = Buffer.from(SIGNING_KEY);

const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  format: 'switchyard-offsite/1',
  fileName: '20261201T000000Z_app_scheduled.dump',
  createdAt: '2026-12-01T00:00:00.000Z',
  reason: 'scheduled',
  note: null,
  databaseName: 'app',
  serverVersion: '15.1',
  rowCounts: { 'public.requests': 3 },
  schemaFingerprint: 'f',
  plain: { sizeBytes: 10, sha256: 'a'.repeat(64) },
  object: {
    key: 'p/20261201T000000Z_app_scheduled.dump.age',
    sizeBytes: 100,
    sha256: 'b'.repeat(64),
    encryption: 'age',
    recipients: [],
    etag: 'e1',
    versionId: null,
  },
  pair: { commit: 'c0ffee', version: 'v2', images: { backend: 'r/b@sha256:1' } },
  uploadedAt: '2026-12-01T00:00:05.000Z',
  signature: null,
  ...over,
});
const at = (s: string) => new Date(`2026-12-01T00:00:${s}.000Z`);
const records = (object: { size?: number; etag?: string; at?: string } = {}) => ({
  manifest: { key: 'p/x.manifest.json', sizeBytes: 1, lastModified: at('06'), etag: 'm' },
  object: {
    key: 'p/20261201T000000Z_app_scheduled.dump.age',
    sizeBytes: object.size ?? 100,
    lastModified: at(object.at ?? '05'),
    etag: object.etag ?? 'e1',
  },
});

describe('which copies are trusted (pure)', () => {
  it('a signed manifest passes; a changed field, a missing or foreign signature does not', () => {
    const signed = signManifest(manifest(), KEY);
    expect(distrust(signed, records(), KEY)).toBeNull();
    const forged = { ...signed, pair: { commit: 'evil', version: 'v2', images: { backend: 'evil/b@sha256:2' } } };
    expect(distrust(forged, records(), KEY)).toMatch(/signature does not match the signing key/);
    expect(distrust(manifest(), records(), KEY)).toMatch(/not signed/);
    const other = signManifest(manifest(), Buffer.from('another-host-key-0123456789abcdef0123'));
    expect(distrust(other, records(), KEY)).toMatch(/does not match/);
    // The canonical form does not depend on key order.
    const reordered = Object.fromEntries(Object.entries(signed).reverse()) as Manifest;
    expect(signatureOf(reordered, KEY)).toBe(signed.signature);
  });

  it("the bucket's own record: size, the ETag recorded at upload, an object newer than its manifest", () => {
    const m = manifest();
    expect(distrust(m, records(), null)).toBeNull();
    expect(distrust(m, records({ size: 99 }), null)).toMatch(/holds 99 bytes .* manifest says 100/);
    expect(distrust(m, records({ etag: 'e2' }), null)).toMatch(/ETag e2, the manifest recorded e1/);
    expect(distrust(m, records({ at: '07' }), null)).toMatch(/written after its manifest/);
    // A recorded version is what is downloaded: a newer current version (an overwrite, kept apart by versioning) is not.
    const versioned = manifest({ object: { ...m.object, versionId: 'v1' } });
    expect(distrust(versioned, records({ etag: 'e2', at: '07' }), null)).toBeNull();
  });

  it('doctor: warns when unsigned or unlocked, fails when objectLock is asked of a bucket without it', () => {
    const keep = { last: 30, days: 2555 };
    const none = { versioning: 'unsupported', objectLock: 'unsupported' } as const;
    expect(judgeProtection({ keep }, none, false)).toMatchObject({
      ok: true,
      warn: true,
      detail:
        'manifests NOT signed; versioning not supported by this bucket; Object Lock not supported by this bucket; copies not locked',
    });
    const locked = { versioning: 'enabled', objectLock: { mode: 'compliance', days: 2555 } } as const;
    expect(judgeProtection({ keep, objectLock: 'compliance' }, locked, true)).toMatchObject({ ok: true, warn: false });
    expect(judgeProtection({ keep, objectLock: 'governance' }, { ...locked, objectLock: 'off' }, true)).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/needs a bucket with Object Lock enabled/),
    });
  });
});

describe('uploads under offsite.objectLock', () => {
  it('are retained for keep.days, and carry the lock and its checksum without changing a byte (s3rver ignores the lock)', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(retainUntilFor({ objectLock: 'compliance', keep: { last: 1, days: 30 } }, now)).toEqual(
      new Date('2026-12-31T00:00:00Z'),
    );
    expect(retainUntilFor({ keep: { last: 1, days: 30 } }, now)).toBeUndefined();
    const s3 = await startS3();
    try {
      const yaml = `project: { dir: /tmp }\ndatabase: { url: "postgres://u@127.0.0.1/app" }\n${s3.offsiteYaml({})}`;
      const bucket = openBucket(parseConfig(`${yaml}\n  objectLock: governance`).offsite!, s3.env);
      const body = Buffer.alloc(100_000, 7);
      const until = new Date(Date.now() + 86_400_000);
      const sent = await bucket.upload('prod/a.bin', Readable.from([body]), undefined, until);
      await bucket.put('prod/a.json', '{"x":1}', until);
      expect(await bucket.list()).toEqual([
        expect.objectContaining({ key: 'prod/a.bin', sizeBytes: body.length, etag: sent.etag }),
        expect.objectContaining({ key: 'prod/a.json', sizeBytes: 7 }),
      ]);
      const chunks: Buffer[] = [];
      for await (const c of (await bucket.getStream('prod/a.bin')).body) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(body)).toBe(true);
      expect(await bucket.getText('prod/a.json')).toBe('{"x":1}');
    } finally {
      await s3.stop();
    }
  });
});

/**
 * The forgery: anyone holding the host's bucket key copies an older object under
 * the newest backup's name and writes a manifest to match. Real PostgreSQL, s3rver, age and the CLI.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()) && need('age (apt-get install age)', hasAge()))(
  'forged off-site copies',
  () => {
    let pg: PgCluster;
    let s3: S3Server;
    let ctx: TestContext;
    let unsignedConfig: string;
    let key: { identityFile: string; recipient: string };
    let older: string;
    let newer: string;
    const attacker = () =>
      new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
      });

    beforeAll(async () => {
      ({ pg, ctx } = await startSampleDb());
      s3 = await startS3();
      Object.assign(process.env, s3.env);
      key = ageKeyPair(ctx.root);
      const base = fs.readFileSync(ctx.configFile, 'utf8');
      const signed = `${base}\n${s3.offsiteYaml({ recipients: [key.recipient], signed: true })}`;
      fs.writeFileSync(ctx.configFile, signed);
      ctx.config = parseConfig(signed);
      unsignedConfig = `${ctx.root}/unsigned.yaml`;
      fs.writeFileSync(unsignedConfig, `${base}\n${s3.offsiteYaml({ recipients: [key.recipient] })}`);
      older = (await backupNow(ctx, { reason: 'manual', actor: 'test', note: 'older' })).fileName;
      pg.psql('app', `INSERT INTO requests (title) VALUES ('after the older backup')`);
      newer = (await backupNow(ctx, { reason: 'scheduled', actor: 'test' })).fileName;
      expect((await pushPending(ctx)).every((o) => o.ok)).toBe(true);
    });
    afterAll(async () => {
      ctx?.cleanup();
      await s3?.stop();
      await pg?.stop();
    });

    it('genuine signed copies verify, and record the ETag the bucket lists', async () => {
      const { manifests, problems, signed } = await readBucket(openBucket(ctx.config.offsite!));
      expect({ problems, signed }).toEqual({ problems: [], signed: true });
      expect(manifests.map((m) => m.fileName)).toEqual([newer, older]);
      expect(manifests[0]!.signature).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(manifests[0]!.object.etag).toMatch(/^[0-9a-f]{32}/);
      const r = await switchyard(
        ['offsite', 'verify', 'latest', '--identity', key.identityFile, '--config', ctx.configFile],
        s3.env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`verified ${newer}: `);
      expect(r.stdout).toContain('manifest signature and both sha256s match');
    });

    it('an older object copied under the newest name with a matching manifest: verify and restore refuse it', async () => {
      const bucket = openBucket(ctx.config.offsite!);
      const prefix = bucket.prefix;
      const real = JSON.parse(await bucket.getText(manifestKey(prefix, older))) as Manifest;
      const s3c = attacker();
      // Later than the genuine upload by a clear second: the bucket records times to the second.
      await new Promise((r) => setTimeout(r, 1100));
      await s3c.send(
        new CopyObjectCommand({
          Bucket: s3.bucket,
          Key: `${prefix}${newer}.age`,
          CopySource: `${s3.bucket}/${prefix}${older}.age`,
        }),
      );
      const copied = (await bucket.list()).find((o) => o.key === `${prefix}${newer}.age`)!;
      const forged = {
        ...real,
        fileName: newer,
        createdAt: new Date().toISOString(),
        object: { ...real.object, key: `${prefix}${newer}.age`, etag: copied.etag },
        pair: {
          commit: 'deadbeef',
          version: 'v9',
          images: { backend: `evil.example/backend@sha256:${'f'.repeat(64)}` },
        },
        uploadedAt: new Date().toISOString(),
      };
      await s3c.send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key: manifestKey(prefix, newer),
          Body: JSON.stringify(forged),
        }),
      );
      s3c.destroy();

      const verify = await switchyard(
        ['offsite', 'verify', 'latest', '--identity', key.identityFile, '--config', ctx.configFile],
        s3.env,
      );
      expect(verify.code).toBe(1);
      expect(verify.stderr).toMatch(
        new RegExp(
          `off-site copy ${newer}: its manifest signature does not match the signing key .*name an older copy`,
        ),
      );
      const byName = await switchyard(
        ['offsite', 'verify', newer, '--identity', key.identityFile, '--config', ctx.configFile],
        s3.env,
      );
      expect(byName.code).toBe(1);
      const restore = await switchyard(
        [
          'restore',
          '--offsite',
          'latest',
          '--identity',
          key.identityFile,
          '--with-images',
          '--force',
          '--config',
          ctx.configFile,
        ],
        s3.env,
      );
      expect(restore.code).toBe(1);
      expect(restore.stderr).toMatch(/signature does not match the signing key/);
      expect(pg.psql('app', `SELECT count(*) FROM requests WHERE title = 'after the older backup'`).trim()).toBe('1');
      const list = await switchyard(['offsite', 'list', '--config', ctx.configFile], s3.env);
      expect(list.stdout).toContain(`problem: ${newer}: its manifest signature does not match`);
      // The genuine older copy still verifies by its name.
      const good = await switchyard(
        ['offsite', 'verify', older, '--identity', key.identityFile, '--config', ctx.configFile],
        s3.env,
      );
      expect(good.code, good.stderr).toBe(0);
    });

    it('without a signing key the same forgery verifies: list and verify say so plainly', async () => {
      const r = await switchyard(
        ['offsite', 'verify', 'latest', '--identity', key.identityFile, '--config', unsignedConfig],
        s3.env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/warning: manifests are not signed .*can forge a copy that verifies/);
    });

    it("an object replaced under its genuine manifest is refused from the bucket's own record, before any download", async () => {
      const bucket = openBucket(ctx.config.offsite!);
      const prefix = bucket.prefix;
      // Put the genuine manifest back over the forged one, then replace the object after it.
      await new Promise((r) => setTimeout(r, 1100));
      const s3c = attacker();
      await s3c.send(
        new CopyObjectCommand({
          Bucket: s3.bucket,
          Key: `${prefix}${older}.age`,
          CopySource: `${s3.bucket}/${prefix}${newer}.age`,
          MetadataDirective: 'REPLACE',
        }),
      );
      s3c.destroy();
      const { refused } = await readBucket(bucket);
      expect(refused.map((x) => x.fileName)).toContain(older);
      expect(refused.find((x) => x.fileName === older)!.problem).toMatch(/written after its manifest/);
    });

    it('doctor reports what protects the copies: s3rver has no Object Lock and lists where versioning is asked', async () => {
      const r = await probeProtection(ctx.config.offsite!);
      expect(r).toMatchObject({
        ok: true,
        warn: true,
        detail: 'manifests signed; versioning off; Object Lock not supported by this bucket; copies not locked',
      });
      const locked = parseConfig(`${fs.readFileSync(ctx.configFile, 'utf8')}\n  objectLock: compliance`).offsite!;
      expect(await probeProtection(locked)).toMatchObject({ ok: false });
      const noKey = await probeProtection(ctx.config.offsite!, { ...s3.env, SY_TEST_SIGNING_KEY: 'short' });
      expect(noKey).toMatchObject({ ok: false, detail: expect.stringMatching(/at least 32 are needed/) });
      expect(JSON.stringify(noKey)).not.toContain(SIGNING_KEY);
    });
  },
);
