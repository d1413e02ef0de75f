import { describe, expect, it } from 'vitest';
import { Identities } from '../../src/users/identities.js';
import type { ApiToken } from '../../src/users/tokens.js';
import { sha256 } from '../../src/util/hash.js';
import type { User } from '../../src/store/users.js';

const token = (name: string, role: ApiToken['role'], secret: string): ApiToken => ({
  name,
  role,
  sha256: sha256(secret),
});

describe('Identities: who a token names, now', () => {
  const users = new Map<string, User>();
  const store = { byTokenSha256: (hex: string) => users.get(hex) };
  const user = (name: string, role: User['role'], secret: string) =>
    users.set(sha256(secret).toString('hex'), { name, role, createdAt: '', createdBy: 'test' });

  it("ends a configured token's identity once a reload removes it, re-hashes it or gives it another role", () => {
    const identities = new Identities(
      [token('ci', 'viewer', 'ci-secret'), token('ops', 'operator', 'ops-secret'), token('bot', 'viewer', 'bot-1')],
      store,
    );
    const [ci, ops, bot] = ['ci-secret', 'ops-secret', 'bot-1'].map((t) => identities.byToken(t)!);
    expect(identities.refresh(ci!)).toEqual(ci);
    identities.replaceTokens([token('ops', 'viewer', 'ops-secret'), token('bot', 'viewer', 'bot-2')]);
    expect(identities.refresh(ci!)).toBeUndefined(); // removed
    expect(identities.refresh(ops!)).toBeUndefined(); // another role
    expect(identities.refresh(bot!)).toBeUndefined(); // another token under the same name
    expect(identities.byToken('ci-secret')).toBeUndefined();
    expect(identities.byToken('bot-2')).toMatchObject({ name: 'bot', role: 'viewer', kind: 'token' });
    expect(identities.tokenNames()).toEqual(['ops', 'bot']);
  });

  it("follows a user's role at once, and ends the identity when the user is removed or added again", () => {
    const identities = new Identities([], store);
    user('vera', 'viewer', 'vera-1');
    const vera = identities.byToken('vera-1')!;
    user('vera', 'admin', 'vera-1');
    expect(identities.refresh(vera)).toMatchObject({ name: 'vera', role: 'admin' });
    users.clear();
    user('vera', 'viewer', 'vera-2'); // removed, then added again with a new token
    expect(identities.refresh(vera)).toBeUndefined();
  });
});
