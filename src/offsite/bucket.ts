import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { OffsiteConfig } from '../config/index.js';
import { authError, configError, failed, notFound, oneLine, type SwitchyardError } from '../errors.js';
import { signingKeyFrom, type BucketRecord } from './trust.js';

/**
 * The few things off-site copies need from a bucket, every key under the
 * configured prefix. A narrow port: the decisions are tested without S3, and
 * the real one is exercised against an S3 protocol server.
 */
export interface Bucket {
  readonly name: string;
  readonly prefix: string;
  /** The key manifests are signed and checked with (offsite.signingKeyEnv); null when this host does not sign. */
  readonly signingKey: Buffer | null;
  /**
   * Streams a body of unknown length as a multipart upload with bounded memory; resolves with the part count and
   * the bucket's own ETag and version of the object. `retainUntil` puts it under Object Lock (offsite.objectLock).
   */
  upload(key: string, body: Readable, onProgress?: (bytes: number) => void, retainUntil?: Date): Promise<Uploaded>;
  put(key: string, body: string, retainUntil?: Date): Promise<void>;
  getText(key: string): Promise<string>;
  /** The object, or the given version of it (what the manifest recorded, on a versioned bucket). */
  getStream(key: string, versionId?: string | null): Promise<{ body: Readable; size: number | null }>;
  /** Every object under the prefix, as the bucket records it. */
  list(): Promise<BucketRecord[]>;
  delete(key: string): Promise<void>;
  /** The bucket's own protection of its objects, as far as it answers. */
  protection(): Promise<BucketProtection>;
}

export interface Uploaded {
  parts: number;
  etag: string | null;
  versionId: string | null;
}

/** `unsupported`: the server does not implement the setting; `unknown`: the key may not read it. */
export interface BucketProtection {
  versioning: 'enabled' | 'suspended' | 'off' | 'unsupported' | 'unknown';
  objectLock: { mode: 'governance' | 'compliance' | null; days: number | null } | 'off' | 'unsupported' | 'unknown';
}

/** 8 MiB parts, 4 in flight: at most ~32 MiB of a dump in memory whatever its size. */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
const UPLOAD_QUEUE = 4;

/**
 * The AWS SDK (~400 ms and ~25 MB to load) is imported at a process's first request to a bucket, once: a
 * command or a daemon that never goes off-site never loads it, although this module is imported widely.
 */
let sdkModules: Promise<[typeof import('@aws-sdk/client-s3'), typeof import('@aws-sdk/lib-storage')]> | undefined;
const loadSdk = () => (sdkModules ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]));

/**
 * Opens the configured bucket. The credentials are read from the environment
 * variables the config names and go only into the SDK client: never into argv,
 * a child's environment, a log line or an error.
 */
export function openBucket(
  config: OffsiteConfig,
  env: NodeJS.ProcessEnv = process.env,
  partBytes = UPLOAD_PART_BYTES,
): Bucket {
  const s3 = config.s3;
  const accessKeyId = env[s3.accessKeyIdEnv];
  const secretAccessKey = env[s3.secretAccessKeyEnv];
  if (!accessKeyId)
    throw configError(`offsite.s3.accessKeyIdEnv: environment variable ${s3.accessKeyIdEnv} is not set`);
  if (!secretAccessKey)
    throw configError(`offsite.s3.secretAccessKeyEnv: environment variable ${s3.secretAccessKeyEnv} is not set`);
  // switchyard supports Node 20; the SDK's advice to upgrade would break the CLI's "stderr is the one-line error".
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let client: S3Client | undefined;
  /** The SDK, and this bucket's client made at its first request. */
  const open = async () => {
    const [sdk, { Upload }] = await loadSdk();
    client ??= new sdk.S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle,
      credentials: { accessKeyId, secretAccessKey },
      // Checksums only where S3 requires them: S3-compatible servers (B2, MinIO, s3rver) differ on the newer CRCs.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
    return { sdk, Upload, client };
  };
  const Bucket = s3.bucket;
  const signingKey = signingKeyFrom(config, env);
  // Object Lock parameters need a checksum on the request (S3 refuses them without one).
  const lock = (retainUntil: Date | undefined) =>
    retainUntil && config.objectLock
      ? {
          ObjectLockMode: config.objectLock === 'compliance' ? ('COMPLIANCE' as const) : ('GOVERNANCE' as const),
          ObjectLockRetainUntilDate: retainUntil,
          ChecksumAlgorithm: 'CRC32' as const,
        }
      : {};
  // What a server that lacks a setting, or a key that may not read it, answers instead of the setting.
  const unanswered = (e: unknown): 'unsupported' | 'unknown' | null => {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === 'NotImplemented' || err.$metadata?.httpStatusCode === 501) return 'unsupported';
    if (err.name === 'AccessDenied' || err.$metadata?.httpStatusCode === 403) return 'unknown';
    return null;
  };
  const fail = (op: string, key: string | null, e: unknown) =>
    s3Error(e, op, s3.bucket, key, [accessKeyId, secretAccessKey], config);
  const guard = <T>(op: string, key: string | null, run: () => Promise<T>) =>
    run().catch((e: unknown) => Promise.reject(fail(op, key, e)));

  return {
    name: s3.bucket,
    prefix: s3.prefix,
    signingKey,
    upload: (Key, body, onProgress, retainUntil) =>
      guard('upload', Key, async () => {
        const { Upload, client } = await open();
        const upload = new Upload({
          client,
          params: { Bucket, Key, Body: body, ...lock(retainUntil) },
          partSize: partBytes,
          queueSize: UPLOAD_QUEUE,
          leavePartsOnError: false,
        });
        let parts = 0;
        upload.on('httpUploadProgress', (p) => {
          parts = Math.max(parts, p.part ?? 0);
          if (onProgress && p.loaded !== undefined) onProgress(p.loaded);
        });
        const done = await upload.done();
        return { parts, etag: unquote(done.ETag), versionId: done.VersionId ?? null };
      }),
    put: (Key, body, retainUntil) =>
      guard('put', Key, async () => {
        const { sdk, client } = await open();
        await client.send(
          new sdk.PutObjectCommand({ Bucket, Key, Body: body, ContentType: 'application/json', ...lock(retainUntil) }),
        );
      }),
    getText: (Key) =>
      guard('get', Key, async () => {
        const { sdk, client } = await open();
        const res = await client.send(new sdk.GetObjectCommand({ Bucket, Key }));
        return res.Body!.transformToString();
      }),
    getStream: (Key, versionId) =>
      guard('get', Key, async () => {
        const { sdk, client } = await open();
        const res = await client.send(new sdk.GetObjectCommand({ Bucket, Key, VersionId: versionId ?? undefined }));
        return { body: res.Body as Readable, size: res.ContentLength ?? null };
      }),
    list: () =>
      guard('list', null, async () => {
        const { sdk, client } = await open();
        const records: BucketRecord[] = [];
        let token: string | undefined;
        do {
          const res = await client.send(
            new sdk.ListObjectsV2Command({ Bucket, Prefix: s3.prefix, ContinuationToken: token }),
          );
          for (const o of res.Contents ?? [])
            if (o.Key)
              records.push({
                key: o.Key,
                sizeBytes: o.Size ?? null,
                lastModified: o.LastModified ?? null,
                etag: unquote(o.ETag),
              });
          token = res.IsTruncated ? res.NextContinuationToken : undefined;
        } while (token);
        return records;
      }),
    delete: (Key) =>
      guard('delete', Key, async () => {
        if (!Key.startsWith(s3.prefix)) throw new Error(`refusing to delete ${Key}, outside the prefix`);
        const { sdk, client } = await open();
        await client.send(new sdk.DeleteObjectCommand({ Bucket, Key }));
      }),
    protection: () =>
      guard('read the protection of', null, async () => {
        const { sdk, client } = await open();
        const versioning = await client.send(new sdk.GetBucketVersioningCommand({ Bucket })).then(
          (r): BucketProtection['versioning'] =>
            r.Status === 'Enabled' ? 'enabled' : r.Status === 'Suspended' ? 'suspended' : 'off',
          (e: unknown) => unanswered(e) ?? Promise.reject(e),
        );
        const objectLock = await client.send(new sdk.GetObjectLockConfigurationCommand({ Bucket })).then(
          (r): BucketProtection['objectLock'] => {
            const c = r.ObjectLockConfiguration;
            if (c?.ObjectLockEnabled !== 'Enabled') return 'off';
            const d = c.Rule?.DefaultRetention;
            const mode = d?.Mode === 'COMPLIANCE' ? 'compliance' : d?.Mode === 'GOVERNANCE' ? 'governance' : null;
            return { mode, days: d?.Days ?? (d?.Years ? d.Years * 365 : null) };
          },
          (e: unknown) =>
            (e as { name?: string }).name === 'ObjectLockConfigurationNotFoundError'
              ? ('off' as const)
              : (unanswered(e) ?? Promise.reject(e)),
        );
        return { versioning, objectLock };
      }),
  };
}

const unquote = (etag: string | undefined): string | null => (etag ? etag.replace(/^"|"$/g, '') : null);

/**
 * One line naming the bucket and what to do, never the credentials: the SDK's
 * own message is used only for unknown errors, and then with the secrets cut out.
 */
export function s3Error(
  e: unknown,
  op: string,
  bucket: string,
  key: string | null,
  secrets: string[],
  config: OffsiteConfig,
): SwitchyardError {
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  const where = `bucket "${bucket}"${config.s3.endpoint ? ` at ${config.s3.endpoint}` : ''}`;
  if (name === 'NoSuchBucket') return notFound(`${where} does not exist`);
  if (name === 'NoSuchKey' || (status === 404 && key)) return notFound(`${key} is not in ${where}`);
  if (
    ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken'].includes(name) ||
    status === 403
  ) {
    return authError(
      `${where} refused the credentials from ${config.s3.accessKeyIdEnv}/${config.s3.secretAccessKeyEnv} (${name || `HTTP ${status}`})`,
    );
  }
  const code = err.code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE|EAI_AGAIN)$/.test(code)) {
    return failed(`cannot reach ${where} (${code}) during ${op}${key ? ` of ${key}` : ''}`);
  }
  let text = oneLine(e);
  for (const s of secrets) text = text.split(s).join('***');
  return failed(`S3 ${op}${key ? ` of ${key}` : ''} in ${where} failed: ${name ? `${name}: ` : ''}${text}`);
}
