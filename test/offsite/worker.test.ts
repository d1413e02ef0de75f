import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { Notification } from '../../src/notify/payloads.js';
import type { Bucket } from '../../src/offsite/bucket.js';
import type { OffsitePorts } from '../../src/offsite/ports.js';
import { pushPending } from '../../src/offsite/push.js';
import { backoffMs } from '../../src/offsite/queue.js';
import { startOffsiteWorker } from '../../src/offsite/worker.js';
import type { BackupReason } from '../../src/store/index.js';

import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';
import { tempStore } from '../fixtures/fakes.js';

/**
 * The off-site worker's decisions against fake ports and an in-memory bucket (no S3): what it
 * uploads, what it leaves, and how a failed upload is kept for a later attempt.
 * test/offsite/push.test.ts and lifecycle.test.ts run the same code against an S3 server.
 */
const NOW = new Date('2033-01-02T03:04:05.000Z');
const SECRET = 'Bucket-Secret-1618';

/** A bucket in memory; `failUploads` makes every upload fail with that error. */
function memoryBucket(failUploads?: Error): Bucket & { objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>();
  const read = async (body: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    name: 'mem',
    prefix: 'p/',
    signingKey: null,
    objects,
    upload: async (key, body) => {
      if (failUploads) {
        body.resume();
        throw failUploads;
      }
      objects.set(key, await read(body));
      return { parts: 1, etag: null, versionId: null };
    },
    put: async (key, body) => void objects.set(key, Buffer.from(body)),
    getText: async (key) => objects.get(key)?.toString() ?? Promise.reject(new Error(`no ${key}`)),
    getStream: async () => Promise.reject(new Error('not used here')),
    list: async () =>
      [...objects].map(([key, body]) => ({ key, sizeBytes: body.length, lastModified: null, etag: null })),
    delete: async (key) => void objects.delete(key),
    protection: async () => ({ versioning: 'unsupported', objectLock: 'unsupported' }),
  };
}

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function world() {
  const { store, backupsDir: dir, remove } = tempStore('sy-offsite-worker-');
  cleanup.push(remove);
  fs.mkdirSync(dir);
  const config = parseConfig(
    [
      'project: { dir: /srv/app }',
      'database: { service: db, name: app }',
      `backups: { dir: ${JSON.stringify(dir)} }`,
      'offsite: { s3: { bucket: b-1, accessKeyIdEnv: K, secretAccessKeyEnv: S }, encrypt: { allowUnencrypted: true }, reasons: [pre-deploy, manual] }',
    ].join('\n'),
  );
  const redactor = new Redactor();
  redactor.register(SECRET);
  const notifications: Array<Omit<Notification, 'at'>> = [];
  const ports: OffsitePorts = {
    config,
    store,
    notifier: { send: (n) => notifications.push(n) },
    log: createLogger({ redactor, level: 'error', write: () => {} }),
    redactor,
    clock: { now: () => NOW },
  };
  /** A backup in the catalog (and, when good, its file on disk). */
  const backup = (fileName: string, reason: BackupReason, ok = true) => {
    const id = store.backups.begin({
      fileName,
      tempName: `.${fileName}.partial`,
      databaseName: 'app',
      reason,
      note: null,
      actor: 't',
      createdAt: new Date(NOW.getTime() - 3_600_000).toISOString(),
      deploymentId: null,
    });
    if (!ok) {
      store.backups.fail(id, 'pg_dump failed');
      return id;
    }
    const content = Buffer.from(`dump of ${fileName}`);
    fs.writeFileSync(path.join(dir, fileName), content);
    const sha256 = createHash('sha256').update(content).digest('hex');
    store.backups.succeed(id, {
      sizeBytes: content.length,
      sha256,
      serverVersion: '16',
      rowCounts: {},
      schemaFingerprint: 'f',
    });
    return id;
  };
  return { ports, store, notifications, backup };
}

describe('the off-site worker, with a bucket in memory', () => {
  it('uploads the good backups of a copied reason, and nothing else', async () => {
    const w = world();
    const copied = w.backup('a_pre-deploy.dump', 'pre-deploy');
    w.backup('b_scheduled.dump', 'scheduled'); // not a copied reason here
    w.backup('c_manual.dump', 'manual', false); // failed: nothing to copy
    const bucket = memoryBucket();
    await startOffsiteWorker(w.ports, { bucket }).stop(); // one pass runs at start; stop waits for it

    expect([...bucket.objects.keys()].sort()).toEqual(['p/a_pre-deploy.dump', 'p/a_pre-deploy.dump.manifest.json']);
    expect(bucket.objects.get('p/a_pre-deploy.dump')!.toString()).toBe('dump of a_pre-deploy.dump');
    expect(w.store.offsite.all().map((r) => [r.backupId, r.state])).toEqual([[copied, 'uploaded']]);
    expect(w.store.offsite.get(copied)!.uploadedAt).toBe(NOW.toISOString()); // the clock's time
    const manifest = JSON.parse(bucket.objects.get('p/a_pre-deploy.dump.manifest.json')!.toString());
    expect(manifest.uploadedAt).toBe(NOW.toISOString());
    expect(w.store.audit.list()).toMatchObject([{ action: 'offsite.upload', outcome: 'ok', at: NOW.toISOString() }]);
  });

  it('a failed upload is kept with its redacted error and tried again only when due', async () => {
    const w = world();
    const id = w.backup('a_manual.dump', 'manual');
    const bucket = memoryBucket(new Error(`403 for key ${SECRET}`));
    await startOffsiteWorker(w.ports, { bucket }).stop();

    expect(w.store.offsite.get(id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: '403 for key ***',
      nextAttemptAt: new Date(NOW.getTime() + backoffMs(1)).toISOString(),
    });
    // Claimed and failed at the clock's time: nothing in the queue reads the system time.
    const row = w.store.db.prepare('SELECT updated_at FROM offsite_uploads WHERE backup_id = ?').get(id);
    expect(row).toEqual({ updated_at: NOW.toISOString() });
    expect(w.notifications).toMatchObject([{ event: 'offsite', ok: false }]);
    expect(JSON.stringify([w.notifications, w.store.audit.list()])).not.toContain(SECRET);
    expect(await pushPending(w.ports, { bucket })).toEqual([]); // not due yet at the same clock time
  });
});

describe('waking the off-site worker', () => {
  it('a kick during a pass runs another pass right after it, for the backup that pass did not list', async () => {
    const w = world();
    const first = w.backup('a_manual.dump', 'manual');
    const bucket = memoryBucket();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const upload = bucket.upload;
    bucket.upload = async (key, body) => {
      await held; // the first pass stays in its upload until the second backup exists
      return upload(key, body);
    };
    const worker = startOffsiteWorker(w.ports, { bucket });
    try {
      await waitUntil(() => w.store.offsite.get(first)?.state === 'uploading');
      const second = w.backup('b_manual.dump', 'manual');
      worker.kick(); // as a finished backup does (src/main/daemon.ts)
      release();
      // The next timed pass is 30 s away: only the kick's pass can copy it within the wait.
      await waitUntil(() => w.store.offsite.get(second)?.state === 'uploaded');
      expect(w.store.offsite.get(first)?.state).toBe('uploaded');
    } finally {
      release();
      await worker.stop();
    }
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
