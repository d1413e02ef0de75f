import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_STEPS } from '../../src/domain/steps.js';
import { launchBrowser, needChromium, type TestBrowser } from '../fixtures/browser.js';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { logIn, saveWeights, startUiDaemon, type UiDaemon } from './daemon.js';

const ready = needChromium() && need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

describe.runIf(ready)('web UI: deploy, automatic rollback and rollback from History in a real browser', () => {
  let daemon: UiDaemon;
  let browser: TestBrowser;
  const head = () => run('git', ['-C', daemon.sample.dir, 'rev-parse', 'HEAD']).trim();
  const nav = (name: string) => browser.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  const outcome = () => browser.page.locator('#outcome').getAttribute('data-status');

  /** From the plan page: confirm, land on the progress page, return the new deployment's id. */
  async function confirmDeploy(label: string): Promise<number> {
    const { page } = browser;
    await Promise.all([
      page.waitForURL(/\/deployments\/\d+$/),
      page.getByRole('button', { name: `Deploy ${label}` }).click(),
    ]);
    return Number(/\/deployments\/(\d+)$/.exec(page.url())![1]);
  }

  beforeAll(async () => {
    [daemon, browser] = await Promise.all([startUiDaemon(['v1', 'v2', 'v3']), launchBrowser()]);
    await logIn(browser, daemon.url);
  });
  afterAll(async () => {
    if (browser) {
      saveWeights(browser, 'deploy');
      await browser.close();
    }
    await daemon?.stop();
  });

  it('deploys v2 from the Versions page after showing what the deploy will do, and follows it live to success', async () => {
    const { page } = browser;
    await nav('Versions').click();
    await expect.poll(() => page.locator('ol.cards > li').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('main').textContent()).toContain('feat');
    await browser.screenshot('versions');

    await page.getByRole('link', { name: 'Review deploy of v2.0.0' }).click();
    const plan = (await page.locator('main').textContent()) ?? '';
    for (const part of [
      'Pull images',
      'Take a verified backup',
      'restart',
      'worker: stop-first (no healthcheck in the compose file to wait for): stopped, then started again',
      'only if the new version changed the schema',
      'no CI checks',
    ])
      expect(plan).toContain(part);
    await browser.screenshot('deploy-plan');

    const stream = page.waitForRequest((r) => /\/deployments\/\d+\/events$/.test(r.url()));
    const id = await confirmDeploy('v2.0.0');
    // The page follows the event stream (nobody reloads it here): steps appear while it runs, the outcome at the end.
    await stream;
    await expect.poll(() => page.locator('#steps tr').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await browser.screenshot('progress-running');
    await expect.poll(outcome, { timeout: 90_000, interval: 500 }).toBe('succeeded');
    const steps = await page.locator('#steps th').allTextContents();
    expect(steps).toEqual([...DEPLOY_STEPS]);
    expect(await page.locator('#log').textContent()).not.toBe(''); // compose output, kept for reloads
    await browser.screenshot('progress-succeeded');
    expect(daemon.ctx.store.deployments.get(id)).toMatchObject({
      status: 'succeeded',
      actor: 'ui:admin',
      tag: 'v2.0.0',
    });
    expect(head()).toBe(daemon.sample.commits.v2);

    // Another browser (a fresh page) sees the same state.
    const other = await browser.context.newPage();
    await other.goto(`${daemon.url}/deployments/${id}`);
    expect(await other.locator('#outcome').getAttribute('data-status')).toBe('succeeded');
    expect(await other.locator('#steps th').allTextContents()).toEqual(steps);
    await other.close();
  });

  it('shows a busy host (409) as a one-line message and starts nothing', async () => {
    const { page } = browser;
    // The page was loaded before the other operation began (a page loaded during it says so and offers no button).
    await page.goto(`${daemon.url}/deploy?ref=v1.0.0`);
    const release = daemon.ctx.store.lock.acquire('backup (manual)');
    try {
      await page.getByRole('button', { name: 'Deploy v1.0.0' }).click();
      await expect
        .poll(() => page.getByRole('alert').first().textContent())
        .toContain('Another operation is running: backup (manual)');
      expect(new URL(page.url()).pathname).toBe('/deploy');
    } finally {
      release();
    }
    expect(daemon.ctx.store.deployments.list().length).toBe(1);
  });

  it('deploys the broken v3 and shows the automatic rollback, database included', async () => {
    const { page } = browser;
    await page.goto(`${daemon.url}/deploy?ref=v3.0.0`);
    const id = await confirmDeploy('v3.0.0');
    await expect.poll(outcome, { timeout: 120_000, interval: 500 }).toBe('rolled-back');
    const rolledBack = (await page.locator('#rolled-back').textContent()) ?? '';
    expect(rolledBack).toContain('Images:');
    expect(rolledBack).toContain('Database: restored from the pre-deploy backup');
    expect(rolledBack).toContain('Health: the previous version is running and healthy');
    await browser.screenshot('progress-rolled-back');
    expect(daemon.ctx.store.deployments.get(id)?.status).toBe('rolled-back');
    expect(head()).toBe(daemon.sample.commits.v2);
  });

  it('rolls back from History to before the v2 deploy, after a confirmation that says what is lost', async () => {
    const { page } = browser;
    const v2 = daemon.ctx.store.deployments.list().find((d) => d.tag === 'v2.0.0' && d.status === 'succeeded')!;
    await nav('History').click();
    await browser.screenshot('history');
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot('history-phone');
    await page.setViewportSize({ width: 1200, height: 900 });
    await page
      .locator(`#deployment-${v2.id}`)
      .getByRole('link', { name: /Roll back to before this/ })
      .click();
    const confirm = (await page.locator('main').textContent()) ?? '';
    expect(confirm).toContain('Database writes since');
    expect(confirm).toContain('safety backup');
    // The carry-over choice, the configured default (inserts) checked.
    expect(await page.getByLabel(/Keep them where they fit/).isChecked()).toBe(true);
    expect(await page.getByLabel(/Discard them/).isChecked()).toBe(false);
    daemon.sample.psql(`INSERT INTO requests (title) VALUES ('filed just before the rollback')`);
    expect(await page.getByLabel(/Images only/).isEnabled()).toBe(true);
    expect(await page.getByLabel(/Database only/).isEnabled()).toBe(true);
    await browser.screenshot('rollback-confirm');

    await page.getByLabel(/Images and database/).check();
    await page.getByLabel(/I understand/).check();
    await Promise.all([
      page.waitForURL(/\/deployments\/\d+$/),
      page.getByRole('button', { name: 'Roll back now' }).click(),
    ]);
    await expect.poll(outcome, { timeout: 90_000, interval: 500 }).toBe('succeeded');
    await browser.screenshot('progress-rollback');
    // Done at health; its safety backup (the replaced database, dumped while the app serves) is recorded after.
    const done = async () => daemon.ctx.store.deployments.list()[0]?.backupId ?? null;
    await expect.poll(done, { timeout: 90_000, interval: 500 }).not.toBeNull();
    const rollback = daemon.ctx.store.deployments.list()[0]!;
    expect(rollback).toMatchObject({ kind: 'rollback', rollbackOf: v2.id, status: 'succeeded', actor: 'ui:admin' });
    expect(daemon.ctx.store.backups.get(rollback.backupId!)?.reason).toBe('pre-rollback');
    expect(head()).toBe(daemon.sample.commits.v1);
    // The resident's row was carried, and the rollback's page reports it, with the leftovers file to download.
    expect(daemon.sample.psql(`SELECT count(*) FROM requests WHERE title = 'filed just before the rollback'`)).toBe(
      '1',
    );
    const report = (await page.locator('#carry-title').locator('..').textContent()) ?? '';
    expect(report).toMatch(/public\.requests\s*1\s*0/);
    const leftovers = await page.request.get(`${page.url()}/leftovers`);
    expect(leftovers.status(), await leftovers.text()).toBe(200);
    expect(await leftovers.text()).toContain('-- public.requests: carried 1, left over 0');

    await nav('Overview').click();
    await browser.screenshot('overview-after');
  });

  it('ran every page without a script error or a content-security-policy violation', () => {
    expect(browser.errors).toEqual([]);
  });
});
