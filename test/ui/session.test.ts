import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, needChromium, type TestBrowser } from '../fixtures/browser.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { logIn, saveWeights, startUiDaemon, TOKEN, type UiDaemon } from './daemon.js';

const ready = needChromium() && need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

describe.runIf(ready)('web UI: login, sessions, CSRF and backups in a real browser', () => {
  let daemon: UiDaemon;
  let browser: TestBrowser;
  const heading = () => browser.page.getByRole('heading', { level: 1 }).textContent();

  beforeAll(async () => {
    [daemon, browser] = await Promise.all([startUiDaemon(['v1']), launchBrowser()]);
  });
  afterAll(async () => {
    if (browser) {
      saveWeights(browser, 'session');
      await browser.close();
    }
    await daemon?.stop();
  });

  it('sends a visitor to the login page and refuses a wrong token', async () => {
    const { page } = browser;
    await page.goto(`${daemon.url}/backups`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await browser.screenshot('login');
    await page.getByLabel('Token', { exact: true }).fill('not-the-token-at-all');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Log in' }).click(),
    ]);
    expect(answer.status()).toBe(401);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That token is not valid');
    expect(await browser.context.cookies()).toEqual([]);
    await browser.screenshot('login-refused');
  });

  it('logs in with the admin token into a HttpOnly, SameSite=Strict session', async () => {
    await logIn(browser, daemon.url);
    const [cookie] = await browser.context.cookies();
    expect(cookie).toMatchObject({ name: 'switchyard_session', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(daemon.ctx.store.audit.list(5).map((a) => `${a.actor} ${a.action} ${a.outcome}`)).toContain(
      'ui:admin ui.login ok',
    );
    await expect.poll(() => browser.page.locator('main').textContent()).toContain('Free space in');
    await browser.screenshot('overview');
    await browser.page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot('overview-phone');
    await browser.page.setViewportSize({ width: 1200, height: 900 });
  });

  it('takes a backup and downloads it; the file matches the catalog sha256', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups' }).click();
    await page.getByLabel('Note (optional)').fill('before the council meeting');
    await page.getByRole('button', { name: 'Take a backup now' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 })
      .toMatch(/Backup #\d+ .* taken and verified/);
    const backup = daemon.ctx.store.backups.list({ status: 'ok' })[0]!;
    expect(backup).toMatchObject({ reason: 'manual', note: 'before the council meeting', actor: 'ui:admin' });
    await browser.screenshot('backups');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `Download backup #${backup.id}` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(backup.fileName);
    const saved = await download.path();
    expect(createHash('sha256').update(fs.readFileSync(saved)).digest('hex')).toBe(backup.sha256);
  });

  it('runs a restore drill on a backup and shows its report', async () => {
    const { page } = browser;
    const backup = daemon.ctx.store.backups.list({ status: 'ok' })[0]!;
    await page.goto(`${daemon.url}/backups/${backup.id}`);
    await page.getByRole('button', { name: 'Run a drill on this backup' }).click();
    await expect
      .poll(() => page.locator('#drill-report').textContent(), { timeout: 60_000 })
      .toContain('**Data Verified**: yes');
    expect(await page.locator('#sha256').textContent()).toBe(backup.sha256);
    await browser.screenshot('backup-detail');
  });

  it('refuses a state-changing request without the CSRF token, and serves nothing without a session', async () => {
    const before = daemon.ctx.store.backups.list().length;
    // page.request carries the browser's session cookie, like a forged form on another tab would.
    const forged = await browser.page.request.post(`${daemon.url}/backups`, {
      form: { note: 'forged' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('security token');
    const wrong = await browser.page.request.post(`${daemon.url}/backups`, {
      form: { note: 'forged', _csrf: 'guessed' },
      maxRedirects: 0,
    });
    expect(wrong.status()).toBe(403);
    const crossSite = await browser.page.request.post(`${daemon.url}/logout`, {
      form: {},
      headers: { 'Sec-Fetch-Site': 'cross-site' },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);
    expect(daemon.ctx.store.backups.list().length).toBe(before);

    const id = daemon.ctx.store.backups.list({ status: 'ok' })[0]!.id;
    const anonymous = await fetch(`${daemon.url}/backups/${id}/download`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/backups/${id}/download`)}`);
    // The API keeps its Bearer tokens, and a session cookie is not one.
    const api = await fetch(`${daemon.url}/api/system/backups`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(api.status).toBe(200);
    const cookieOnly = await browser.page.request.get(`${daemon.url}/api/system/backups`);
    expect(cookieOnly.status()).toBe(401);
  });

  it('logs out, after which pages need a login again', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login\?bye/);
    expect(await page.getByRole('status').textContent()).toContain('You are logged out');
    await page.goto(`${daemon.url}/history`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await heading()).toBe('Log in');
  });

  it('slows failed logins after five in a minute (429 + Retry-After), and still lets the right token in', async () => {
    const attempt = (token: string) =>
      browser.page.request.post(`${daemon.url}/login`, { form: { token }, maxRedirects: 0 });
    // One failure already happened in the first test.
    for (let i = 0; i < 4; i++) expect((await attempt(`wrong-token-${i}`)).status()).toBe(401);
    const started = Date.now();
    const limited = await attempt('wrong-token-again');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(limited.status()).toBe(429);
    expect(Number(limited.headers()['retry-after'])).toBeGreaterThan(0);
    expect(await limited.text()).toContain('each answer is slower');
    expect((await attempt(TOKEN)).status()).toBe(303);
  });

  it('ran every page without a script error or a content-security-policy violation', () => {
    expect(browser.errors).toEqual([]);
  });
});
