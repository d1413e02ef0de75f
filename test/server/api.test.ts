import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

const TOKEN = 'test-admin-token-0123456789';
const OPS_TOKEN = 'ops-team-token-abcdefghijkl';

describe('token configuration', () => {
  it('refuses to serve the API without any token', () => {
    const ctx = testContext({ database: '{ service: db, name: app }' });
    try {
      expect(() => resolveTokens(ctx.config, {}, ctx.redactor)).toThrow(
        /no API token: set SWITCHYARD_ADMIN_TOKEN or server.tokens/,
      );
      expect(() => resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: 'short' }, ctx.redactor)).toThrow(
        /at least 16 characters/,
      );
    } finally {
      ctx.cleanup();
    }
  });
});

describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('HTTP API', () => {
  let pg: PgCluster;
  let ctx: TestContext;
  let app: ReturnType<typeof createHttpApp>;
  const auth = (token = TOKEN) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    const opsHash = createHash('sha256').update(OPS_TOKEN).digest('hex');
    ({ pg, ctx } = await startSampleDb({
      extra: `server: { tokens: [{ name: ops, role: operator, sha256: "${opsHash}" }] }`,
    }));
    app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
  });
  afterAll(async () => {
    ctx?.cleanup();
    await pg?.stop();
  });

  it('answers health without a token', async () => {
    const res = await app.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { Authorization: 'Bearer not-the-token-at-all' }],
    ['another scheme', { Authorization: `Basic ${TOKEN}` }],
  ])('refuses %s with 401 and a JSON error', async (_what, headers) => {
    for (const [method, path] of [
      ['GET', '/api/system/backups'],
      ['POST', '/api/system/backups/create'],
    ] as const) {
      const res = await app.request(path, { method, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await res.json()).error).toMatch(/token/);
    }
    expect(ctx.store.backups.list()).toEqual([]);
  });

  it('creates a backup with the runbook call (bare POST, Bearer token) and lists it', async () => {
    const created = await app.request('/api/system/backups/create', { method: 'POST', headers: auth() });
    expect(created.status).toBe(201);
    const { backup } = (await created.json()) as { backup: Record<string, unknown> };
    expect(backup).toMatchObject({ status: 'ok', reason: 'manual', actor: 'api:admin', databaseName: 'app' });
    expect(backup).not.toHaveProperty('tempName');

    const listed = await app.request('/api/system/backups', { headers: auth() });
    expect(listed.status).toBe(200);
    const { backups } = (await listed.json()) as { backups: Record<string, unknown>[] };
    expect(backups[0]).toMatchObject({
      id: backup.id,
      fileName: backup.fileName,
      sha256: backup.sha256,
      lastDrill: null,
    });
    for (const key of [
      'id',
      'fileName',
      'createdAt',
      'sizeBytes',
      'sha256',
      'serverVersion',
      'reason',
      'status',
      'deploymentId',
    ]) {
      expect(backups[0]).toHaveProperty(key);
    }
  });

  it('accepts a hashed config token and records its name as the actor', async () => {
    const res = await app.request('/api/system/backups/create', {
      method: 'POST',
      headers: { ...auth(OPS_TOKEN), 'Content-Type': 'application/json' },
      body: JSON.stringify({ note: 'before the council meeting' }),
    });
    expect(res.status).toBe(201);
    expect((await res.json()).backup).toMatchObject({ actor: 'api:ops', note: 'before the council meeting' });
    expect(ctx.store.audit.list()[0]).toMatchObject({ actor: 'api:ops', action: 'backup.create', outcome: 'ok' });
  });

  it('runs a drill and lists its result with the backup', async () => {
    const res = await app.request('/api/system/drills', { method: 'POST', headers: auth() });
    expect(res.status).toBe(200);
    const { drill } = (await res.json()) as { drill: { verified: boolean; backupId: number; markdown: string } };
    expect(drill.verified).toBe(true);
    const one = await app.request(`/api/system/backups/${drill.backupId}`, { headers: auth() });
    expect((await one.json()).backup.lastDrill).toMatchObject({ verified: true });
  });

  it.each([
    ['malformed JSON', '/api/system/backups/create', 'POST', '{"note":', /not valid JSON/],
    ['an unknown field', '/api/system/backups/create', 'POST', '{"reason":"pre-deploy"}', /reason: unknown key/],
    ['a wrong type', '/api/system/drills', 'POST', '{"backupId":"1; DROP TABLE x"}', /backupId:/],
    ['a path in the id', '/api/system/backups/..%2F..%2Fetc', 'GET', undefined, /backup id must be a positive integer/],
  ])('answers %s with 400 and a one-line JSON error', async (_what, path, method, body, message) => {
    const res = await app.request(path, { method, headers: auth(), body });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(message);
    expect(error).not.toContain('\n');
  });

  it('answers 404 for a backup that does not exist and 409 while another operation runs', async () => {
    expect((await app.request('/api/system/backups/9999', { headers: auth() })).status).toBe(404);
    const release = ctx.store.lock.acquire('deploy v9');
    try {
      const res = await app.request('/api/system/backups/create', { method: 'POST', headers: auth() });
      expect(res.status).toBe(409);
      expect((await res.json()).error).toMatch(/another operation is running: deploy v9/);
    } finally {
      release();
    }
  });

  it('never leaks the database password through the API', async () => {
    const all = await Promise.all(
      ['/api/system/backups', '/api/system/audit'].map(async (p) => (await app.request(p, { headers: auth() })).text()),
    );
    expect(all.join()).not.toContain(pg.password);
  });
});
