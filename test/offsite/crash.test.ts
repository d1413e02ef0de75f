import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow } from '../../src/backup/index.js';
import { parseConfig } from '../../src/config/index.js';
import { pushPending } from '../../src/offsite/push.js';
import { openStore } from '../../src/store/index.js';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { SAMPLE_SCHEMA, tableDigest } from '../fixtures/data.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';
import { ageKeyPair, startS3, type S3Server } from '../fixtures/s3.js';

const hasAge = () => spawnSync('age', ['--version']).status === 0;
const RESTORE_STEPS = ['check', 'download', 'restore database'];

/**
 * A fresh host (its own PostgreSQL server, an empty state dir) restoring from
 * the bucket, killed (SIGKILL, SWITCHYARD_FAULT_KILL_AT) just before each step;
 * then `switchyard recover`, as the next start would. Afterwards: the database
 * is still missing (nothing half-restored), no temp file, the lock free, the
 * record finished; and the restore, run again, succeeds.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()) && need('age (apt-get install age)', hasAge()))(
  'crash at every step boundary of restore --offsite',
  () => {
    let origin: PgCluster;
    let host: PgCluster;
    let s3: S3Server;
    let ctx: TestContext;
    let fresh: TestContext;
    let identity: string;
    const savedEnv = { ...process.env };
    const databaseExists = () =>
      host.psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = 'app'`) === '1';

    beforeAll(async () => {
      [origin, host] = await Promise.all([startPgCluster(), startPgCluster()]);
      origin.createDatabase('app');
      origin.psql('app', SAMPLE_SCHEMA);
      s3 = await startS3();
      Object.assign(process.env, s3.env);
      ctx = testContext({ database: `{ url: ${JSON.stringify(origin.url('app'))} }` });
      const key = ageKeyPair(ctx.root);
      identity = key.identityFile;
      const offsite = s3.offsiteYaml({ recipients: [key.recipient] });
      ctx.config = parseConfig(`${fs.readFileSync(ctx.configFile, 'utf8')}\n${offsite}`);
      await backupNow(ctx, { reason: 'manual', actor: 'test' });
      expect((await pushPending(ctx)).every((o) => o.ok)).toBe(true);
      fresh = testContext({ database: `{ url: ${JSON.stringify(host.url('app'))} }`, extra: offsite });
      fresh.store.close();
    });
    afterAll(async () => {
      process.env = savedEnv;
      ctx?.cleanup();
      if (fresh) fs.rmSync(fresh.root, { recursive: true, force: true });
      await s3?.stop();
      await Promise.all([origin?.stop(), host?.stop()]);
    });

    const restore = (env: NodeJS.ProcessEnv = {}) =>
      switchyard(['restore', '--offsite', 'latest', '--identity', identity, '--config', fresh.configFile], {
        ...s3.env,
        ...env,
      });

    for (const step of RESTORE_STEPS) {
      it(`killed before "${step}": recover leaves no half-done state, and the restore then succeeds`, async () => {
        const crashed = await restore({ SWITCHYARD_FAULT_KILL_AT: step });
        expect(crashed.code, `the process should die before "${step}": ${crashed.stderr}`).toBe(-1); // killed by a signal
        const recovered = await switchyard(['recover', '--config', fresh.configFile], s3.env);
        expect(recovered.code, recovered.stderr).toBe(0);

        expect(databaseExists()).toBe(false);
        const dir = fresh.config.backups.dir;
        expect(fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.partial')) : []).toEqual([]);
        const store = openStore(fresh.config.stateDir);
        try {
          expect(store.lock.holder()).toBeUndefined();
          expect(store.deployments.unfinished()).toEqual([]);
          expect(store.deployments.list(1)[0]).toMatchObject({ kind: 'restore', status: 'interrupted' });
        } finally {
          store.close();
        }

        const again = await restore();
        expect(again.code, again.stdout + again.stderr).toBe(0);
        for (const table of ['requests', 'comments'])
          expect(host.psql('app', tableDigest(table))).toBe(origin.psql('app', tableDigest(table)));
        host.psql('postgres', 'DROP DATABASE app WITH (FORCE)'); // the next round starts from a missing database again
      });
    }
  },
);
