import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/main/http.js';
import { startServer } from '../../src/main/daemon.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { SAMPLE_SCHEMA } from '../fixtures/data.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';

const TOKEN = 'security-test-admin-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'Content-Type': 'application/json' };

describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('a database password with a raw "@"', () => {
  let pg: PgCluster;
  let ctx: TestContext;
  let broken: TestContext;
  const tail = `TailSecret99${Math.random().toString(36).slice(2, 8)}`;
  const password = `Hidden@${tail}`;

  beforeAll(async () => {
    pg = await startPgCluster();
    pg.createDatabase('app');
    pg.psql('app', SAMPLE_SCHEMA);
    pg.psql('app', `CREATE ROLE atuser LOGIN SUPERUSER PASSWORD '${password}'`);
    // Written raw, as the probe did: the URL parser takes the LAST "@" as the end of the user info.
    const url = `postgres://atuser:${password}@127.0.0.1:${pg.port}/app`;
    ctx = testContext({ database: `{ url: ${JSON.stringify(url)} }` });
    broken = testContext({ database: `{ url: ${JSON.stringify(url.replace(`:${pg.port}/`, ':1/'))} }` });
  });
  afterAll(async () => {
    ctx?.cleanup();
    broken?.cleanup();
    await pg?.stop();
  });

  it('works, and appears in no log line, API answer, catalog row, audit detail, error or `switchyard config`', async () => {
    const app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
    const created = await app.request('/api/system/backups/create', { method: 'POST', headers: auth });
    expect(created.status).toBe(201);

    const badApp = createHttpApp(
      broken,
      resolveTokens(broken.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, broken.redactor),
    );
    const failed = await badApp.request('/api/system/backups/create', { method: 'POST', headers: auth });
    expect(failed.status).toBe(500);
    const failedBody = await failed.text();
    expect(failedBody).toContain('***');

    const answers = await Promise.all(
      ['/api/system/backups', '/api/system/audit', '/api/system/backups/1'].flatMap((p) =>
        [app, badApp].map(async (a) => (await a.request(p, { headers: auth })).text()),
      ),
    );
    const catalog = JSON.stringify([
      ctx.store.db.prepare('SELECT * FROM backups').all(),
      broken.store.db.prepare('SELECT * FROM backups').all(),
    ]);
    const audit = JSON.stringify([ctx.store.audit.list(), broken.store.audit.list()]);
    const config = await switchyard(['config', '--config', ctx.configFile]);
    const configJson = await switchyard(['config', '--json', '--config', ctx.configFile]);
    expect(config.code).toBe(0);
    expect(config.stdout).toContain(`postgres://atuser:***@127.0.0.1:${pg.port}/app`);
    expect(ctx.logLines.some((l) => l.includes('backup'))).toBe(true);
    expect(broken.store.backups.list()[0]?.error).toMatch(/\*\*\*/);

    const everything = [
      await created.text(),
      failedBody,
      ...answers,
      catalog,
      audit,
      config.stdout,
      configJson.stdout,
      ...ctx.logLines,
      ...broken.logLines,
    ].join('\n');
    expect(everything).not.toContain(tail);
    expect(everything).not.toContain('Hidden');
  });
});

describe('API input, size, guessing and ids', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createHttpApp>;
  beforeAll(() => {
    ctx = testContext({
      database: '{ url: "postgres://u:pw-secret@127.0.0.1:1/app" }',
      extra: 'server: { listen: "127.0.0.1:0" }',
    });
    app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
  });
  afterAll(() => ctx?.cleanup());

  it.each([
    ['a number for the note', '/api/system/backups/create', '{"note":5}', 'note: expected string, got number'],
    ['a list for the body', '/api/system/backups/create', '[]', '(top level): expected object, got array'],
    ['a string for the backup id', '/api/system/drills', '{"backupId":"7"}', 'backupId: expected number, got string'],
    ['null for the ref', '/api/system/deployments', '{"ref":null}', 'ref: expected string, got null'],
  ])('says what it expected and what it got for %s', async (_what, path, body, message) => {
    const res = await app.request(path, { method: 'POST', headers: json, body });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe(message);
  });

  it('refuses ids beyond Number.MAX_SAFE_INTEGER instead of rounding them', async () => {
    for (const path of ['/api/system/backups/9999999999999999', '/api/system/deployments/9007199254740993']) {
      const res = await app.request(path, { headers: auth });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/must be a positive integer up to 9007199254740991/);
    }
    const drill = await app.request('/api/system/drills', {
      method: 'POST',
      headers: json,
      body: '{"backupId":9999999999999999}',
    });
    expect(drill.status).toBe(400);
    expect((await drill.json()).error).toMatch(/^backupId: /);
  });

  it('answers 413 to a body over 64 KB, by Content-Length and by counting a stream, and does nothing', async () => {
    const big = JSON.stringify({ note: 'x'.repeat(64 * 1024) });
    const sized = await app.request('/api/system/backups/create', { method: 'POST', headers: json, body: big });
    expect(sized.status).toBe(413);
    expect((await sized.json()).error).toMatch(/over 64 KB/);

    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(32));
        if (sent > 10 * 1024 * 1024) controller.close();
      },
    });
    const streamed = await app.request('/api/system/backups/create', {
      method: 'POST',
      headers: json,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(256 * 1024); // stopped reading soon after the limit
    expect(ctx.store.backups.list()).toEqual([]);
  });

  it('on a real socket, answers 413 to a declared 50 MB body before any of it is sent', async () => {
    const server = await startServer(ctx, { SWITCHYARD_ADMIN_TOKEN: TOKEN });
    try {
      const { port } = new URL(server.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        socket.on('data', (d) => {
          text += d.toString();
          if (text.includes('\r\n\r\n')) resolve(text);
        });
        socket.on('error', reject);
        socket.write(
          `POST /api/system/backups/create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n{"note":`,
        );
      });
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 413/);
    } finally {
      await server.close();
    }
  });

  it('slows wrong Bearer tokens per client (429 + Retry-After after a growing delay), audits each, never refuses a right one', async () => {
    const limitedApp = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor), {
      authFailures: { firstDelayMs: 200, maxDelayMs: 400 },
    });
    const wrong = { Authorization: 'Bearer not-the-right-token-at-all' };
    for (let i = 0; i < 5; i++)
      expect((await limitedApp.request('/api/system/backups', { headers: wrong })).status).toBe(401);
    const started = Date.now();
    const slowed = await limitedApp.request('/api/system/backups', { headers: wrong });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await slowed.json()).error).toMatch(/^invalid token; too many from your address/);
    // The right token from the same address is checked first: let in at once.
    const rightStarted = Date.now();
    expect((await limitedApp.request('/api/system/backups', { headers: auth })).status).toBe(200);
    expect(Date.now() - rightStarted).toBeLessThan(150);

    const refused = ctx.store.audit.list(100, { actor: 'api' });
    expect(refused.filter((a) => a.action === 'api.auth')).toHaveLength(6);
    expect(refused.filter((a) => a.action === 'api.auth.rate-limited')).toHaveLength(1);
    expect(ctx.logLines.filter((l) => l.includes('authentication rate-limited'))).toHaveLength(1);
  });

  it("audits a refused token at the Context clock's time", async () => {
    const at = new Date('2033-03-03T03:03:03.000Z');
    const clocked = createHttpApp(
      { ...ctx, clock: { now: () => at } },
      resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor),
    );
    const headers = { Authorization: 'Bearer wrong-token-for-the-clock-test' };
    expect((await clocked.request('/api/system/backups', { headers })).status).toBe(401);
    expect(ctx.store.audit.list(1, { action: 'api.auth' })[0]?.at).toBe(at.toISOString());
  });
});
