import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { SessionStore } from '../../web/auth/sessions.js';
import { testContext, type TestContext } from '../fixtures/context.js';

const TOKEN = 'ui-auth-test-token-0123456789';
const who = (name: string) => ({ name, role: 'admin' as const, kind: 'token' as const, credential: `sha-of-${name}` });

describe('web UI sessions and login limits (no browser)', () => {
  it('ends a session after its idle time, and after its absolute lifetime even when used', () => {
    let now = 0;
    const sessions = new SessionStore({ idleMs: 1000, absoluteMs: 5000, perIdentity: 2 }, () => now);
    const a = sessions.create(who('admin'));
    now = 900;
    expect(sessions.get(a.id)?.identity.name).toBe('admin'); // touched: idle timer restarts
    now = 1800;
    expect(sessions.get(a.id)).toBeDefined();
    now = 2801;
    expect(sessions.get(a.id)).toBeUndefined();

    const b = sessions.create(who('admin'));
    for (now = 3000; now < 8000; now += 900) sessions.get(b.id);
    expect(sessions.get(b.id)).toBeUndefined(); // 5 s after login, however busy
  });

  it("keeps at most `perIdentity` sessions of each identity, dropping that identity's oldest, never another's", () => {
    const sessions = new SessionStore({ idleMs: 1e9, absoluteMs: 1e9, perIdentity: 2 });
    const admin = sessions.create(who('admin'));
    const viewer = { ...who('vera'), role: 'viewer' as const, kind: 'user' as const };
    const logins = Array.from({ length: 1000 }, () => sessions.create(viewer));
    expect(sessions.get(admin.id)?.identity.name).toBe('admin');
    expect(logins.filter((s) => sessions.get(s.id)).map((s) => s.id)).toEqual(logins.slice(-2).map((s) => s.id));
    expect(sessions.size).toBe(3);
    // A token and a user of the same name are two identities.
    sessions.create({ ...who('vera'), kind: 'token' });
    expect(sessions.size).toBe(4);
  });
});

describe('web UI auth over HTTP (no browser)', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createHttpApp>;
  const login = (headers: Record<string, string> = {}, next = '/') =>
    app.request('/login', { method: 'POST', headers, body: new URLSearchParams({ token: TOKEN, next }) });

  beforeAll(() => {
    ctx = testContext({ database: '{ url: "postgres://app:secret@127.0.0.1:1/app" }' });
    app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
  });
  afterAll(() => ctx?.cleanup());

  it('marks the cookie Secure only when the request came over TLS (or a proxy says so)', async () => {
    expect((await login()).headers.get('set-cookie')).not.toMatch(/Secure/);
    const behindProxy = (await login({ 'X-Forwarded-Proto': 'https' })).headers.get('set-cookie')!;
    expect(behindProxy).toMatch(/; HttpOnly/);
    expect(behindProxy).toMatch(/; Secure/);
    expect(behindProxy).toMatch(/; SameSite=Strict/);
  });

  it('redirects after login only to a path of this site', async () => {
    expect((await login({}, '/backups')).headers.get('location')).toBe('/backups');
    for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
      expect((await login({}, evil)).headers.get('location')).toBe('/');
    }
  });

  it('refuses a form posted from another site, and a POST without a session, doing nothing', async () => {
    const cookie = (await login()).headers.get('set-cookie')!.split(';')[0]!;
    const crossSite = await app.request('/backups', {
      method: 'POST',
      headers: { cookie, 'Sec-Fetch-Site': 'cross-site' },
      body: new URLSearchParams({ note: 'x' }),
    });
    expect(crossSite.status).toBe(403);
    const noSession = await app.request('/backups', { method: 'POST', body: new URLSearchParams({ note: 'x' }) });
    expect(noSession.status).toBe(401);
    expect(ctx.store.backups.list()).toEqual([]);
  });

  it('checks Origin on every state-changing request, the login included, even with a valid CSRF token', async () => {
    for (const origin of ['http://evil.example', 'null', 'http://localhost.evil.example']) {
      const refused = await login({ Origin: origin });
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get('set-cookie')).toBeNull();
    }
    const ok = await login({ Origin: 'http://localhost' });
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      await (await app.request('/backups', { headers: { cookie } })).text(),
    )![1]!;
    const forged = await app.request('/backups', {
      method: 'POST',
      headers: { cookie, Origin: 'http://evil.example', 'Sec-Fetch-Site': 'same-origin' },
      body: new URLSearchParams({ _csrf: csrf, note: 'x'.repeat(600) }),
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('came from another site');
    // The same form from our own origin passes the guard (and fails only its own validation).
    const own = await app.request('/backups', {
      method: 'POST',
      headers: { cookie, Origin: 'http://localhost' },
      body: new URLSearchParams({ _csrf: csrf, note: 'x'.repeat(600) }),
    });
    expect(own.status).toBe(303);
    expect(ctx.store.backups.list()).toEqual([]);
  });

  it('answers ids beyond Number.MAX_SAFE_INTEGER with not found, never a rounded neighbour', async () => {
    const cookie = (await login()).headers.get('set-cookie')!.split(';')[0]!;
    const res = await app.request('/backups/9999999999999999', { headers: { cookie } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('10000000000000000');
  });

  it('serves pages with a strict content security policy, and leaves the API its own answers', async () => {
    const page = await app.request('/login');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await (await app.request('/api/health')).json()).toMatchObject({ status: 'ok' });
    const unknownApi = await app.request('/api/system/nope', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.json()).toEqual({ error: 'no route GET /api/system/nope' });
    expect(unknownApi.headers.get('content-security-policy')).toBeNull();
  });
});
