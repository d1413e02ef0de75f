import { createHash } from 'node:crypto';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';

describe('switchyard user', () => {
  let ctx: TestContext;
  const cli = (...args: string[]) => switchyard(['user', ...args, '--config', ctx.configFile], { SUDO_USER: '' });
  const me = `cli:${os.userInfo().username}`;

  beforeAll(() => {
    ctx = testContext({
      database: '{ url: "postgres://u:pw-secret@127.0.0.1:1/app" }',
      extra: `server: { tokens: [{ name: ci, role: operator, sha256: "${'b'.repeat(64)}" }] }`,
    });
  });
  afterAll(() => ctx?.cleanup());

  it('adds a user, printing the token once and storing only its sha256', async () => {
    const added = await cli('add', 'vendor-anna', '--role', 'viewer');
    expect(added.code).toBe(0);
    const token = added.stdout.trim().split('\n').at(-1)!;
    expect(added.stdout).toContain('user vendor-anna added (viewer)');
    expect(token).toMatch(/^sy_[A-Za-z0-9_-]{40,}$/);
    const row = ctx.store.db.prepare('SELECT * FROM users WHERE name = ?').get('vendor-anna') as Record<string, string>;
    expect(row.token_sha256).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(ctx.store.audit.list(1)[0]).toMatchObject({
      actor: me,
      action: 'user.add',
      target: 'vendor-anna',
      outcome: 'ok',
    });

    // The daemon knows the token at once, with its role.
    const app = createHttpApp(ctx, resolveTokens(ctx.config, {}, ctx.redactor));
    expect(
      await (await app.request('/api/system/whoami', { headers: { Authorization: `Bearer ${token}` } })).json(),
    ).toEqual({ name: 'vendor-anna', role: 'viewer', kind: 'user' });

    const json = await cli('add', 'ops-olaf', '--role', 'operator', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      user: { name: 'ops-olaf', role: 'operator', createdBy: me },
      token: expect.stringMatching(/^sy_/),
    });
  });

  it('lists, changes a role and removes, in text and JSON', async () => {
    const list = await cli('list');
    expect(list.stdout).toMatch(/^NAME\s+ROLE/);
    expect(list.stdout).toMatch(/vendor-anna\s+viewer/);
    expect(JSON.parse((await cli('list', '--json')).stdout).users.map((u: { name: string }) => u.name)).toEqual([
      'ops-olaf',
      'vendor-anna',
    ]);

    expect((await cli('role', 'vendor-anna', 'operator')).stdout.trim()).toBe('user vendor-anna is now operator');
    expect(JSON.parse((await cli('role', 'vendor-anna', 'admin', '--json')).stdout).user).toMatchObject({
      name: 'vendor-anna',
      role: 'admin',
    });
    expect(ctx.store.audit.list(1, { action: 'user.role' })[0]).toMatchObject({
      actor: me,
      detail: 'operator → admin',
    });

    expect(JSON.parse((await cli('remove', 'ops-olaf', '--json')).stdout)).toEqual({ removed: 'ops-olaf' });
    expect(ctx.store.users.get('ops-olaf')).toBeUndefined();
  });

  it.each([
    [['add', 'x'], 64, 'needs --role'],
    [['add', 'x', '--role', 'superuser'], 64, 'role: "superuser" is not a role; the roles are viewer, operator, admin'],
    [['add', 'bad name!', '--role', 'viewer'], 64, 'user name:'],
    [['add', 'ci', '--role', 'viewer'], 64, 'name of a configured token'],
    [['add', 'admin', '--role', 'viewer'], 64, 'name of a configured token'],
    [['add', 'vendor-anna', '--role', 'viewer'], 64, 'user vendor-anna already exists'],
    [['role', 'vendor-anna', 'superuser'], 64, 'the roles are viewer, operator, admin'],
    [['remove', 'nobody'], 66, 'user nobody does not exist'],
    [['frobnicate'], 64, 'usage: switchyard user'],
  ])('refuses %j with exit %i and one line', async (args, code, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});
