import { afterEach, describe, expect, it } from 'vitest';
import { Switchyard } from '../../src/app/index.js';
import type { Runtime } from '../../src/app/runtime.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { freePort } from '../fixtures/env.js';

/**
 * The overview area through the app, without Docker: the runtime's Docker refuses (its error names a
 * secret), so each query must still answer from the records, with that one error line redacted.
 */
const SECRET = 'Engine-Secret-2718';

let ctx: TestContext | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

async function appWithoutDocker(extra = ''): Promise<{ app: Switchyard; ctx: TestContext }> {
  const port = await freePort(); // nothing listens: the daemon probe says so
  ctx = testContext({
    database: '{ service: db, name: app }',
    project: 'name: shop',
    extra: `server: { listen: "127.0.0.1:${port}" }\nhealth: { url: "http://127.0.0.1:9/up" }\n${extra}`,
  });
  ctx.redactor.register(SECRET);
  const runtime: Runtime = {
    ...ctx,
    docker: () => {
      throw new Error(`connect EACCES /var/run/docker.sock (${SECRET})`);
    },
  };
  return { app: new Switchyard(() => runtime), ctx };
}

describe('Overview', () => {
  it('status: Docker refusing is one redacted line; the state comes from the records; the daemon is down', async () => {
    const { app } = await appWithoutDocker();
    const s = await app.overview.status();
    expect(s.status).toBeNull();
    expect(s.error).toBe('connect EACCES /var/run/docker.sock (***)');
    expect(s.app.state).toBeTypeOf('string');
    expect(s.daemon).toMatchObject({ running: false });
    expect(s.deployedName).toBeNull();
    expect(JSON.stringify(s)).not.toContain(SECRET);
  });

  it('currentVersion: a Docker that cannot be asked is an error, not an empty answer', async () => {
    const { app } = await appWithoutDocker();
    await expect(app.overview.currentVersion()).rejects.toThrow(/docker\.sock/);
  });

  it("chrome: the running operation (a live holder of the lock), the app's address, the state without Docker", async () => {
    const { app, ctx } = await appWithoutDocker();
    expect(app.overview.chrome().busy).toBeNull();
    const release = ctx.store.lock.acquire('deploy v2');
    try {
      const chrome = app.overview.chrome();
      expect(chrome.busy).toMatchObject({ operation: 'deploy v2', deploymentId: null });
      expect(chrome.appUrl).toBe('http://127.0.0.1:9/');
      expect(await chrome.status()).toEqual({ status: null, error: 'connect EACCES /var/run/docker.sock (***)' });
      expect((await chrome.appState()).state).toBeTypeOf('string');
    } finally {
      release();
    }
  });

  it('page: the chrome status it is given is the one it shows (Docker is asked once per request)', async () => {
    const { app } = await appWithoutDocker();
    let asked = 0;
    const o = await app.overview.page(async () => {
      asked++;
      return { status: null, error: 'given' };
    });
    expect(asked).toBe(1);
    expect(o).toMatchObject({ status: null, statusError: 'given', current: undefined, versionLabel: null });
    expect(o.unmanaged).toEqual([]);
    expect(o.appUrl).toBe('http://127.0.0.1:9/');
  });

  it('notifySettings: the configured webhooks', async () => {
    const { app } = await appWithoutDocker('notify: { webhooks: [{ url: "https://hooks.example/x" }] }');
    expect(app.overview.notifySettings().webhooks).toHaveLength(1);
  });
});
