import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, type Role, Switchyard } from '../../src/app/index.js';
import { SwitchyardError } from '../../src/errors.js';
import { testContext, type TestContext } from '../fixtures/context.js';

const actor = (role: Role): Actor => ({ name: `test:${role}`, role });

/** The app's users area, on a real store (no daemon, no Docker): who may, what is refused, what is kept. */
describe('Switchyard.users', () => {
  let ctx: TestContext;
  let app: Switchyard;
  const kindOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof SwitchyardError ? `${e.kind}: ${e.message}` : String(e);
    }
    return 'no error';
  };

  beforeAll(() => {
    ctx = testContext({
      database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }',
      extra: `server: { tokens: [{ name: ci, role: operator, sha256: "${'b'.repeat(64)}" }] }`,
    });
    app = new Switchyard(() => ctx);
  });
  afterAll(() => ctx?.cleanup());

  it.each(['viewer', 'operator'] as const)('refuses a %s every command and query, writing nothing', (role) => {
    const who = actor(role);
    const before = ctx.store.audit.list(100).length;
    for (const f of [
      () => app.users.list(who),
      () => app.users.add(who, { name: 'eve', role: 'admin' }),
      () => app.users.setRole(who, 'eve', 'admin'),
      () => app.users.remove(who, 'eve'),
    ])
      expect(kindOf(f)).toBe(`forbidden: test:${role} is ${role}; manage users needs admin`);
    expect(ctx.store.users.list()).toEqual([]);
    expect(ctx.store.audit.list(100)).toHaveLength(before);
  });

  it('lets an admin add, list, change and remove, audited as the actor', () => {
    const admin = actor('admin');
    const added = app.users.add(admin, { name: 'vera', role: 'viewer' });
    expect(added.token).toMatch(/^sy_/);
    expect(app.users.list(admin)).toEqual([
      { name: 'vera', role: 'viewer', createdAt: expect.any(String), createdBy: 'test:admin' },
    ]);
    expect(app.users.setRole(admin, 'vera', 'operator')).toMatchObject({ name: 'vera', role: 'operator' });
    app.users.remove(admin, 'vera');
    expect(app.users.list(admin)).toEqual([]);
    expect(
      ctx.store.audit
        .list(3)
        .map((a) => `${a.actor} ${a.action} ${a.target}`)
        .reverse(),
    ).toEqual(['test:admin user.add vera', 'test:admin user.role vera', 'test:admin user.remove vera']);
  });

  it.each([
    [{ name: 'bad name!', role: 'viewer' }, 'input: user name:'],
    [{ name: 'x', role: 'root' }, 'input: role: "root" is not a role; the roles are viewer, operator, admin'],
    [{ name: 'ci', role: 'viewer' }, 'input: "ci" is the name of a configured token; choose another name'],
    [{ name: 'admin', role: 'viewer' }, 'input: "admin" is the name of a configured token; choose another name'],
    [{ name: undefined, role: 'viewer' }, 'input: user name: required'],
  ])('refuses %j with one line naming the problem', (input, message) => {
    const error = kindOf(() => app.users.add(actor('admin'), input));
    expect(error.startsWith(message), error).toBe(true);
    expect(error).not.toContain('\n');
  });

  it('answers not-found for a user that does not exist', () => {
    expect(kindOf(() => app.users.setRole(actor('admin'), 'nobody', 'viewer'))).toBe(
      'not-found: user nobody does not exist',
    );
    expect(kindOf(() => app.users.remove(actor('admin'), 'nobody'))).toBe('not-found: user nobody does not exist');
  });

  it("reserves the tokens of the runtime's current config (a reload replaces them)", () => {
    const admin = actor('admin');
    const reloaded = { ...ctx, config: { ...ctx.config, server: { ...ctx.config.server, tokens: [] } } };
    const after = new Switchyard(() => reloaded);
    expect(after.users.add(admin, { name: 'ci', role: 'viewer' }).user.name).toBe('ci');
    after.users.remove(admin, 'ci');
  });
});
