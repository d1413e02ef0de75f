import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { DockerClient } from '../../src/docker/client.js';
import { checkImages, type ImageCheckPorts } from '../../src/versions/images.js';
import { TTL, VersionCaches } from '../../src/versions/cache.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';

/**
 * checkImages against a fake engine (no registry): what the registry said is shown on the
 * versions page, so an answer quoting a secret is redacted with the ports' redactor.
 * test/versions/images.test.ts asks a real registry.
 */
const SECRET = 'Registry-Secret-1414';

/** Each call its own caches (so no answer carries over between tests), on the given time. */
function ports(distribution: () => Promise<unknown>, caches = new VersionCaches()): ImageCheckPorts {
  const redactor = new Redactor();
  redactor.register(SECRET);
  return {
    config: parseConfig(
      'project: { dir: /srv/app }\ndatabase: { service: db, name: app }\nservices: { backend: { image: fake.example/app } }',
    ),
    docker: () => ({ getImage: () => ({ distribution }) }) as unknown as DockerClient,
    log: createLogger({ redactor, level: 'error', write: () => {} }),
    redactor,
    versionCaches: caches,
  };
}

describe('checkImages with a fake engine', () => {
  it("shows a registry's refusal with the secret it quoted masked", async () => {
    const denied = Object.assign(new Error(`unauthorized: token ${SECRET} expired`), { statusCode: 401 });
    const result = await checkImages(
      ports(() => Promise.reject(denied)),
      [{ sha: 'a'.repeat(40), tag: 'v1' }],
    );
    const [availability] = [...result.values()];
    expect(availability!.available).toBe(false);
    expect(availability!.missing).toEqual([
      'fake.example/app:aaaaaaa (registry denied access: unauthorized: token *** expired)',
    ]);
  });

  it('an image the registry has is available', async () => {
    const result = await checkImages(
      ports(async () => ({})),
      [{ sha: 'b'.repeat(40), tag: 'v2' }],
    );
    expect([...result.values()]).toEqual([{ available: true, missing: [] }]);
  });

  it("keeps the registry's answer for its TTL, in its own caches only", async () => {
    let now = 1_000_000;
    const caches = new VersionCaches(() => now);
    let asked = 0;
    const absent = Object.assign(new Error('manifest unknown'), { statusCode: 404 });
    const check = ports(() => {
      asked++;
      return Promise.reject(absent);
    }, caches);
    const version = [{ sha: 'c'.repeat(40), tag: 'v3' }];

    const first = await checkImages(check, version);
    expect([...first.values()]).toEqual([{ available: false, missing: ['fake.example/app:ccccccc'] }]);
    expect(asked).toBe(1);
    now += TTL.imageAbsent - 1;
    expect(await checkImages(check, version)).toEqual(first);
    expect(asked).toBe(1);
    // Another caches object (another Context) has not heard the answer.
    await checkImages({ ...check, versionCaches: new VersionCaches(() => now) }, version);
    expect(asked).toBe(2);
    now += 1;
    await checkImages(check, version);
    expect(asked).toBe(3);
  });
});
