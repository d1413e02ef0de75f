import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { parseManifest, type Manifest } from '../../src/offsite/manifest.js';
import {
  backoffMs,
  backupsToEnqueue,
  dueUploads,
  newestOffsiteCopy,
  offsiteStaleHours,
  pairAtDump,
  selectOffsiteExpired,
} from '../../src/offsite/queue.js';
import type { BackupRow, Deployment, OffsiteUpload } from '../../src/store/index.js';

const backup = (id: number, createdAt: string, over: Partial<BackupRow> = {}): BackupRow => ({
  id,
  fileName: `b${id}.dump`,
  databaseName: 'app',
  reason: 'scheduled',
  note: null,
  actor: 't',
  status: 'ok',
  error: null,
  createdAt,
  finishedAt: createdAt,
  sizeBytes: 1,
  sha256: 'a'.repeat(64),
  serverVersion: '15',
  rowCounts: {},
  schemaFingerprint: 'f',
  deploymentId: null,
  tempName: '',
  ownerPid: null,
  ...over,
});
const row = (backupId: number, over: Partial<OffsiteUpload> = {}): OffsiteUpload => ({
  backupId,
  state: 'pending',
  attempts: 0,
  error: null,
  key: null,
  uploadedAt: null,
  nextAttemptAt: '2026-01-01T00:00:00Z',
  pair: null,
  ownerPid: null,
  ...over,
});
const deployment = (id: number, over: Partial<Deployment>): Deployment => ({
  id,
  kind: 'deploy',
  ref: `v${id}`,
  commit: `c${id}`,
  tag: null,
  status: 'succeeded',
  actor: 't',
  createdAt: `2026-01-0${id}T00:00:00Z`,
  finishedAt: `2026-01-0${id}T00:10:00Z`,
  error: null,
  images: { web: `web@sha256:${id}` },
  previousCommit: null,
  previousImages: null,
  backupId: null,
  rollbackOf: null,
  ...over,
});
const manifest = (fileName: string, createdAt: string): Manifest => ({ fileName, createdAt }) as Manifest;

describe('upload queue decisions', () => {
  it('queues good backups of the copied reasons only, oldest first', () => {
    const list = [
      backup(3, '2026-01-03T00:00:00Z'),
      backup(1, '2026-01-01T00:00:00Z'),
      backup(2, '2026-01-02T00:00:00Z', { status: 'failed' }),
      backup(4, '2026-01-04T00:00:00Z', { reason: 'manual' }),
      backup(5, '2026-01-05T00:00:00Z'),
    ];
    expect(backupsToEnqueue(list, new Set([5]), ['scheduled']).map((b) => b.id)).toEqual([1, 3]);
  });

  it('picks pending rows, failed rows whose wait is over, and uploads whose owner died', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const rows = [
      row(1),
      row(2, { state: 'failed', nextAttemptAt: '2026-01-01T11:59:00Z' }),
      row(3, { state: 'failed', nextAttemptAt: '2026-01-01T12:30:00Z' }),
      row(4, { state: 'uploading', ownerPid: 111 }),
      row(5, { state: 'uploading', ownerPid: 222 }),
      row(6, { state: 'uploaded' }),
    ];
    const alive = (pid: number) => pid === 222;
    expect(dueUploads(rows, now, alive).map((r) => r.backupId)).toEqual([1, 2, 4]);
    // Asked for by id: a failed one goes now, whatever its wait.
    expect(dueUploads(rows, now, alive, 3).map((r) => r.backupId)).toEqual([3]);
    expect(dueUploads(rows, now, alive, 6)).toEqual([]);
  });

  it('backs off exponentially up to six hours', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(backoffMs(50)).toBe(6 * 3_600_000);
  });

  it('knows the pair that ran when a dump was taken', () => {
    const d1 = deployment(1, { tag: 'v1.0.0' });
    const d2 = deployment(2, { previousCommit: 'c1', previousImages: { web: 'web@sha256:1' }, status: 'failed' });
    // A pre-deploy dump of deployment 2: the state deployment 2 replaced, which deployment 1 had put there.
    expect(pairAtDump(backup(9, '2026-01-02T00:01:00Z', { reason: 'pre-deploy', deploymentId: 2 }), [d1, d2])).toEqual({
      commit: 'c1',
      version: 'v1.0.0',
      images: { web: 'web@sha256:1' },
    });
    // A scheduled dump: the newest deployment that had succeeded by then.
    expect(pairAtDump(backup(10, '2026-01-03T00:00:00Z'), [d1, d2])).toEqual({
      commit: 'c1',
      version: 'v1.0.0',
      images: { web: 'web@sha256:1' },
    });
    expect(pairAtDump(backup(11, '2025-12-31T00:00:00Z'), [d1, d2])).toBeNull();
  });

  it('expires beyond the newest `last` and older than `days` only', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const ms = [
      manifest('a', '2026-01-01T00:00:00Z'),
      manifest('b', '2026-02-27T00:00:00Z'),
      manifest('c', '2026-01-02T00:00:00Z'),
      manifest('d', '2026-02-28T00:00:00Z'),
    ];
    expect(selectOffsiteExpired(ms, { last: 2, days: 30 }, now).map((m) => m.fileName)).toEqual(['c', 'a']);
    expect(selectOffsiteExpired(ms, { last: 2, days: 365 }, now)).toEqual([]);
    expect(selectOffsiteExpired(ms, { last: 10, days: 0 }, now)).toEqual([]);
  });

  it('judges the newest off-site copy against the schedule interval plus an hour', () => {
    const list = [
      backup(1, '2026-01-01T00:00:00Z'),
      backup(2, '2026-01-02T00:00:00Z'),
      backup(3, '2026-01-03T00:00:00Z'),
    ];
    const rows = [row(1, { state: 'uploaded' }), row(2, { state: 'uploaded' }), row(3, { state: 'failed' })];
    expect(newestOffsiteCopy(rows, list)?.id).toBe(2);
    const day = 86_400_000;
    const allowed = day + 3_600_000;
    expect(offsiteStaleHours('2026-01-02T00:00:00Z', undefined, allowed, new Date('2026-01-03T00:30:00Z'))).toBeNull();
    expect(offsiteStaleHours('2026-01-02T00:00:00Z', undefined, allowed, new Date('2026-01-03T02:00:00Z'))).toBe(26);
    // Never uploaded anything: judged from the oldest queued backup.
    expect(offsiteStaleHours(undefined, '2026-01-01T00:00:00Z', allowed, new Date('2026-01-03T00:00:00Z'))).toBe(48);
    expect(offsiteStaleHours(undefined, undefined, allowed, new Date())).toBeNull();
    expect(offsiteStaleHours('2026-01-01T00:00:00Z', undefined, null, new Date())).toBeNull();
  });

  it('reads only manifests that name their own keys under the prefix', () => {
    const good = {
      format: 'switchyard-offsite/1',
      fileName: 'x.dump',
      createdAt: '2026-01-01T00:00:00Z',
      reason: 'manual',
      note: null,
      databaseName: 'app',
      serverVersion: '15.4',
      rowCounts: { 'public.t': 1 },
      schemaFingerprint: 'f',
      plain: { sizeBytes: 1, sha256: 'a'.repeat(64) },
      object: { key: 'prod/x.dump.age', sizeBytes: 2, sha256: 'b'.repeat(64), encryption: 'age', recipients: [] },
      pair: null,
      uploadedAt: '2026-01-01T00:00:00Z',
    };
    expect(parseManifest(JSON.stringify(good), 'prod/x.dump.manifest.json', 'prod/').fileName).toBe('x.dump');
    expect(() =>
      parseManifest(
        JSON.stringify({ ...good, object: { ...good.object, key: 'other/y' } }),
        'prod/x.dump.manifest.json',
        'prod/',
      ),
    ).toThrow(/points outside/);
    expect(() => parseManifest(JSON.stringify(good), 'prod/z.dump.manifest.json', 'prod/')).toThrow(
      /names another backup/,
    );
    expect(() => parseManifest('{', 'prod/x.dump.manifest.json', 'prod/')).toThrow(/not JSON/);
  });

  it('requires recipients unless unencrypted copies are allowed explicitly', () => {
    const base = `project: { dir: /srv/app }\ndatabase: { url: "postgres://u:p@h/db" }\n`;
    const s3 = `offsite:\n  s3: { bucket: city-311-backups, prefix: prod/, accessKeyIdEnv: S3_ACCESS_KEY_ID, secretAccessKeyEnv: S3_SECRET_ACCESS_KEY }\n`;
    expect(() => parseConfig(base + s3)).toThrow(/recipient/);
    expect(parseConfig(`${base + s3}  encrypt: { allowUnencrypted: true }`).offsite).toMatchObject({
      keep: { last: 30, days: 2555 },
      reasons: ['pre-deploy', 'scheduled', 'manual', 'pre-rollback'],
      s3: { region: 'us-east-1', prefix: 'prod/' },
    });
    expect(() => parseConfig(`${base + s3.replace('prod/', '../x/')}  encrypt: { allowUnencrypted: true }`)).toThrow(
      /prefix/,
    );
    expect(() => parseConfig(`${base + s3}  encrypt: { recipients: [notakey] }`)).toThrow(/age X25519 public key/);
  });
});
