import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, needChromium, type TestBrowser } from '../fixtures/browser.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { startRollback } from '../../src/app/ports/deploy.js';
import { logIn, saveWeights, screenshotEveryWay, startUiDaemon, TOKEN, type UiDaemon } from './daemon.js';

const ready = needChromium() && need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/**
 * The new user's walk (issue 13): versions in order, what a deploy changes, the
 * busy state before clicking, why a deploy failed, what a rollback discards,
 * the drill report, names, phone width and dark mode. Every page is saved at
 * 1280 and 390 px, light and dark (test/ui/screenshots/<name>-<width>-<scheme>.png).
 */
describe.runIf(ready)('web UI explains failures and changes, at every width and in both colour schemes', () => {
  let daemon: UiDaemon;
  let browser: TestBrowser;
  const main = async () => (await browser.page.locator('main').textContent()) ?? '';
  const outcome = () => browser.page.locator('#outcome').getAttribute('data-status');

  const shots = (name: string) => screenshotEveryWay(browser, name);

  async function deploy(ref: string): Promise<number> {
    const { page } = browser;
    await page.goto(`${daemon.url}/deploy?ref=${ref}`);
    await Promise.all([
      page.waitForURL(/\/deployments\/\d+$/),
      page.getByRole('button', { name: `Deploy ${ref}` }).click(),
    ]);
    return Number(/\/deployments\/(\d+)$/.exec(page.url())![1]);
  }

  beforeAll(async () => {
    // A zone far from UTC, so that local times visibly differ from the UTC the server writes.
    [daemon, browser] = await Promise.all([
      startUiDaemon(['v1', 'v2', 'v3']),
      launchBrowser({ timezoneId: 'Asia/Tokyo' }),
    ]);
    await logIn(browser, daemon.url);
  });
  afterAll(async () => {
    if (browser) {
      saveWeights(browser, 'explain');
      await browser.close();
    }
    await daemon?.stop();
  });

  it('lists versions newest version first although their commits share a second, with a scope badge without colon', async () => {
    const { page } = browser;
    await page.goto(`${daemon.url}/versions`);
    expect((await page.locator('ol.cards > li h2').allTextContents()).map((t) => t.split(' ')[0])).toEqual([
      'v3.0.0',
      'v2.0.0',
      'v1.0.0',
    ]);
    expect(await page.locator('.scope').first().textContent()).toBe('backend');
    await shots('versions');
  });

  it('shows what a deploy changes: the commits in between and the tag message (no GitHub configured)', async () => {
    const { page } = browser;
    await page.goto(`${daemon.url}/deploy?ref=v2.0.0`);
    const added = (await page.locator('#commits-added').textContent()) ?? '';
    expect(added).toContain('release v2.0.0');
    expect(added).toContain('Sample Dev');
    expect(await page.locator('#tag-message').textContent()).toContain('Release v2.0.0');
    expect(await main()).toContain('No migration file changes');
    expect(await main()).toMatch(/Now running: v1\.0\.0 [0-9a-f]{7}/); // named by its tag
    await shots('deploy-plan');
  });

  it('shows the busy state before any click, with a link to the running operation, and no raw Docker error', async () => {
    const { page } = browser;
    const release = daemon.ctx.store.lock.acquire('backup (manual)');
    try {
      await page.goto(`${daemon.url}/deploy?ref=v2.0.0`);
      expect(await page.locator('#busy').textContent()).toContain('backup (manual) is running since');
      expect(await page.getByRole('button', { name: 'Deploy v2.0.0' }).count()).toBe(0);
      expect(await main()).toContain('Cannot deploy now: another operation is running');
      expect(await main()).not.toMatch(/HTTP code|no such container/i);
      await shots('deploy-plan-busy');

      // The Overview refreshes itself while the operation runs.
      await page.goto(`${daemon.url}/`);
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { marker?: number }).marker ?? 'reloaded'), {
          timeout: 15_000,
          interval: 500,
        })
        .toBe('reloaded');
    } finally {
      release();
    }
    await page.goto(`${daemon.url}/`);
    expect(await page.locator('#busy').count()).toBe(0);
    expect(await page.locator('[data-refresh]').count()).toBe(0); // nothing runs: no more reloads
  });

  it('deploys v2, and then offers no "Review deploy" for the version that runs', async () => {
    const { page } = browser;
    await deploy('v2.0.0');
    // The summary follows the steps live (no reload): the pre-deploy backup appears there once its step ends.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await expect
      .poll(() => page.locator('#facts').textContent(), { timeout: 60_000, interval: 100 })
      .toMatch(/Pre-deploy backup\s*backup #\d+/);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    await expect.poll(outcome, { timeout: 90_000, interval: 500 }).toBe('succeeded');
    expect(await page.locator('#facts').textContent()).toContain('v2.0.0');
    await page.goto(`${daemon.url}/versions`);
    const current = page.locator('article.card.current');
    expect(await current.locator('h2').textContent()).toContain('v2.0.0');
    expect(await current.getByRole('link', { name: /Review deploy/ }).count()).toBe(0);
    expect(await current.textContent()).toContain('This version runs now');
    expect(await page.getByRole('link', { name: /Review deploy/ }).count()).toBe(2);
  });

  it('explains the failed v3 first: the failing service, its health checks and its log, kept through the rollback', async () => {
    const { page } = browser;
    const id = await deploy('v3.0.0');
    await expect.poll(outcome, { timeout: 120_000, interval: 500 }).toBe('rolled-back');
    const failure = (await page.locator('#failure').textContent()) ?? '';
    expect(failure).toContain('service backend is unhealthy: last health check exited 1');
    expect(await page.locator('#failure .container-log').textContent()).toContain('backend v3.0.0 starting');
    // Why comes before the steps.
    const order = await page.evaluate(() => {
      const why = document.getElementById('failure')!;
      const steps = document.getElementById('steps')!;
      return why.compareDocumentPosition(steps) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    expect(await page.locator('#outcome').textContent()).toMatch(
      /deploy of v3\.0\.0 failed: up: service backend is unhealthy/,
    );
    await shots('progress-failed');

    // At phone width the steps are cards and the Detail is not squeezed into a narrow column.
    await page.setViewportSize({ width: 390, height: 900 });
    expect(
      await page
        .locator('table.steps tbody tr')
        .first()
        .evaluate((tr) => getComputedStyle(tr).display),
    ).toBe('block');
    const detailWidth = await page
      .locator('table.steps td.detail')
      .first()
      .evaluate((td) => td.getBoundingClientRect().width);
    expect(detailWidth).toBeGreaterThan(250);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(daemon.ctx.store.deployments.get(id)?.status).toBe('rolled-back');
  });

  it('names versions by their tag in History and offers no rollback that would undo the automatic one', async () => {
    const { page } = browser;
    const [v3, v2] = daemon.ctx.store.deployments.list();
    await page.goto(`${daemon.url}/history`);
    const v3Row = page.locator(`#deployment-${v3!.id}`);
    expect(await v3Row.getByRole('link', { name: /Roll back to before this/ }).count()).toBe(0);
    expect(await v3Row.textContent()).toContain('Already undone');
    expect(await v3Row.textContent()).toMatch(/v2\.0\.0 [0-9a-f]{7}\s*→\s*v3\.0\.0 [0-9a-f]{7}/);
    expect(
      await page
        .locator(`#deployment-${v2!.id}`)
        .getByRole('link', { name: /Roll back to before this/ })
        .count(),
    ).toBe(1);
    await shots('history');

    // Opened anyway (a bookmark), the confirmation says exactly what it would do.
    await page.goto(`${daemon.url}/deployments/${v3!.id}/rollback`);
    expect(await main()).toContain('Warning: this undoes a rollback that already happened');
    expect(await main()).toMatch(/restore backup #\d+ from .* over the data written since then/);
  });

  it('says per table what a rollback to before v2 discards, and that the safety backup keeps it', async () => {
    const { page } = browser;
    const v2 = daemon.ctx.store.deployments.list().find((d) => d.tag === 'v2.0.0' && d.status === 'succeeded')!;
    await page.goto(`${daemon.url}/deployments/${v2.id}/rollback`);
    expect(await main()).toContain('Rolling back to before it brings back v1.0.0');
    const summary = (await page.locator('#impact-summary').textContent()) ?? '';
    expect(summary).toContain('the restore drops table public.categories; drops column priority of public.requests');
    expect(summary).toContain(
      'safety backup (the replaced database, dumped after the swap) keeps everything the restore discards',
    );
    const requests = page.locator('table.impact tr', { hasText: 'public.requests' });
    expect(await requests.locator('td').allTextContents()).toEqual(['50', '50', 'none']);
    await shots('rollback-confirm');
  });

  it('flags the failed v3 in the API, on Versions and on its plan, linking the failed deployment', async () => {
    const { page } = browser;
    const v3 = daemon.ctx.store.deployments.list().find((d) => d.tag === 'v3.0.0')!;
    const api = (await (
      await fetch(`${daemon.url}/api/system/versions`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).json()) as { versions: Array<{ ref: string; failed: { id: number; headline: string } | null }> };
    expect(api.versions.find((v) => v.ref === 'v3.0.0')?.failed).toMatchObject({
      id: v3.id,
      headline: expect.stringMatching(/^up: service backend is unhealthy/),
    });
    expect(api.versions.find((v) => v.ref === 'v1.0.0')?.failed).toBeNull();

    await page.goto(`${daemon.url}/versions`);
    const card = page.locator('article.card').filter({ has: page.locator('h2', { hasText: /^v3\.0\.0/ }) });
    expect(await card.locator('.failed-before').textContent()).toMatch(
      new RegExp(`failed before.*deployment #${v3.id}, failed .*up: service backend is unhealthy`),
    );
    expect(await card.getByRole('link', { name: `deployment #${v3.id}` }).getAttribute('href')).toBe(
      `/deployments/${v3.id}`,
    );
    expect(await page.locator('.failed-before').count()).toBe(1); // v1 and v2 never failed
    await shots('versions-failed');

    await page.goto(`${daemon.url}/deploy?ref=v3.0.0`);
    expect(await main()).toContain('Warning: v3.0.0 FAILED when it was last deployed');
    expect(
      await page
        .locator('main')
        .getByRole('link', { name: `deployment #${v3.id}` })
        .count(),
    ).toBe(1);
    expect(await page.getByRole('button', { name: 'Deploy v3.0.0 again (it failed before)' }).count()).toBe(1);
  });

  it("keeps the diagnosis of a rollback whose up fails, and words its backup and writes as the rollback's", async () => {
    const { page } = browser;
    const { store } = daemon.ctx;
    const v3 = store.deployments.list().find((d) => d.tag === 'v3.0.0')!;
    const v2 = store.deployments.list().find((d) => d.tag === 'v2.0.0' && d.status === 'succeeded')!;
    // v2's record made to say that v3's images ran before it: rolling back to before v2 starts the broken v3.
    const setPrevious = store.db.prepare('UPDATE deployments SET previous_images = ? WHERE id = ?');
    setPrevious.run(JSON.stringify(v3.images), v2.id);
    const r = await (
      await startRollback(daemon.ctx, { deploymentId: v2.id, mode: 'full', actor: 'test' })
    ).done.finally(() => setPrevious.run(JSON.stringify(v2.previousImages), v2.id));
    expect(r.status).toBe('rolled-back');

    await page.goto(`${daemon.url}/deployments/${r.id}`);
    const why = (await page.locator('#failure').textContent()) ?? '';
    expect(why).toContain('Why the rollback failed');
    expect(why).toContain('Step up failed: service backend is unhealthy: last health check exited 1');
    expect(await page.locator('#failure .container-log').textContent()).toContain('backend v3.0.0 starting');
    const rolledBack = (await page.locator('#rolled-back').textContent()) ?? '';
    expect(rolledBack).toContain('Database: put back as it was before the rollback');
    expect(rolledBack).toContain('Writes made during the rollback are in the database this replaced');
    expect(await main()).not.toMatch(/pre-deploy backup|during the deploy/i);
    // The safety backup is the replaced database dumped after health; undone by swapping that database back, the
    // failed rollback needed none.
    expect(await page.locator('#facts').textContent()).toMatch(/Safety backup\s*none/);
    await shots('rollback-failed-diagnosis');
  });

  it("shows the database and other unmanaged services, a link to the app, and times in the browser's zone with UTC on hover", async () => {
    const { page } = browser;
    const appUrl = `http://127.0.0.1:${daemon.sample.httpPort}/`;
    daemon.ctx.config.project.appUrl = appUrl; // as `project.appUrl` in the config file would set it
    await page.goto(`${daemon.url}/`);
    const others = (await page.locator('#other-services').textContent()) ?? '';
    expect(others).toContain('db');
    expect(others).toContain('redis');
    expect(await page.getByRole('link', { name: /Open the app/ }).getAttribute('href')).toBe(appUrl);
    const time = page.locator('time').first();
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await time.locator('.when').textContent()).toMatch(/GMT\+9|JST/);
    await shots('overview');
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      'rgb(255, 255, 255)',
    );
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      'rgb(21, 23, 28)',
    );
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('renders the drill report as a page: expected and restored rows per table, a sensible restore time, the Markdown to copy', async () => {
    const { page } = browser;
    const backup = daemon.ctx.store.backups.list({ status: 'ok' })[0]!;
    await page.goto(`${daemon.url}/backups/${backup.id}`);
    await Promise.all([
      page.waitForURL(`${daemon.url}/backups/${backup.id}`),
      page.getByRole('button', { name: 'Run a drill on this backup' }).click(),
    ]);
    await page.locator('#drill-tables').waitFor({ timeout: 60_000 });
    const requests = page.locator('#drill-tables tr', { hasText: 'public.requests' });
    const [expected, restored, match] = await requests.locator('td').allTextContents();
    expect(expected).toBe(restored);
    expect(match).toContain('same');
    expect(await page.locator('#restore-time').textContent()).toMatch(/^\d+\.\d+ s$|minutes \(\d+ s\)$/);
    expect(await page.locator('#drill-report').textContent()).toContain('**Data Verified**: yes');
    expect(await page.locator('#drill-report').textContent()).not.toContain('0.0 minutes');
    await shots('backup-drill');
    await page.goto(`${daemon.url}/backups`);
    await shots('backups');
  });

  it('ran every page without a script error or a content-security-policy violation', () => {
    expect(browser.errors).toEqual([]);
  });
});
