import { afterEach, describe, expect, it } from 'vitest';
import { addUser, removeUser, setUserRole, type UserPorts } from '../../src/users/manage.js';
import { tempStore } from '../fixtures/fakes.js';

/**
 * User management's decisions against a real store and a fake clock (no daemon): the refusals,
 * only a hash kept, and every change audited at the clock's time. test/cli/user.test.ts and
 * test/server/roles.test.ts go through the CLI and the API.
 */
let remove: () => void = () => {};
afterEach(() => remove());

function world() {
  const t = tempStore('sy-users-');
  remove = t.remove;
  let now = new Date('2031-02-03T04:05:06.000Z');
  const ports: UserPorts = {
    users: t.store.users,
    audit: t.store.audit,
    reservedNames: ['admin', 'ci'],
    clock: { now: () => now },
  };
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  return { ports, store: t.store, advance };
}

describe('user management with a fake clock', () => {
  it('a new user is made and audited at the clock time; the token is returned once, never stored', () => {
    const w = world();
    const { user, token } = addUser(w.ports, { name: 'olga', role: 'operator', actor: 'cli:root' });
    expect(user).toMatchObject({ name: 'olga', role: 'operator', createdAt: '2031-02-03T04:05:06.000Z' });
    expect(token).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(w.store.users.get('olga'))).not.toContain(token);
    expect(w.store.audit.list(1)[0]).toMatchObject({ action: 'user.add', at: '2031-02-03T04:05:06.000Z' });
  });

  it('a role change and a removal are audited at the times the clock gives', () => {
    const w = world();
    addUser(w.ports, { name: 'olga', role: 'viewer', actor: 'cli:root' });
    w.advance(60_000);
    expect(setUserRole(w.ports, { name: 'olga', role: 'admin', actor: 'api:root' }).role).toBe('admin');
    w.advance(60_000);
    removeUser(w.ports, { name: 'olga', actor: 'api:root' });
    expect(w.store.audit.list(3).map((e) => [e.action, e.at, e.detail])).toEqual([
      ['user.remove', '2031-02-03T04:07:06.000Z', null],
      ['user.role', '2031-02-03T04:06:06.000Z', 'viewer → admin'],
      ['user.add', '2031-02-03T04:05:06.000Z', 'role viewer'],
    ]);
  });

  it.each([
    [{ name: 'ci', role: 'viewer' }, /"ci" is the name of a configured token/],
    [{ name: 'bad name!', role: 'viewer' }, /user name: letters, digits/],
    [{ name: 'vic', role: 'root' }, /^role: "root" is not a role; the roles are viewer, operator, admin$/],
    [{ name: 'vic', role: undefined }, /^role: required \(one of viewer, operator, admin\)$/],
  ])('refuses %j with one line naming the problem, and audits nothing', (input, error) => {
    const w = world();
    expect(() => addUser(w.ports, { ...input, actor: 'cli:root' })).toThrow(error);
    expect(w.store.audit.list()).toEqual([]);
  });

  it('a taken name is bad input (exit 64, 400), not a conflict (which means the lock is held)', () => {
    const w = world();
    addUser(w.ports, { name: 'olga', role: 'viewer', actor: 'cli:root' });
    for (const name of ['olga', 'ci']) {
      let caught: unknown;
      try {
        addUser(w.ports, { name, role: 'viewer', actor: 'cli:root' });
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ kind: 'input' });
    }
    expect(() => setUserRole(w.ports, { name: 'olga', role: 'superuser', actor: 'cli:root' })).toThrow(
      'role: "superuser" is not a role; the roles are viewer, operator, admin',
    );
  });
});
