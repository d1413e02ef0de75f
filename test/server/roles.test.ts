import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/main/http.js';
import { Switchyard } from '../../src/app/index.js';
import { may, ROLES, type Role } from '../../src/domain/roles.js';
import { requiredRole, ROUTE_ACTIONS } from '../../src/server/roles.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { addUser } from '../../src/users/manage.js';
import { testContext, type TestContext } from '../fixtures/context.js';

const ADMIN = 'roles-test-admin-token-0123456789';
const TOKENS: Record<Role, string> = {
  viewer: 'viewer-token-0123456789abc',
  operator: 'operator-token-0123456789ab',
  admin: 'second-admin-token-012345678',
};
const hash = (t: string) => createHash('sha256').update(t).digest('hex');

/** A concrete path for a route pattern: ids that do not exist, so nothing real runs. */
const concrete = (pattern: string) =>
  pattern
    .replace(/:id\b/g, '999999')
    .replace(/:name\b/g, 'nobody')
    .replace(/:[A-Za-z]+/g, 'x');

describe('roles: one table, enforced everywhere', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createHttpApp>;
  let userToken: string;

  beforeAll(() => {
    const tokens = ROLES.map((r) => `{ name: ${r}-token, role: ${r}, sha256: "${hash(TOKENS[r])}" }`).join(', ');
    ctx = testContext({
      database: '{ url: "postgres://u:pw-secret@127.0.0.1:1/app" }',
      extra: `server: { tokens: [${tokens}] }`,
    });
    app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: ADMIN }, ctx.redactor), {
      authFailures: { allowed: 1000 },
    });
    userToken = addUser(
      { users: ctx.store.users, audit: ctx.store.audit, reservedNames: [], clock: ctx.clock },
      { name: 'vera', role: 'viewer', actor: 'test' },
    ).token;
  });
  afterAll(() => ctx?.cleanup());

  it('declares a role for every route the app serves, and declares no route that does not exist', async () => {
    const { uiRoutes } = await import('../../web/index.js');
    // The API's routes, and the UI's, which the app mounts lazily on its first UI request.
    const ui = uiRoutes(new Switchyard(() => ctx));
    const served = new Set(
      [...app.routes, ...ui.routes]
        .filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'))
        .map((r) => `${r.method} ${r.path.length > 1 ? r.path.replace(/\/$/, '') : r.path}`),
    );
    expect(served.size).toBeGreaterThan(25);
    for (const route of served) expect(ROUTE_ACTIONS, `${route} has no role in ROUTE_ACTIONS`).toHaveProperty([route]);
    for (const declared of Object.keys(ROUTE_ACTIONS))
      expect(served, `${declared} is declared but not served`).toContain(declared);
  });

  it('treats a path no route declares as not found, whatever the role', async () => {
    expect(requiredRole('GET', '/api/system/secret-new-thing')).toBeUndefined();
    const res = await app.request('/api/system/secret-new-thing', { headers: { Authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(404);
  });

  const apiRoutes = Object.entries(ROUTE_ACTIONS).filter(
    ([k, need]) => k.includes(' /api/system/') && need !== 'public',
  );
  it.each(ROLES)('API: a %s gets 403 exactly where the table says, on every route', async (role) => {
    for (const [key, need] of apiRoutes) {
      const [method, pattern] = key.split(' ') as [string, string];
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{"bogus": 1}';
      const res = await app.request(concrete(pattern), {
        method,
        headers: { Authorization: `Bearer ${TOKENS[role]}`, 'Content-Type': 'application/json' },
        body,
      });
      await res.body?.cancel();
      if (need !== 'public' && may(role, need)) expect([401, 403], `${role} ${key}`).not.toContain(res.status);
      else expect(res.status, `${role} ${key}`).toBe(403);
    }
    expect(ctx.store.audit.list(500, { actor: `api:${role}-token`, action: 'api.forbidden' }).length).toBe(
      apiRoutes.filter(([, n]) => n !== 'public' && !may(role, n)).length,
    );
    expect(ctx.store.backups.list()).toEqual([]);
    expect(ctx.store.deployments.list(10)).toEqual([]);
  });

  it('a user added by name authenticates with their own token, with their role, and loses access when removed', async () => {
    const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
    expect(await (await app.request('/api/system/whoami', as(userToken))).json()).toEqual({
      name: 'vera',
      role: 'viewer',
      kind: 'user',
    });
    expect((await app.request('/api/system/users', as(userToken))).status).toBe(403);

    const promote = await app.request('/api/system/users/vera/role', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: '{"role":"admin"}',
    });
    expect(promote.status).toBe(200);
    expect((await app.request('/api/system/users', as(userToken))).status).toBe(200); // at once, no restart

    const added = await app.request('/api/system/users', {
      method: 'POST',
      headers: { Authorization: `Bearer ${userToken}`, 'Content-Type': 'application/json' },
      body: '{"name":"otto","role":"operator"}',
    });
    expect(added.status).toBe(201);
    const { token } = (await added.json()) as { token: string };
    expect(await (await app.request('/api/system/whoami', as(token))).json()).toMatchObject({
      name: 'otto',
      role: 'operator',
    });
    expect(JSON.stringify(ctx.store.db.prepare('SELECT * FROM users').all())).not.toContain(token);
    expect(ctx.store.audit.list(5, { action: 'user.add' })[0]).toMatchObject({
      actor: 'api:vera',
      target: 'otto',
      detail: 'role operator',
    });

    expect(
      (await app.request('/api/system/users/otto', { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN}` } }))
        .status,
    ).toBe(204);
    expect((await app.request('/api/system/whoami', as(token))).status).toBe(401);
    const taken = await app.request('/api/system/users', {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: '{"name":"viewer-token","role":"viewer"}',
    });
    // A taken name is bad input (400), not 409: that status means another operation is running.
    expect(taken.status).toBe(400);
    expect(await taken.json()).toEqual({
      error: '"viewer-token" is the name of a configured token; choose another name',
    });
  });

  it('filters the audit over the API by person, action and outcome', async () => {
    const res = await app.request('/api/system/audit?actor=api:viewer-token&action=api.forbidden&outcome=refused', {
      headers: { Authorization: `Bearer ${TOKENS.viewer}` },
    });
    const { audit } = (await res.json()) as {
      audit: Array<{ actor: string; action: string; outcome: string; target: string }>;
    };
    expect(audit.length).toBeGreaterThan(0);
    for (const a of audit)
      expect(a).toMatchObject({ actor: 'api:viewer-token', action: 'api.forbidden', outcome: 'refused' });
    expect(audit.map((a) => a.target)).toContain('POST /api/system/deployments');
  });

  it('pages the audit over the API: ?limit= newest first, ?before= older ones, a bad value a one-line 400', async () => {
    const get = (query: string) =>
      app.request(`/api/system/audit?${query}`, { headers: { Authorization: `Bearer ${TOKENS.viewer}` } });
    const page = ((await (await get('limit=3')).json()) as { audit: Array<{ id: number }> }).audit.map((a) => a.id);
    expect(page).toHaveLength(3);
    expect([...page].sort((a, b) => b - a)).toEqual(page);
    const older = ((await (await get(`limit=2&before=${page[2]}`)).json()) as { audit: Array<{ id: number }> }).audit;
    expect(older.map((a) => a.id)).toEqual([page[2]! - 1, page[2]! - 2]);
    const bad = await get('limit=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^limit: /);
  });

  const uiRoutes = Object.entries(ROUTE_ACTIONS)
    .filter(([k, need]) => !k.includes(' /api/') && need !== 'public')
    .sort(([a], [b]) => Number(a === 'POST /logout') - Number(b === 'POST /logout')); // logging out last
  it.each(ROLES)('UI: a %s gets 403 exactly where the table says, on every page and form', async (role) => {
    const login = await app.request('/login', { method: 'POST', body: new URLSearchParams({ token: TOKENS[role] }) });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const history = await (await app.request('/history', { headers: { cookie } })).text();
    expect(history).toContain(`Logged in as <strong>${role}-token</strong> (${role})`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(history)![1]!;
    for (const [key, need] of uiRoutes) {
      const [method, pattern] = key.split(' ') as [string, string];
      // Forms carry their CSRF token and a field that fails validation: a permitted one stops there.
      const body =
        method === 'POST' ? new URLSearchParams({ _csrf: csrf, note: 'x'.repeat(600), mode: 'nonsense' }) : undefined;
      const res = await app.request(concrete(pattern), { method, headers: { cookie }, body });
      await res.body?.cancel();
      if (need !== 'public' && may(role, need)) expect([401, 403], `${role} ${key}`).not.toContain(res.status);
      else expect(res.status, `${role} ${key}`).toBe(403);
    }
    expect(ctx.store.backups.list()).toEqual([]);
  });
});
