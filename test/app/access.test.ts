import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Switchyard, surfaceActor } from '../../src/app/index.js';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { sha256 } from '../../src/util/hash.js';
import { testContext, type TestContext } from '../fixtures/context.js';

const ADMIN = 'access-test-admin-token-0123456789';
const CI = 'access-test-ci-token-0123456789';
const AT = new Date('2034-04-04T04:04:04.000Z');

/** Who asks, through the app (real store, no daemon, no Docker): tokens to identities, and what the audit keeps. */
describe('Switchyard.access', () => {
  let ctx: TestContext;
  let app: Switchyard;
  const lastAudit = () => ctx.store.audit.list(1)[0];

  beforeAll(() => {
    ctx = testContext({
      database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }',
      extra: `server: { tokens: [{ name: ci, role: viewer, sha256: "${sha256(CI).toString('hex')}" }] }`,
    });
    app = new Switchyard(() => ({ ...ctx, clock: { now: () => AT } }));
    app.access.replaceTokens(resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: ADMIN }, ctx.redactor));
  });
  afterAll(() => ctx?.cleanup());

  it('names configured tokens, then users, and nobody for a wrong token; a reload replaces the tokens', () => {
    const { token } = app.users.add({ name: 'cli:root', role: 'admin' }, { name: 'olga', role: 'operator' });
    expect(app.access.identify(CI)).toMatchObject({ name: 'ci', role: 'viewer', kind: 'token' });
    expect(app.access.identify(ADMIN)).toMatchObject({ name: 'admin', role: 'admin', kind: 'token' });
    expect(app.access.identify(token)).toMatchObject({ name: 'olga', role: 'operator', kind: 'user' });
    expect(app.access.identify('not-a-token-at-all-0123')).toBeUndefined();
    expect(surfaceActor('api', app.access.identify(token)!)).toEqual({ name: 'api:olga', role: 'operator' });
    expect(app.access.tokenNames()).toEqual(['ci', 'admin']);

    const ci = app.access.identify(CI)!;
    const reloaded = new Switchyard(() => ctx);
    reloaded.access.replaceTokens(resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: ADMIN }, ctx.redactor));
    reloaded.access.replaceTokens(
      resolveTokens({ server: { tokens: [] } }, { SWITCHYARD_ADMIN_TOKEN: ADMIN }, ctx.redactor),
    );
    expect(reloaded.access.identify(CI)).toBeUndefined();
    expect(reloaded.access.refresh(ci)).toBeUndefined();
    expect(reloaded.access.identify(token)?.name).toBe('olga'); // users stay: they are in the store
    expect(app.access.identify(CI)?.name).toBe('ci'); // another Switchyard's tokens are its own
  });

  it("reads users through the runtime at each request (a swapped runtime's store is the one asked)", () => {
    const other = testContext({ database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }' });
    try {
      let current: TestContext = ctx;
      const swapped = new Switchyard(() => current);
      const { token } = swapped.users.add({ name: 'cli:root', role: 'admin' }, { name: 'una', role: 'viewer' });
      expect(swapped.access.identify(token)?.name).toBe('una');
      current = other;
      expect(swapped.access.identify(token)).toBeUndefined();
    } finally {
      other.cleanup();
    }
  });

  it("admits a role at or above a route's, and audits a refusal at the runtime clock's time", () => {
    const viewer = app.access.identify(CI)!;
    const before = ctx.store.audit.list(1000).length;
    expect(app.access.admits('api', viewer, 'viewer', 'GET /api/system/backups')).toBe(true);
    expect(ctx.store.audit.list(1000)).toHaveLength(before);
    expect(app.access.admits('ui', viewer, 'operator', 'POST /backups')).toBe(false);
    expect(lastAudit()).toMatchObject({
      at: AT.toISOString(),
      actor: 'ui:ci',
      action: 'ui.forbidden',
      target: 'POST /backups',
      outcome: 'refused',
      detail: 'viewer may not; needs operator',
    });
  });

  it('audits each wrong token with its address, and slows its address past the allowance', async () => {
    const failed = app.access.failures('api', { allowed: 1, firstDelayMs: 1, maxDelayMs: 1 });
    expect(await failed('10.1.2.3')).toMatchObject({ delayMs: 0, retryAfterSeconds: 0 });
    expect(lastAudit()).toMatchObject({ at: AT.toISOString(), actor: 'api', action: 'api.auth' });
    expect(lastAudit()?.detail).toBe('invalid token from 10.1.2.3');
    const second = await failed('10.1.2.3');
    expect(second).toMatchObject({ delayMs: 1, crossed: true });
    expect(second.retryAfterSeconds).toBeGreaterThan(0);
    expect(lastAudit()).toMatchObject({ action: 'api.auth.rate-limited', outcome: 'refused' });
    expect(ctx.logLines.filter((l) => l.includes('authentication rate-limited'))).toHaveLength(1);
    // Each surface's gate counts its own failures.
    expect(await app.access.failures('ui', { allowed: 1 })('10.1.2.3')).toMatchObject({ retryAfterSeconds: 0 });
    expect(lastAudit()).toMatchObject({ actor: 'ui', action: 'ui.login' });
  });

  it('audits a login with role and address, and a logout, as ui:<name>', () => {
    const admin = app.access.identify(ADMIN)!;
    app.access.loggedIn(admin, '127.0.0.1');
    expect(lastAudit()).toMatchObject({
      at: AT.toISOString(),
      actor: 'ui:admin',
      action: 'ui.login',
      outcome: 'ok',
      detail: 'admin, from 127.0.0.1',
    });
    app.access.loggedOut(admin);
    expect(lastAudit()).toMatchObject({ actor: 'ui:admin', action: 'ui.logout', outcome: 'ok' });
  });

  it("records the UI's login, logout and refusal at the runtime clock's time, as the API does", async () => {
    const http = createHttpApp(
      { ...ctx, clock: { now: () => AT } },
      resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: ADMIN }, ctx.redactor),
    );
    const login = await http.request('/login', { method: 'POST', body: new URLSearchParams({ token: CI }) });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(ctx.store.audit.list(1, { action: 'ui.login' })[0]).toMatchObject({ actor: 'ui:ci', at: AT.toISOString() });
    expect((await http.request('/users', { headers: { cookie } })).status).toBe(403);
    expect(ctx.store.audit.list(1, { action: 'ui.forbidden' })[0]).toMatchObject({
      actor: 'ui:ci',
      target: 'GET /users',
      at: AT.toISOString(),
    });
    const page = await (await http.request('/audit', { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const logout = await http.request('/logout', {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(logout.status).toBe(303);
    expect(ctx.store.audit.list(1, { action: 'ui.logout' })[0]).toMatchObject({ actor: 'ui:ci', at: AT.toISOString() });
  });
});
