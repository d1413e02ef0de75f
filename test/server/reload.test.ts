import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../fixtures/cli.js';
import { freePort } from '../fixtures/env.js';

const TOKENS = {
  ops: 'reload-ops-token-0123456789',
  ci: 'reload-ci-token-0123456789',
  view: 'reload-view-token-012345',
};
const ROLE = { ops: 'admin', ci: 'viewer', view: 'viewer' } as const;
type Name = keyof typeof TOKENS;
const hash = (t: string) => createHash('sha256').update(t).digest('hex');

/**
 * The real daemon process (`switchyard serve`, no admin token in its environment, only config tokens),
 * reached from 127.0.0.1 like every local client: a reload takes tokens away, and wrong tokens from the
 * shared address never keep a right one out.
 */
describe('the daemon: tokens across a reload, and wrong tokens from a shared address', () => {
  let dir: string;
  let config: string;
  let url: string;
  let daemon: ChildProcess;
  let log = '';
  const until = async (what: () => boolean, label: string) => {
    const end = Date.now() + 20_000;
    while (!what()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${label}; log: ${log.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const writeConfig = (names: Name[], port: number) =>
    fs.writeFileSync(
      config,
      [
        `project: { dir: ${dir} }`,
        `database: { url: "postgres://app:pw-reload@127.0.0.1:1/app" }`,
        `stateDir: ${dir}/state`,
        `backups: { dir: ${dir}/backups }`,
        `server:`,
        `  listen: "127.0.0.1:${port}"`,
        `  tokens: [${names.map((n) => `{ name: ${n}, role: ${ROLE[n]}, sha256: "${hash(TOKENS[n])}" }`).join(', ')}]`,
      ].join('\n'),
    );
  const reload = async (names: Name[], expected: string) => {
    const before = log.split(expected).length;
    writeConfig(names, Number(new URL(url).port));
    daemon.kill('SIGHUP');
    await until(() => log.split(expected).length > before, expected);
  };
  const api = (route: string, token: string) =>
    fetch(`${url}/api/system/${route}`, { headers: { Authorization: `Bearer ${token}` } });
  const login = (token: string) =>
    fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
  const page = (cookie: string) => fetch(`${url}/`, { headers: { cookie }, redirect: 'manual' });
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const started = Date.now();
    const value = await f();
    return [value, Date.now() - started];
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-reload-'));
    fs.mkdirSync(path.join(dir, 'project'));
    config = path.join(dir, 'config.yaml');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeConfig(['ops', 'ci', 'view'], port);
    const { SWITCHYARD_ADMIN_TOKEN: _, ...env } = process.env;
    daemon = spawn(process.execPath, [CLI, 'serve', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout!.on('data', (c: Buffer) => (log += c));
    daemon.stderr!.on('data', (c: Buffer) => (log += c));
    await until(() => log.includes('"msg":"switchyard listening"'), 'the daemon to listen');
  });
  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes a removed token away at a reload (API and UI session), keeps the others, and refuses a config with none', async () => {
    expect((await api('whoami', TOKENS.ci)).status).toBe(200);
    const ciSession = cookieOf(await login(TOKENS.ci));
    const opsSession = cookieOf(await login(TOKENS.ops));
    expect((await page(ciSession)).status).toBe(200);

    await reload(['ops', 'view'], '"msg":"config reloaded"');
    expect((await api('whoami', TOKENS.ci)).status).toBe(401);
    expect((await api('deployments', TOKENS.ci)).status).toBe(401);
    const kept = await api('whoami', TOKENS.ops);
    expect(kept.status).toBe(200);
    expect(await kept.json()).toEqual({ name: 'ops', role: 'admin', kind: 'token' }); // no credential served
    const ended = await page(ciSession);
    expect(ended.status).toBe(303);
    expect(ended.headers.get('location')).toBe('/login?next=%2F');
    expect((await page(opsSession)).status).toBe(200);

    // A config that leaves no token is refused whole: the running tokens stay.
    await reload([], '"msg":"config reload refused; keeping the running config"');
    expect(log).toMatch(/no API token: set SWITCHYARD_ADMIN_TOKEN or server.tokens/);
    expect((await api('whoami', TOKENS.ops)).status).toBe(200);
    expect((await api('whoami', TOKENS.view)).status).toBe(200);
    for (const secret of Object.values(TOKENS)) expect(log).not.toContain(secret);
  });

  it('slows and audits many wrong tokens from 127.0.0.1 (401, then 429 after 1 s, 2 s), and lets the right one in at once', async () => {
    const statuses: number[] = [];
    const took: number[] = [];
    // The removed token's two tries above were failures from this address too: 3 more are allowed.
    for (let i = 0; i < 5; i++) {
      const [res, ms] = await timed(() => api('whoami', `wrong-token-number-${i}`));
      statuses.push(res.status);
      took.push(ms);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(took[3]).toBeGreaterThanOrEqual(950);
    expect(took[4]).toBeGreaterThanOrEqual(1950);

    const [right, ms] = await timed(() => api('whoami', TOKENS.ops));
    expect(right.status).toBe(200);
    expect(ms).toBeLessThan(500);

    const audit = (await (await api('audit?actor=api&outcome=refused', TOKENS.ops)).json()) as {
      audit: Array<{ action: string; detail: string }>;
    };
    const failures = audit.audit.filter((a) => a.action === 'api.auth');
    expect(failures).toHaveLength(5 + 2);
    expect(failures.every((a) => a.detail === 'invalid token from 127.0.0.1')).toBe(true);
    expect(audit.audit.filter((a) => a.action === 'api.auth.rate-limited')).toHaveLength(1);
  });

  it('logs in with a right token after many failed logins, and 1000 logins of one viewer leave the admin session', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login(`wrong-login-token-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const admin = await login(TOKENS.ops);
    expect(admin.status).toBe(303);
    const adminSession = cookieOf(admin);
    expect((await page(adminSession)).status).toBe(200);

    const viewerSessions: string[] = [];
    for (let batch = 0; batch < 100; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => login(TOKENS.view)));
      for (const a of answers) viewerSessions.push(cookieOf(a));
    }
    expect((await page(adminSession)).status).toBe(200);
    expect((await page(viewerSessions.at(-1)!)).status).toBe(200);
    expect((await page(viewerSessions[0]!)).status).toBe(303); // the viewer's own oldest went

    const audit = (await (await api('audit?actor=ui&outcome=refused', TOKENS.ops)).json()) as {
      audit: Array<{ action: string }>;
    };
    expect(audit.audit.filter((a) => a.action === 'ui.login')).toHaveLength(7);
    expect(audit.audit.filter((a) => a.action === 'ui.login.rate-limited')).toHaveLength(1);
  });
});
