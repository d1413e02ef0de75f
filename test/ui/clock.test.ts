import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../src/util/format.js';
import { launchBrowser, needChromium, type TestBrowser } from '../fixtures/browser.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { logIn, saveWeights, startUiDaemon, type UiDaemon } from './daemon.js';

const ready = needChromium() && need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

// Half an hour off any whole-hour zone, so that a time in the daemon's zone (UTC here) cannot pass for it.
const ZONE = 'Asia/Kolkata';
/** A time as a person must not see it: the UTC the daemon keeps, or an ISO stamp. */
const NOT_LOCAL = /\bUTC\b|\d{4}-\d\d-\d\dT\d\d:\d\d/;

describe.runIf(ready)('web UI: one clock, the browser’s, on every page', () => {
  let daemon: UiDaemon;
  let browser: TestBrowser;
  /** What a person reads on the page: hover text (title) is not part of it. */
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point (no hidden nodes, no titles)
  const visible = () => browser.page.evaluate(() => document.body.innerText);

  beforeAll(async () => {
    [daemon, browser] = await Promise.all([startUiDaemon(['v1', 'v3']), launchBrowser({ timezoneId: ZONE })]);
    await logIn(browser, daemon.url);
  });
  afterAll(async () => {
    if (browser) {
      saveWeights(browser, 'clock');
      await browser.close();
    }
    await daemon?.stop();
  });

  it('a failing deploy shows local times while it runs and after, with seconds, UTC only on hover', async () => {
    const { page } = browser;
    await page.goto(`${daemon.url}/deploy?ref=v3.0.0`);
    await Promise.all([
      page.waitForURL(/\/deployments\/\d+$/),
      page.getByRole('button', { name: 'Deploy v3.0.0' }).click(),
    ]);
    // Rows and the summary arrive over the event stream while it runs: rendered for this browser too.
    await expect.poll(() => page.locator('#steps tr').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    expect(await visible()).not.toMatch(NOT_LOCAL);
    await expect
      .poll(() => page.locator('#outcome').getAttribute('data-status'), { timeout: 150_000, interval: 500 })
      .toBe('rolled-back');
    const text = await visible();
    expect(text).not.toMatch(NOT_LOCAL);
    expect(text).toMatch(/\d\d:\d\d:\d\d GMT\+5:30/);
    const started = page.locator('time').first();
    const iso = (await started.getAttribute('datetime'))!;
    expect(await started.locator('.when').textContent()).toBe(formatTime(iso, ZONE));
    expect(await started.getAttribute('title')).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);
  }, 240_000);

  it('no page shows a UTC or ISO time outside hover text, the rollback confirmation’s “writes since” included', async () => {
    const { page } = browser;
    const deployment = daemon.ctx.store.deployments.list(1)[0]!;
    // The deployment's own backup: what its rollback confirmation dates (the newest backup may be a later safety dump).
    const backup = daemon.ctx.store.backups.get(deployment.backupId!)!;
    for (const path of [
      '/',
      '/versions',
      '/history',
      '/backups',
      `/backups/${backup.id}`,
      `/deployments/${deployment.id}`,
      '/audit',
      '/users',
      '/logs',
      `/deployments/${deployment.id}/rollback`,
    ]) {
      await page.goto(`${daemon.url}${path}`);
      expect(await visible(), path).not.toMatch(NOT_LOCAL);
    }
    expect(await visible()).toContain(`Database writes since ${formatTime(backup.createdAt, ZONE)}`);
    await browser.screenshot('rollback-confirm-local');
  });

  it('a backup refused as busy says since when in local time, and the form keeps its note', async () => {
    const { page } = browser;
    const release = daemon.ctx.store.lock.acquire('drill');
    try {
      const since = daemon.ctx.store.lock.holder()!.acquiredAt;
      await page.goto(`${daemon.url}/backups`);
      expect(await visible()).not.toMatch(NOT_LOCAL); // the busy banner
      await page.getByLabel('Note (optional)').fill('before the vendor call');
      await Promise.all([
        page.waitForURL(`${daemon.url}/backups`),
        page.getByRole('button', { name: 'Take a backup now' }).click(),
      ]);
      const alert = (await page.getByRole('alert').first().textContent()) ?? '';
      expect(alert).toContain(
        `Another operation is running: drill (pid ${process.pid}, since ${formatTime(since, ZONE)})`,
      );
      expect(await page.getByLabel('Note (optional)').inputValue()).toBe('before the vendor call');
      expect(await visible()).not.toMatch(NOT_LOCAL);
    } finally {
      release();
    }
    await page.goto(`${daemon.url}/backups`);
    expect(await page.getByLabel('Note (optional)').inputValue()).toBe(''); // shown once, like the message
  });

  it('ran every page without a script error or a content-security-policy violation', () => {
    expect(browser.errors).toEqual([]);
  });
});
