import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy } from '../../src/app/ports/deploy.js';
import { launchBrowser, needChromium, type TestBrowser } from '../fixtures/browser.js';
import { switchyard } from '../fixtures/cli.js';
import { freePort, hasCompose, hasDocker, need } from '../fixtures/env.js';
import { logIn, saveWeights, screenshotEveryWay, startUiDaemon, TOKEN, type UiDaemon } from './daemon.js';

const ready = needChromium() && need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/** Every page a logged-in admin can open from the navigation. */
const PAGES = ['/', '/versions', '/history', '/backups', '/logs', '/audit', '/users'];

describe.runIf(ready)("the app's state, loudly: a backend stopped behind switchyard's back", () => {
  let daemon: UiDaemon;
  let browser: TestBrowser;
  let daemonClosed = false;
  const status = () => switchyard(['status', '--config', daemon.ctx.configFile]);
  const banner = () => browser.page.locator('#app-state[role="alert"]');

  beforeAll(async () => {
    [daemon, browser] = await Promise.all([startUiDaemon(['v1', 'v2'], await freePort()), launchBrowser()]);
    const first = await deploy(daemon.ctx, { ref: 'v1.0.0', actor: 'test' }); // a recorded pair, pinned
    expect(first.status, first.error ?? '').toBe('succeeded');
    await logIn(browser, daemon.url);
  });
  afterAll(async () => {
    if (browser) {
      saveWeights(browser, 'app-state');
      await browser.close();
    }
    if (!daemonClosed) await daemon?.stop();
    else {
      daemon.ctx.cleanup();
      daemon.sample.cleanup();
    }
  });

  it('healthy: no banner, and `status` exits 0 saying the daemon runs', async () => {
    await browser.page.goto(`${daemon.url}/`);
    expect(await banner().count()).toBe(0);
    const res = await status();
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('state: healthy (the app runs)');
    expect(res.stdout).toContain(`daemon: running at http://127.0.0.1:${new URL(daemon.url).port}`);
  });

  it('every page shows the banner naming the stopped service; Versions does not say v1 runs; status exits 1', async () => {
    const { page } = browser;
    daemon.sample.compose(['stop', 'backend']);
    for (const path of PAGES) {
      await page.goto(`${daemon.url}${path}`);
      expect(await banner().count(), path).toBe(1);
      const text = (await banner().textContent()) ?? '';
      expect(text, path).toContain('The app is down');
      expect(text, path).toMatch(/service backend is down: \S*backend\S* stopped/);
      expect(await banner().getByRole('button', { name: 'Restart the current version' }).count(), path).toBe(1);
      expect(
        await banner()
          .getByRole('link', { name: /Roll back to before #\d+/ })
          .count(),
        path,
      ).toBe(1);
    }
    await page.goto(`${daemon.url}/versions`);
    const v1 = page.locator('article', { has: page.getByRole('heading', { name: /^v1\.0\.0/ }) });
    expect(await v1.textContent()).toContain('deployed, not running');
    expect(await page.locator('main').textContent()).not.toContain('This version runs now');
    await page.goto(`${daemon.url}/`);
    await screenshotEveryWay(browser, 'app-down');

    const res = await status();
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('state: down (the app is down)');
    expect(res.stdout).toMatch(/service backend is down: \S*backend\S* stopped/);
    // The API's current-version carries the same state.
    const api = await fetch(`${daemon.url}/api/system/current-version`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(((await api.json()) as { app: { state: string; problems: string[] } }).app).toMatchObject({
      state: 'down',
      problems: [expect.stringContaining('service backend is down')],
    });
  });

  it('"Restart the current version" redeploys the recorded pair, backup first; the banner goes away', async () => {
    const { page } = browser;
    const before = daemon.ctx.store.deployments.current()!;
    await page.goto(`${daemon.url}/history`);
    await Promise.all([
      page.waitForURL(/\/deployments\/\d+$/),
      banner().getByRole('button', { name: 'Restart the current version' }).click(),
    ]);
    const id = Number(/\/deployments\/(\d+)$/.exec(page.url())![1]);
    await expect
      .poll(() => page.locator('#outcome').getAttribute('data-status'), { timeout: 120_000, interval: 500 })
      .toBe('succeeded');
    const restart = daemon.ctx.store.deployments.get(id)!;
    expect(restart).toMatchObject({ kind: 'deploy', commit: before.commit, images: before.images, actor: 'ui:admin' });
    expect(restart.backupId).not.toBeNull();
    expect(daemon.ctx.store.deployments.steps(id).map((s) => `${s.name}:${s.status}`)).toContain('health:ok');
    for (const path of ['/', '/versions']) {
      await page.goto(`${daemon.url}${path}`);
      expect(await banner().count(), path).toBe(0);
    }
    expect(await page.locator('main').textContent()).toContain('This version runs now');
    expect((await status()).code).toBe(0);
  });

  it('with the daemon stopped, `status` says so and exits 69 though the app is healthy', async () => {
    await daemon.server.close();
    daemonClosed = true;
    const res = await status();
    expect(res.code).toBe(69);
    expect(res.stdout).toContain('state: healthy');
    expect(res.stdout).toMatch(/daemon: not running \(nothing answers at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});
