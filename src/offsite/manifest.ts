import { z } from 'zod';
import type { BackupRow, RunningPair } from '../store/index.js';

export const MANIFEST_FORMAT = 'switchyard-offsite/1';
const MANIFEST_SUFFIX = '.manifest.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What the bucket knows about one backup, in plaintext (no row data): enough to
 * list, verify and restore it, and to bring back the pair that was running, on a
 * host that has nothing but the config and the credentials. Written last: an
 * object without a manifest is not a backup.
 */
export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/),
  createdAt: z.string(),
  reason: z.enum(['manual', 'scheduled', 'pre-deploy', 'pre-rollback']),
  note: z.string().nullable(),
  databaseName: z.string(),
  serverVersion: z.string().nullable(),
  rowCounts: z.record(z.string(), z.number()),
  schemaFingerprint: z.string(),
  plain: z.object({ sizeBytes: z.number().int().nonnegative(), sha256 }),
  object: z.object({
    key: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256,
    encryption: z.enum(['age', 'none']),
    recipients: z.array(z.string()),
    /** The bucket's own identity of the object as uploaded (null where the bucket gives none, or from older versions). */
    etag: z.string().nullable().default(null),
    versionId: z.string().nullable().default(null),
  }),
  pair: z
    .object({ commit: z.string().nullable(), version: z.string().nullable(), images: z.record(z.string(), z.string()) })
    .nullable(),
  uploadedAt: z.string(),
  /** HMAC of the rest under the host's signing key (src/offsite/trust.ts); null when the host does not sign. */
  signature: z.string().nullable().default(null),
});

export type Manifest = z.output<typeof manifestSchema>;

/** The encrypted copy of a backup file: the file's own name, plus .age when encrypted. */
export function objectKey(prefix: string, fileName: string, encrypted: boolean): string {
  return `${prefix}${fileName}${encrypted ? '.age' : ''}`;
}

export function manifestKey(prefix: string, fileName: string): string {
  return `${prefix}${fileName}${MANIFEST_SUFFIX}`;
}

export function isManifestKey(key: string): boolean {
  return key.endsWith(MANIFEST_SUFFIX);
}

export function buildManifest(
  backup: BackupRow,
  pair: RunningPair | null,
  object: Manifest['object'],
  uploadedAt: Date,
): Manifest {
  return {
    format: MANIFEST_FORMAT,
    fileName: backup.fileName,
    createdAt: backup.createdAt,
    reason: backup.reason,
    note: backup.note,
    databaseName: backup.databaseName,
    serverVersion: backup.serverVersion,
    rowCounts: backup.rowCounts ?? {},
    schemaFingerprint: backup.schemaFingerprint ?? '',
    plain: { sizeBytes: backup.sizeBytes ?? 0, sha256: backup.sha256 ?? '' },
    object,
    pair,
    uploadedAt: uploadedAt.toISOString(),
    signature: null,
  };
}

/**
 * Parses a manifest read from the bucket and checks it names only keys under
 * the prefix that belong to it: a tampered manifest never points a restore or a
 * deletion elsewhere.
 */
export function parseManifest(text: string, key: string, prefix: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${key} is not JSON`);
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success)
    throw new Error(
      `${key} is not a switchyard manifest: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
    );
  const m = parsed.data;
  if (manifestKey(prefix, m.fileName) !== key) throw new Error(`${key} names another backup (${m.fileName})`);
  if (m.object.key !== objectKey(prefix, m.fileName, m.object.encryption === 'age'))
    throw new Error(`${key} points outside its backup (${m.object.key})`);
  return m;
}
