import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/users/manage.js';
import { launchBrowser, needChromium, type TestBrowser } from '../fixtures/browser.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { logIn, saveWeights, startUiDaemon, type UiDaemon } from './daemon.js';

const ready = needChromium() && need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

describe.runIf(ready)('web UI: people, roles and the Audit page in a real browser', () => {
  let daemon: UiDaemon;
  let browser: TestBrowser;
  let viewerToken: string;
  let operatorToken: string;
  const logOut = async () => {
    await browser.page.getByRole('button', { name: 'Log out' }).click();
    await browser.page.waitForURL(/\/login\?bye/);
  };

  beforeAll(async () => {
    [daemon, browser] = await Promise.all([startUiDaemon(['v1']), launchBrowser()]);
    const ports = {
      users: daemon.ctx.store.users,
      audit: daemon.ctx.store.audit,
      reservedNames: ['admin'],
      clock: daemon.ctx.clock,
    };
    viewerToken = addUser(ports, { name: 'vendor-vic', role: 'viewer', actor: 'cli:root' }).token;
    operatorToken = addUser(ports, { name: 'olga', role: 'operator', actor: 'cli:root' }).token;
  });
  afterAll(async () => {
    if (browser) {
      saveWeights(browser, 'audit');
      await browser.close();
    }
    await daemon?.stop();
  });

  it('an operator sees who is logged in, takes a backup, and the audit names her', async () => {
    const { page } = browser;
    await logIn(browser, daemon.url, operatorToken);
    await expect.poll(() => page.locator('header .who').textContent()).toMatch(/Logged in as\s*olga\s*\(operator\)/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups' }).click();
    await page.getByRole('button', { name: 'Take a backup now' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 })
      .toMatch(/taken and verified/);
    expect(daemon.ctx.store.backups.list({ status: 'ok' })[0]).toMatchObject({ actor: 'ui:olga' });
    expect(await page.getByRole('link', { name: /^Download/ }).count()).toBeGreaterThan(0);
    await logOut();
  });

  it('a viewer reads everything but sees no button her role may not use, and a forced request gets 403', async () => {
    const { page } = browser;
    await logIn(browser, daemon.url, viewerToken);
    await expect.poll(() => page.locator('header .who').textContent()).toMatch(/vendor-vic\s*\(viewer\)/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups' }).click();
    await page.getByRole('heading', { level: 1, name: 'Backups' }).waitFor();
    expect(await page.getByRole('button', { name: 'Take a backup now' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Download/ }).count()).toBe(0);
    const id = daemon.ctx.store.backups.list({ status: 'ok' })[0]!.id;
    await page
      .getByRole('link', { name: `#${id}` })
      .first()
      .click();
    await page.getByRole('heading', { level: 1, name: `Backup #${id}` }).waitFor();
    expect(await page.getByRole('button', { name: 'Run a drill on this backup' }).count()).toBe(0);
    await browser.screenshot('backup-as-viewer');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Versions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Versions' }).waitFor();
    expect(await page.getByRole('link', { name: /Review deploy/ }).count()).toBe(0);

    const download = await page.request.get(`${daemon.url}/backups/${id}/download`);
    expect(download.status()).toBe(403);
    const forced = await page.goto(`${daemon.url}/deploy?ref=v1`);
    expect(forced?.status()).toBe(403);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Your role (viewer) may not do this');
  });

  it('the Audit page lists who did what, filterable by person, action and outcome', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(4); // successful logins and logouts hidden by default
    await browser.screenshot('audit');

    await page.getByLabel('Person').selectOption('ui:olga');
    await page.getByLabel('Logins and logouts').check();
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/actor=ui%3Aolga/);
    const people = await page.locator('td[data-label="Person"]').allTextContents();
    expect(people.length).toBeGreaterThanOrEqual(3); // login, backup, logout
    expect(new Set(people)).toEqual(new Set(['ui:olga']));
    expect(await page.locator('td[data-label="Action"]').allTextContents()).toContain('backup.create');

    await page.getByLabel('Person').selectOption('');
    await page.getByLabel('Outcome').selectOption('refused');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/outcome=refused/);
    const refused = await page.locator('tbody tr').allTextContents();
    expect(
      refused.some((r) => r.includes('ui:vendor-vic') && r.includes('ui.forbidden') && r.includes('GET /deploy')),
    ).toBe(true);
    expect(refused.some((r) => r.includes('/download'))).toBe(true);
    expect(await page.locator('td[data-label="Outcome"]').allTextContents()).toEqual(refused.map(() => 'refused'));

    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Action').selectOption('user.add');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=user\.add/);
    expect((await page.locator('td[data-label="Target"]').allTextContents()).sort()).toEqual(['olga', 'vendor-vic']);
    await browser.screenshot('audit-filtered');
  });

  it('pages the log 50 at a time, newest first, hides successful logins unless asked, one line per time', async () => {
    const { page } = browser;
    for (let i = 0; i < 60; i++) daemon.ctx.store.audit.record({ actor: 'ui:olga', action: 'ui.login', outcome: 'ok' });
    for (let i = 0; i < 55; i++)
      daemon.ctx.store.audit.record({ actor: 'cli:root', action: 'backup.create', outcome: 'ok' });
    await page.goto(`${daemon.url}/audit`);
    const actions = () => page.locator('td[data-label="Action"]').allTextContents();
    expect(await actions()).toEqual(Array(50).fill('backup.create'));
    const when = page.locator('td[data-label="When"]').first();
    const lines = await when.evaluate(
      (td) => td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight),
    );
    expect(lines).toBeLessThan(2);
    await page.getByRole('link', { name: 'Older entries' }).click();
    await page.waitForURL(/before=\d+/);
    expect((await actions()).slice(0, 5)).toEqual(Array(5).fill('backup.create'));
    expect(await actions()).not.toContain('ui.login'); // successful logins stay hidden (none was refused here)
    expect(await actions()).toContain('ui.forbidden');
    await page.getByRole('link', { name: 'Newest' }).click();
    await page.getByLabel('Logins and logouts').check();
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/logins=show/);
    expect((await actions()).slice(0, 50)).toEqual([...Array(50).fill('backup.create')]);
    await page.getByRole('link', { name: 'Older entries' }).click();
    await page.waitForURL(/logins=show&before=\d+/);
    expect((await actions()).slice(0, 10)).toEqual([...Array(5).fill('backup.create'), ...Array(5).fill('ui.login')]);
    await browser.screenshot('audit-paged');
  });

  it('ran every page without a script error or a content-security-policy violation', () => {
    expect(browser.errors).toEqual([]);
  });
});
