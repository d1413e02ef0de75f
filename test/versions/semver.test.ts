import { describe, expect, it } from 'vitest';
import { compareSemver, newestFirst, parseSemver } from '../../src/versions/semver.js';

describe('semantic-version order', () => {
  const cmp = (a: string, b: string) => compareSemver(parseSemver(a)!, parseSemver(b)!);

  it('reads v-prefixed and bare versions, with pre-release and build parts; nothing else', () => {
    expect(parseSemver('v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseSemver('10.0.0-rc.1+build.5')).toEqual({ major: 10, minor: 0, patch: 0, prerelease: ['rc', '1'] });
    for (const t of ['v1.2', 'release-1', 'v01.2.3', 'latest', '1.2.3.4']) expect(parseSemver(t)).toBeNull();
  });

  it('orders by number, not by text, and a pre-release before its release (semver §11)', () => {
    expect(cmp('v10.0.0', 'v9.9.9')).toBe(1);
    expect(cmp('v1.0.0-rc.1', 'v1.0.0')).toBe(-1);
    expect(cmp('v1.0.0-alpha', 'v1.0.0-alpha.1')).toBe(-1);
    expect(cmp('v1.0.0-alpha.2', 'v1.0.0-alpha.10')).toBe(-1);
    expect(cmp('v1.0.0-1', 'v1.0.0-alpha')).toBe(-1);
    expect(cmp('v1.0.0+a', '1.0.0+b')).toBe(0);
  });

  it('puts versions first, newest first, then the rest by date, keeping ties in order', () => {
    const items = [
      { tag: 'v1.0.0', t: 5 },
      { tag: null, t: 9 },
      { tag: 'v3.0.0', t: 5 },
      { tag: 'nightly', t: 7 },
      { tag: 'v2.0.0', t: 5 },
      { tag: null, t: 7 },
    ];
    const order = newestFirst(
      items,
      (i) => i.tag,
      (i) => i.t,
    ).map((i) => `${i.tag ?? '-'}@${i.t}`);
    expect(order).toEqual(['v3.0.0@5', 'v2.0.0@5', 'v1.0.0@5', '-@9', 'nightly@7', '-@7']);
  });
});
