import type { OffsiteConfig } from '../config/index.js';
import { oneLine } from '../errors.js';
import { collect } from '../util/process.js';
import { startEncrypt } from './age.js';
import { openBucket, type BucketProtection } from './bucket.js';

export interface ProbeResult {
  ok: boolean;
  detail: string;
  fix: string;
}

/**
 * doctor's off-site check: the credentials and the bucket, by putting, reading
 * back and deleting a probe object under the prefix; and the recipients, by
 * encrypting a few bytes to them with `age`.
 */
export async function probeOffsite(offsite: OffsiteConfig, env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult> {
  const where = `s3://${offsite.s3.bucket}/${offsite.s3.prefix}`;
  try {
    const bucket = openBucket(offsite, env);
    const key = `${offsite.s3.prefix}.switchyard-probe-${process.pid}-${Date.now()}`;
    const body = `switchyard doctor ${new Date().toISOString()}`;
    await bucket.put(key, body);
    const back = await bucket.getText(key);
    await bucket.delete(key);
    if (back !== body)
      return {
        ok: false,
        detail: `${where}: the probe object read back different`,
        fix: 'check the endpoint (a proxy or cache in between?)',
      };
  } catch (e) {
    return {
      ok: false,
      detail: oneLine(e),
      fix: 'check offsite.s3 (bucket, endpoint, region) and the credentials in the environment variables it names',
    };
  }
  if (offsite.encrypt.recipients.length === 0) {
    return {
      ok: true,
      detail: `${where}: put, get and delete work; copies are NOT encrypted (allowUnencrypted)`,
      fix: '',
    };
  }
  const r = await collect(startEncrypt(offsite.encrypt.recipients), 'probe');
  if (r.code !== 0) {
    return {
      ok: false,
      detail: `age cannot encrypt to the recipients: ${r.stderr.split('\n')[0] || `exit ${r.code}`}`,
      fix: 'apt-get install age; check offsite.encrypt.recipients (age-keygen -y key.txt prints one)',
    };
  }
  return {
    ok: true,
    detail: `${where}: put, get and delete work; encrypting to ${offsite.encrypt.recipients.length} age recipient(s)`,
    fix: '',
  };
}

export interface ProtectionResult extends ProbeResult {
  /** Passes, but something the operator should know: the copies are less protected than they could be. */
  warn: boolean;
}

/**
 * doctor's report of what protects the copies from a holder of the bucket key: the manifest
 * signature (ours) and the bucket's own versioning and Object Lock (where the server has them).
 * Fails only when the config asks for Object Lock the bucket cannot give (every upload would be refused).
 */
export function judgeProtection(
  offsite: Pick<OffsiteConfig, 'objectLock' | 'keep'>,
  p: BucketProtection,
  signed: boolean,
): ProtectionResult {
  const said = (v: 'unsupported' | 'unknown') =>
    v === 'unsupported' ? 'not supported by this bucket' : 'unknown (the key may not read it)';
  const versioning = p.versioning;
  const lock = p.objectLock;
  const parts = [
    signed ? 'manifests signed' : 'manifests NOT signed',
    `versioning ${versioning === 'unsupported' || versioning === 'unknown' ? said(versioning) : versioning}`,
    `Object Lock ${
      typeof lock === 'object'
        ? `enabled${lock.mode ? ` (default ${lock.mode}, ${lock.days ?? '?'} days)` : ''}`
        : lock === 'off'
          ? 'off'
          : said(lock)
    }`,
    offsite.objectLock ? `copies locked (${offsite.objectLock}) for ${offsite.keep.days} days` : 'copies not locked',
  ];
  const detail = parts.join('; ');
  if (offsite.objectLock && (lock === 'off' || lock === 'unsupported'))
    return {
      ok: false,
      warn: false,
      detail,
      fix: 'offsite.objectLock needs a bucket with Object Lock enabled (it refuses locked uploads otherwise); enable it or remove offsite.objectLock',
    };
  const fixes = [
    signed
      ? ''
      : 'set offsite.signingKeyEnv (a secret kept on the host and in the recovery kit) so forged copies are refused',
    offsite.objectLock
      ? ''
      : 'enable Object Lock on the bucket and set offsite.objectLock so the key cannot delete or overwrite copies',
  ].filter(Boolean);
  return { ok: true, warn: fixes.length > 0, detail, fix: fixes.join('; ') };
}

/** Reads the bucket's protection settings and judges them (doctor's "off-site copies protected"). */
export async function probeProtection(
  offsite: OffsiteConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProtectionResult> {
  try {
    const bucket = openBucket(offsite, env);
    return judgeProtection(offsite, await bucket.protection(), bucket.signingKey !== null);
  } catch (e) {
    return {
      ok: false,
      warn: false,
      detail: oneLine(e),
      fix: 'check offsite.s3, offsite.signingKeyEnv and the environment variables they name',
    };
  }
}
