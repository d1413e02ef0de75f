import { configPath, loadConfig, type Config } from '../config/index.js';
import { registerConfigSecrets } from '../config/secrets.js';
import type { Actor } from '../domain/roles.js';
import { openBucket, type Bucket } from '../offsite/bucket.js';
import { readBucket, type BucketListing } from '../offsite/catalog.js';
import { drillFromOffsite, type OffsiteDrillReport } from '../offsite/drill.js';
import { offsiteConfig, pushPending, type PushOutcome } from '../offsite/push.js';
import { restoreFromOffsite, type OffsiteRestoreResult } from '../offsite/restore.js';
import { verifyOffsite, type VerifyReport } from '../offsite/verify.js';
import type { Redactor } from '../util/redact.js';
import { authorize } from './authorize.js';
import { parseBackupId } from './backups.js';
import { deployPorts } from './ports/deploy.js';
import type { RuntimeSource } from './runtime.js';

export type { BucketListing } from '../offsite/catalog.js';
export type { OffsiteDrillReport } from '../offsite/drill.js';
export type { PushOutcome } from '../offsite/push.js';
export type { OffsiteRestoreResult } from '../offsite/restore.js';
export type { VerifyReport } from '../offsite/verify.js';

/** `offsite verify`'s answer: the checks, and whether the manifest's signature was one of them. */
export type OffsiteVerification = VerifyReport & { signed: boolean };

/** What `restore --offsite` is asked: the copy, the key to decrypt it, and how far to go. */
export interface OffsiteRestoreInput {
  /** `latest` or a backup file name from `offsite list`. */
  name: string;
  identityFile: string | null;
  withImages: boolean;
  force: boolean;
  /** Download progress and phase lines, for the terminal. */
  onProgress?: (line: string) => void;
}

/**
 * The bucket on its own: what it holds and whether a copy verifies. Needs the config and the credentials
 * only, never the state, so a fresh host can read it before anything else exists.
 */
export class OffsiteBucket {
  constructor(private readonly open: () => Bucket) {}

  /** The copies the bucket holds, newest first, with those refused and the objects no manifest names. */
  async list(): Promise<BucketListing & { bucket: string; prefix: string }> {
    const bucket = this.open();
    return { ...(await readBucket(bucket)), bucket: bucket.name, prefix: bucket.prefix };
  }

  /** Downloads, decrypts and checks one copy (`latest` or a name) in a temp dir, and reads the dump back. */
  async verify(name: string, identityFile: string | null): Promise<OffsiteVerification> {
    const bucket = this.open();
    return { ...(await verifyOffsite(bucket, name, identityFile)), signed: bucket.signingKey !== null };
  }
}

/**
 * The bucket from the config file alone, for `offsite list` and `offsite verify`: the Runtime would open
 * (and on a fresh host create) the state database, which reading the bucket never needs. The bucket's
 * keys are registered with `redactor`, so no error printed through it shows them.
 */
export function openOffsiteBucket(options: {
  config: string | undefined;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
}): OffsiteBucket {
  const config = loadConfig(configPath(options.config, options.env), options.redactor);
  registerConfigSecrets(options.redactor, config, options.env);
  return bucketOf(() => config, options.env);
}

const bucketOf = (config: () => Pick<Config, 'offsite'>, env: NodeJS.ProcessEnv) =>
  new OffsiteBucket(() => openBucket(offsiteConfig({ config: config() }), env));

/** Off-site copies: the bucket, push, verify, drill and restore from it. */
export class Offsite {
  constructor(private readonly runtime: RuntimeSource) {}

  /** The configured bucket, read with this process's credentials. */
  bucket(): OffsiteBucket {
    return bucketOf(() => this.runtime().config, process.env);
  }

  /** The due uploads now (or one backup's, even while it waits to retry), for hosts without the daemon. */
  async push(actor: Actor, backupId?: string | number): Promise<PushOutcome[]> {
    authorize(actor, 'back up');
    const only = backupId === undefined ? undefined : parseBackupId(backupId);
    return pushPending(this.runtime(), { only });
  }

  /** The DR drill from the bucket: the newest copy or a named one, downloaded and verified first. */
  async drill(actor: Actor, input: { name?: string; identityFile: string | null }): Promise<OffsiteDrillReport> {
    authorize(actor, 'back up');
    return drillFromOffsite(this.runtime(), input.name ?? 'latest', input.identityFile, actor.name);
  }

  /** The emergency restore from the bucket, run on the deploy ports and journaled as a deployment of kind restore. */
  async restore(actor: Actor, input: OffsiteRestoreInput): Promise<OffsiteRestoreResult> {
    authorize(actor, 'back up');
    const runtime = this.runtime();
    return restoreFromOffsite(runtime, deployPorts(runtime), { ...input, actor: actor.name });
  }
}
