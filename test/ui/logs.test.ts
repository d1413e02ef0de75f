import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, userPortsOf } from '../../src/users/manage.js';
import { launchBrowser, needChromium, type TestBrowser } from '../fixtures/browser.js';
import { CLI, switchyard } from '../fixtures/cli.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { logIn, saveWeights, screenshotEveryWay, startUiDaemon, TOKEN, type UiDaemon } from './daemon.js';

const ready = needChromium() && need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/**
 * Issue 27, "Operators always know": a service's container log (page live over SSE, API, CLI) with
 * configured secrets masked, and the admin's Users page. Real daemon, real containers, real Chromium.
 * Pages are saved at 1280 and 390 px, light and dark (test/ui/screenshots/<name>-<width>-<scheme>.png).
 */
describe.runIf(ready)('web UI: Logs (live) and Users, with the API and the CLI beside them', () => {
  let daemon: UiDaemon;
  let browser: TestBrowser;
  let viewerToken: string;
  let closedByTest = false;
  const api = (path: string, token = TOKEN) =>
    fetch(`${daemon.url}/api/system${path}`, { headers: { Authorization: `Bearer ${token}` } });
  /** A line written to the backend container's log (its PID 1's stdout), as the app itself would. */
  const writeToBackendLog = (line: string) =>
    daemon.sample.compose(['exec', '-T', 'backend', 'bash', '-c', `echo "${line}" > /proc/1/fd/1`]);

  const shots = (name: string) => screenshotEveryWay(browser, name);

  beforeAll(async () => {
    [daemon, browser] = await Promise.all([startUiDaemon(['v1']), launchBrowser()]);
    viewerToken = addUser(userPortsOf(daemon.ctx, []), { name: 'vera', role: 'viewer', actor: 'cli:root' }).token;
  });
  afterAll(async () => {
    if (browser) {
      saveWeights(browser, 'logs');
      await browser.close();
    }
    if (closedByTest) {
      daemon.ctx.cleanup();
      daemon.sample.cleanup();
    } else await daemon?.stop();
  });

  it('the API answers the last lines, secrets masked; an unknown service is a 404 naming it, a bad tail a 400', async () => {
    writeToBackendLog(`api check with ${TOKEN} inside`);
    let body = { lines: [] as string[], container: '' };
    await expect
      .poll(async () => {
        const res = await api('/services/backend/logs?tail=5', viewerToken);
        expect(res.status).toBe(200);
        body = (await res.json()) as typeof body;
        return body.lines.at(-1);
      })
      .toBe('api check with *** inside');
    expect(body.lines.length).toBeLessThanOrEqual(5);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    // The database is a compose service switchyard does not deploy: its log is there too.
    expect(((await (await api('/services/db/logs')).json()) as { lines: string[] }).lines.length).toBeGreaterThan(0);

    const unknown = await api('/services/nginx/logs');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: 'no service "nginx" in the compose project (its services: backend, db, redis, worker)',
    });
    const bad = await api('/services/backend/logs?tail=100000');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^tail: expected a whole number/);
  });

  it('switchyard logs prints the last lines masked, and refuses an unknown service with exit 66', async () => {
    const cli = (...args: string[]) =>
      switchyard(['logs', ...args, '--config', daemon.ctx.configFile], { SWITCHYARD_ADMIN_TOKEN: TOKEN });
    const r = await cli('backend', '--tail', '3');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.at(-1)).toBe('api check with *** inside');
    const missing = await cli('nginx');
    expect(missing.code).toBe(66);
    expect(missing.stderr.trim()).toBe(
      'switchyard logs: no service "nginx" in the compose project (its services: backend, db, redis, worker)',
    );
    expect((await cli('backend', '--tail', 'x')).code).toBe(64);
  });

  it('switchyard logs --follow prints new lines as they come, masked, and Ctrl-C ends it with exit 0', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'logs', 'backend', '--follow', '--tail', '1', '--config', daemon.ctx.configFile],
      {
        env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await expect.poll(() => out.length, { timeout: 30_000 }).toBeGreaterThan(0); // the tail line: it is following
    writeToBackendLog(`cli follow with ${TOKEN}`);
    await expect.poll(() => out, { timeout: 30_000 }).toContain('cli follow with ***\n');
    expect(out).not.toContain(TOKEN);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('a viewer follows a container on the Logs page: new lines appear, secrets masked; no Users link, /users is 403', async () => {
    const { page } = browser;
    await logIn(browser, daemon.url, viewerToken);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await page.getByRole('navigation', { name: 'Services' }).getByRole('link', { name: 'backend' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logs: backend' }).waitFor();
    const log = page.locator('#log');
    await expect.poll(() => log.textContent()).toContain('api check with *** inside');

    const opened = Date.now();
    writeToBackendLog(`followed line 1 with ${TOKEN}`);
    writeToBackendLog('followed line 2');
    await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain('followed line 2');
    const text = (await log.textContent()) ?? '';
    expect(text).toContain('followed line 1 with ***');
    expect(text).not.toContain(TOKEN);
    expect(text.split('followed line 1').length).toBe(2); // once: the stream's replay replaced the server's lines
    console.log(`logs page: a new line shown ${Date.now() - opened} ms after it was written (two execs included)`);
    await shots('logs');

    const forced = await page.goto(`${daemon.url}/users`);
    expect(forced?.status()).toBe(403);
  });

  it('an admin adds a user (token shown once), changes the role and removes them, audited as ui:admin', async () => {
    const { page } = browser;
    await page.context().clearCookies();
    await logIn(browser, daemon.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('nina');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Add user' }).click();
    const token = await page.getByLabel('Token of nina').inputValue();
    expect(token).toMatch(/^sy_[A-Za-z0-9_-]{40,}$/);
    await shots('users-added');
    expect(await (await api('/whoami', token)).json()).toEqual({ name: 'nina', role: 'operator', kind: 'user' });

    await page.goto(`${daemon.url}/users`);
    expect(await page.locator('main').textContent()).not.toContain(token); // shown once only
    await page.getByLabel('Role of nina', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Change the role of nina' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('nina is now viewer');
    expect(await (await api('/whoami', token)).json()).toMatchObject({ role: 'viewer' });

    await page.getByLabel('Name', { exact: true }).fill('nina');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/user nina already exists/i);
    await shots('users');

    await page.getByRole('button', { name: 'Remove nina' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('User nina removed');
    expect((await api('/whoami', token)).status).toBe(401);
    const audit = daemon.ctx.store.audit.list(20, { actor: 'ui:admin' }).filter((e) => e.target === 'nina');
    expect(audit.map((e) => [e.action, e.detail])).toEqual([
      ['user.remove', null],
      ['user.role', 'operator → viewer'],
      ['user.add', 'role operator'],
    ]);
  });

  it('the daemon closing ends a followed log at once, and the page is told', async () => {
    const { page } = browser;
    await page.goto(`${daemon.url}/logs/worker`);
    await page.getByRole('heading', { level: 1, name: 'Logs: worker' }).waitFor();
    await page.waitForTimeout(500); // the stream is open
    const started = Date.now();
    closedByTest = true;
    const closed = daemon.server.close().then(() => Date.now() - started);
    // Ended by the daemon, not cut when the server gives up on open connections (5 s): the page gets `end`.
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 3000 }).toContain('The log ended');
    const told = Date.now() - started;
    const took = await closed;
    console.log(`a followed log ended ${told} ms after the daemon began closing; closed in ${took} ms`);
    expect(told).toBeLessThan(3000);
    expect(took).toBeLessThan(6500);
  });

  it('ran every page without a script error or a content-security-policy violation', () => {
    expect(browser.errors).toEqual([]);
  });
});
