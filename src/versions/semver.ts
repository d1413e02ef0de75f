/**
 * Semantic-version order for tag names (v1.2.3, 1.2.3-rc.1, v2.0.0+build):
 * the rule the Versions page sorts by, so v10.0.0 comes after v9.0.0 and a
 * release candidate before its release, whatever the commit dates say.
 */
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

export function parseSemver(tag: string): SemVer | null {
  const m = SEMVER.exec(tag);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [] };
}

/** Negative when a < b, per semver §11 (a pre-release is lower than its release). */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 && b.prerelease.length === 0) return 0;
  if (a.prerelease.length === 0) return 1;
  if (b.prerelease.length === 0) return -1;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn && Number(x) !== Number(y)) return Math.sign(Number(x) - Number(y));
    if (xn !== yn) return xn ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Newest first: semantic-version tags by version, then everything else (other
 * tags, plain commits) by date, ties kept in the given order (sort is stable).
 */
export function newestFirst<T>(
  items: readonly T[],
  tagOf: (item: T) => string | null,
  timeOf: (item: T) => number,
): T[] {
  const versionOf = (item: T) => {
    const tag = tagOf(item);
    return tag === null ? null : parseSemver(tag);
  };
  return [...items].sort((a, b) => {
    const va = versionOf(a);
    const vb = versionOf(b);
    if (va && vb) return compareSemver(vb, va);
    if (va || vb) return va ? -1 : 1;
    return timeOf(b) - timeOf(a);
  });
}
