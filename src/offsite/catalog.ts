import { notFound, oneLine } from '../errors.js';
import type { Bucket } from './bucket.js';
import { isManifestKey, parseManifest, type Manifest } from './manifest.js';

export interface BucketListing {
  /** Newest first. */
  manifests: Manifest[];
  /** Manifests that could not be read, and objects under the prefix that no manifest names. */
  problems: string[];
  /** Objects no manifest names: not backups, never touched by retention. */
  strays: string[];
}

/**
 * Everything the bucket says about its backups, from the bucket alone: works on
 * a fresh host with nothing but the config and the credentials.
 */
export async function readBucket(bucket: Bucket): Promise<BucketListing> {
  const keys = await bucket.list();
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  for (const key of keys.filter(isManifestKey)) {
    try {
      manifests.push(parseManifest(await bucket.getText(key), key, bucket.prefix));
    } catch (e) {
      problems.push(oneLine(e));
    }
  }
  const named = new Set(manifests.map((m) => m.object.key));
  const strays = keys.filter((k) => !isManifestKey(k) && !named.has(k));
  for (const m of manifests)
    if (!keys.includes(m.object.key)) problems.push(`${m.fileName}: its object ${m.object.key} is missing`);
  manifests.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.fileName.localeCompare(a.fileName));
  return { manifests, problems, strays };
}

/** `latest` or a backup file name (with or without the bucket prefix). */
export async function findManifest(bucket: Bucket, name: string): Promise<Manifest> {
  const { manifests } = await readBucket(bucket);
  if (name === 'latest') {
    const newest = manifests[0];
    if (!newest) throw notFound(`bucket "${bucket.name}" holds no switchyard backup under "${bucket.prefix}"`);
    return newest;
  }
  const bare = name.startsWith(bucket.prefix) ? name.slice(bucket.prefix.length) : name;
  const found = manifests.find((m) => m.fileName === bare || m.object.key === name);
  if (!found)
    throw notFound(`no off-site backup named ${name} in bucket "${bucket.name}" (see switchyard offsite list)`);
  return found;
}
