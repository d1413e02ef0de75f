import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { DockerClient } from '../../src/docker/client.js';
import { checkImages, type ImageCheckPorts } from '../../src/versions/images.js';
import { resetVersionCaches } from '../../src/versions/index.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';

/**
 * checkImages against a fake engine (no registry): what the registry said is shown on the
 * versions page, so an answer quoting a secret is redacted with the ports' redactor.
 * test/versions/images.test.ts asks a real registry.
 */
const SECRET = 'Registry-Secret-1414';

afterEach(() => resetVersionCaches());

function ports(distribution: () => Promise<unknown>): ImageCheckPorts {
  const redactor = new Redactor();
  redactor.register(SECRET);
  return {
    config: parseConfig(
      'project: { dir: /srv/app }\ndatabase: { service: db, name: app }\nservices: { backend: { image: fake.example/app } }',
    ),
    docker: () => ({ getImage: () => ({ distribution }) }) as unknown as DockerClient,
    log: createLogger({ redactor, level: 'error', write: () => {} }),
    redactor,
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
});
