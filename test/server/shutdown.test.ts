import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTION_GRACE_MS } from '../../src/server/shutdown.js';
import { CLI } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { freePort } from '../fixtures/env.js';

const TOKEN = 'shutdown-test-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

/**
 * The real daemon with a FIFO where a catalogued dump should be (as a probe left it): each
 * download is refused at once instead of holding one of Node's four worker threads for good,
 * so the daemon keeps answering, and SIGTERM ends it within the grace given to open requests,
 * a download whose client stopped reading included.
 */
describe('the daemon with a FIFO in the backups folder, and hanging requests', () => {
  let ctx: TestContext;
  let daemon: ChildProcess | undefined;
  let url: string;
  let log = '';
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    ctx = testContext({
      database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }',
      extra: `server: { listen: "127.0.0.1:${port}" }`,
    });
    const backups = ctx.config.backups.dir;
    fs.mkdirSync(backups, { mode: 0o700 });
    const catalogue = (fileName: string) =>
      ctx.store.backups.adopt({
        fileName,
        databaseName: 'app',
        reason: 'manual',
        note: null,
        actor: 'test',
        createdAt: '2026-01-01T00:00:00.000Z',
        sizeBytes: 1,
        sha256: 'f'.repeat(64),
        serverVersion: '15',
        rowCounts: {},
        schemaFingerprint: 'x',
      });
    ids.fifo = catalogue('20260101T000000Z_app_manual.dump');
    ids.large = catalogue('20260101T000001Z_app_manual.dump');
    execFileSync('mkfifo', ['--', path.join(backups, '20260101T000000Z_app_manual.dump')]); // nobody writes to it
    fs.writeFileSync(path.join(backups, '20260101T000001Z_app_manual.dump'), Buffer.alloc(64 << 20)); // > socket buffers

    daemon = spawn(process.execPath, [CLI, 'serve', '--config', ctx.configFile], {
      env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout!.on('data', (c: Buffer) => (log += c));
    daemon.stderr!.on('data', (c: Buffer) => (log += c));
    const end = Date.now() + 20_000;
    while (!log.includes('switchyard listening')) {
      if (Date.now() > end || daemon.exitCode !== null) throw new Error(`daemon did not start: ${log.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(() => {
    daemon?.kill('SIGKILL');
    ctx?.cleanup();
  });

  it('refuses the FIFO at once, five times over, and keeps answering the health check and the UI assets', async () => {
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${url}/api/system/backups/${ids.fifo}/download`, { headers: auth, signal: AbortSignal.timeout(10_000) }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(10_000); // before: never (the tests share a loaded host)
    for (const res of answers) {
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /20260101T000000Z_app_manual\.dump is a FIFO, not a regular file; refusing to read it$/,
      );
    }
    const health = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(200);
    const css = await fetch(`${url}/assets/app.css`, { signal: AbortSignal.timeout(10_000) });
    expect(css.status).toBe(200);
    expect((await css.text()).length).toBeGreaterThan(100);
  });

  it(`ends on SIGTERM within the ${CONNECTION_GRACE_MS / 1000} s grace, a download nobody reads still open`, async () => {
    // A download whose client reads nothing: the daemon's writes stop once the socket buffers are full.
    const stalled = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(`${url}/api/system/backups/${ids.large}/download`, { headers: auth }, (res) => {
        res.pause();
        resolve(res);
      });
      req.once('error', reject);
    });
    expect(stalled.statusCode).toBe(200);
    stalled.once('error', () => {}); // the daemon cuts it when the grace is over
    const failedRequest = fetch(`${url}/api/system/backups/${ids.fifo}/download`, { headers: auth });
    expect((await failedRequest).status).toBe(500);

    const exited = new Promise<number | null>((resolve) => daemon!.once('exit', (code) => resolve(code)));
    const started = performance.now();
    daemon!.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    const seconds = (performance.now() - started) / 1000;
    expect(code, log.slice(-800)).toBe(0);
    expect(seconds).toBeLessThan(CONNECTION_GRACE_MS / 1000 + 5); // the grace, with room for a loaded host
    // New connections were refused from the signal on.
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  }, 30_000);
});
