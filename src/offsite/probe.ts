import type { OffsiteConfig } from '../config/index.js';
import { oneLine } from '../errors.js';
import { collect } from '../util/process.js';
import { startEncrypt } from './age.js';
import { openBucket } from './bucket.js';

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
