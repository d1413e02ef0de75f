import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OffsiteConfig } from '../config/index.js';
import { configError } from '../errors.js';
import type { Manifest } from './manifest.js';

/**
 * Why a copy in the bucket is trusted. The bucket key lets anyone write any object and any
 * manifest (the age recipients are public, the manifest is plaintext), so nothing read from
 * the bucket alone can tell a forged copy from a real one. What the key holder lacks is the
 * signing key: manifests are signed with HMAC-SHA256 under a secret kept on the host and in
 * the recovery kit, and the manifest binds the object by its sha256, size and ETag. A forged
 * or altered manifest, or one moved under another backup's name, is refused.
 */

const SIGNATURE = /^hmac-sha256:[0-9a-f]{64}$/;
export const MIN_SIGNING_KEY_CHARS = 32;

/** The signing key from the environment variable the config names; null when signing is off. */
export function signingKeyFrom(offsite: OffsiteConfig, env: NodeJS.ProcessEnv): Buffer | null {
  const name = offsite.signingKeyEnv;
  if (!name) return null;
  const value = env[name];
  if (!value) throw configError(`offsite.signingKeyEnv: environment variable ${name} is not set`);
  if (value.length < MIN_SIGNING_KEY_CHARS)
    throw configError(
      `offsite.signingKeyEnv: ${name} holds ${value.length} characters, at least ${MIN_SIGNING_KEY_CHARS} are needed (openssl rand -hex 32)`,
    );
  return Buffer.from(value, 'utf8');
}

/** The manifest's signature: the HMAC of its canonical JSON (keys sorted), its own signature left out. */
export function signatureOf(m: Manifest, key: Buffer): string {
  const { signature: _, ...signed } = m;
  return `hmac-sha256:${createHmac('sha256', key).update(canonicalJson(signed)).digest('hex')}`;
}

export function signManifest(m: Manifest, key: Buffer | null): Manifest {
  return key ? { ...m, signature: signatureOf(m, key) } : m;
}

/** What the bucket itself records about one object (from the listing, not from anything we wrote). */
export interface BucketRecord {
  key: string;
  sizeBytes: number | null;
  lastModified: Date | null;
  etag: string | null;
}

/**
 * Why a manifest and its object cannot be trusted, or null. Checked before any download:
 * the signature (when this host signs), then the bucket's own record of the object against
 * the manifest (size, ETag recorded at upload, and an object written after its manifest, which
 * an upload never does), unless the manifest recorded a version. A missing object is reported by
 * the catalog, not here.
 */
export function distrust(
  m: Manifest,
  records: { manifest: BucketRecord | undefined; object: BucketRecord | undefined },
  key: Buffer | null,
): string | null {
  if (key) {
    if (!m.signature)
      return 'its manifest is not signed (forged, or written before offsite.signingKeyEnv was set); refusing it';
    const expected = Buffer.from(signatureOf(m, key));
    const got = Buffer.from(m.signature);
    if (!SIGNATURE.test(m.signature) || got.length !== expected.length || !timingSafeEqual(got, expected))
      return 'its manifest signature does not match the signing key (forged or altered); refusing it';
  }
  const object = records.object;
  // On a versioned bucket the download asks for the version recorded at upload: a newer current version is not it.
  if (!object || m.object.versionId) return null;
  if (object.sizeBytes !== null && object.sizeBytes !== m.object.sizeBytes)
    return `the bucket holds ${object.sizeBytes} bytes for ${object.key}, its manifest says ${m.object.sizeBytes}; refusing it`;
  if (m.object.etag && object.etag && object.etag !== m.object.etag)
    return `${object.key} is not the object uploaded (ETag ${object.etag}, the manifest recorded ${m.object.etag}); refusing it`;
  const manifestAt = records.manifest?.lastModified;
  if (object.lastModified && manifestAt && object.lastModified > manifestAt)
    return `${object.key} was written after its manifest (${object.lastModified.toISOString()}), which an upload never does; refusing it`;
  return null;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
