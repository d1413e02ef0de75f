import { failed, notFound, oneLine } from '../errors.js';
import type { Bucket } from './bucket.js';
import { isManifestKey, parseManifest, type Manifest } from './manifest.js';
import { distrust } from './trust.js';

export interface BucketListing {
  /** Newest first: the copies this host trusts. */
  manifests: Manifest[];
  /** Copies whose manifest and object disagree with the signing key or the bucket's own record; never restored. */
  refused: Array<{ fileName: string; key: string; createdAt: string; problem: string }>;
  /** Manifests that could not be read or were refused, and objects under the prefix that no manifest names. */
  problems: string[];
  /** Objects no manifest names: not backups, never touched by retention. */
  strays: string[];
  /** Whether the manifests were checked against a signing key (offsite.signingKeyEnv). */
  signed: boolean;
}

/**
 * Everything the bucket says about its backups, from the bucket alone: works on
 * a fresh host with nothing but the config, the credentials and the signing key.
 */
export async function readBucket(bucket: Bucket): Promise<BucketListing> {
  const records = new Map((await bucket.list()).map((r) => [r.key, r]));
  const keys = [...records.keys()];
  const manifests: Manifest[] = [];
  const refused: BucketListing['refused'] = [];
  const problems: string[] = [];
  for (const key of keys.filter(isManifestKey)) {
    let m: Manifest;
    try {
      m = parseManifest(await bucket.getText(key), key, bucket.prefix);
    } catch (e) {
      problems.push(oneLine(e));
      continue;
    }
    const problem = distrust(m, { manifest: records.get(key), object: records.get(m.object.key) }, bucket.signingKey);
    if (problem) {
      refused.push({ fileName: m.fileName, key: m.object.key, createdAt: m.createdAt, problem });
      problems.push(`${m.fileName}: ${problem}`);
    } else manifests.push(m);
  }
  // A refused manifest's object is still named: not a stray, never cleaned up as one.
  const named = new Set([...manifests.map((m) => m.object.key), ...refused.map((r) => r.key)]);
  const strays = keys.filter((k) => !isManifestKey(k) && !named.has(k));
  for (const m of manifests)
    if (!records.has(m.object.key)) problems.push(`${m.fileName}: its object ${m.object.key} is missing`);
  const newestFirst = <T extends { createdAt: string; fileName: string }>(a: T, b: T) =>
    b.createdAt.localeCompare(a.createdAt) || b.fileName.localeCompare(a.fileName);
  manifests.sort(newestFirst);
  refused.sort(newestFirst);
  return { manifests, refused, problems, strays, signed: bucket.signingKey !== null };
}

/**
 * `latest` or a backup file name (with or without the bucket prefix). A refused copy is
 * never restored, and `latest` never quietly falls back past a refused newer one.
 */
export async function findManifest(bucket: Bucket, name: string): Promise<Manifest> {
  const { manifests, refused } = await readBucket(bucket);
  const bare = name.startsWith(bucket.prefix) ? name.slice(bucket.prefix.length) : name;
  const newest = manifests[0];
  const bad =
    name === 'latest'
      ? refused.find((r) => !newest || r.createdAt > newest.createdAt)
      : refused.find((r) => r.fileName === bare || r.key === name);
  if (bad) {
    const hint = name === 'latest' && newest ? `; name an older copy to restore it (switchyard offsite list)` : '';
    throw failed(`off-site copy ${bad.fileName}: ${bad.problem}${hint}`);
  }
  if (name === 'latest') {
    if (!newest) throw notFound(`bucket "${bucket.name}" holds no switchyard backup under "${bucket.prefix}"`);
    return newest;
  }
  const found = manifests.find((m) => m.fileName === bare || m.object.key === name);
  if (!found)
    throw notFound(`no off-site backup named ${name} in bucket "${bucket.name}" (see switchyard offsite list)`);
  return found;
}
