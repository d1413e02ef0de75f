import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow } from '../../src/backup/index.js';
import { parseConfig } from '../../src/config/index.js';
import { Notifier } from '../../src/notify/index.js';
import { registerConfigSecrets } from '../../src/config/secrets.js';
import { openBucket } from '../../src/offsite/bucket.js';
import { readBucket } from '../../src/offsite/catalog.js';
import { probeOffsite } from '../../src/offsite/probe.js';
import { pushPending } from '../../src/offsite/push.js';
import { startOffsiteWorker } from '../../src/offsite/worker.js';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { SAMPLE_SCHEMA } from '../fixtures/data.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';
import { ageKeyPair, S3_SECRET_KEY, startS3, type S3Server } from '../fixtures/s3.js';

const hasAge = () => spawnSync('age', ['--version']).status === 0;

describe.runIf(need('PostgreSQL server binaries', hasPostgres()) && need('age (apt-get install age)', hasAge()))(
  'off-site copies over time',
  () => {
    let pg: PgCluster;
    let s3: S3Server;
    let ctx: TestContext;
    let base: string;
    let hooks: { server: http.Server; received: Array<Record<string, unknown>> };
    const savedEnv = { ...process.env };
    const configure = (extra: string) => {
      ctx.config = parseConfig(`${fs.readFileSync(ctx.configFile, 'utf8')}\n${extra}`);
      fs.writeFileSync(ctx.configFile, `${fs.readFileSync(ctx.configFile, 'utf8').split('\noffsite:')[0]}\n${extra}`);
      registerConfigSecrets(ctx.redactor, ctx.config, process.env); // as a reload does
      ctx.notifier = new Notifier(ctx.config.notify, ctx.log, ctx.redactor);
    };

    beforeAll(async () => {
      pg = await startPgCluster();
      pg.createDatabase('app');
      pg.psql('app', SAMPLE_SCHEMA);
      s3 = await startS3();
      Object.assign(process.env, s3.env);
      const received: Array<Record<string, unknown>> = [];
      const server = http.createServer((req, res) => {
        let text = '';
        req.on('data', (c: Buffer) => (text += c));
        req.on('end', () => {
          received.push(JSON.parse(text) as Record<string, unknown>);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      hooks = { server, received };
      const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      ctx = testContext({
        database: `{ url: ${JSON.stringify(pg.url('app'))} }`,
        extra: `notify: { webhooks: [{ url: ${hookUrl} }], retries: 0 }`,
      });
      base = fs.readFileSync(ctx.configFile, 'utf8');
      const key = ageKeyPair(ctx.root);
      configure(s3.offsiteYaml({ recipients: [key.recipient], keep: '{ last: 2, days: 0 }' }));
    });
    afterAll(async () => {
      process.env = savedEnv;
      ctx?.cleanup();
      hooks?.server.close();
      await s3?.stop();
      await pg?.stop();
    });

    it('the daemon worker copies a new backup in the background', async () => {
      const worker = startOffsiteWorker(ctx);
      try {
        const backup = await backupNow(ctx, { reason: 'scheduled', actor: 'test' });
        worker.kick();
        await waitFor(() => ctx.store.offsite.get(backup.id)?.state === 'uploaded');
      } finally {
        await worker.stop();
      }
    });

    it('sends a webhook for a failed upload, without secrets', async () => {
      await s3.kill();
      try {
        const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
        const [outcome] = await pushPending(ctx);
        expect(outcome).toMatchObject({ backupId: backup.id, ok: false });
        await ctx.notifier.idle();
        const hook = hooks.received.find((h) => h.event === 'offsite');
        expect(hook).toMatchObject({ event: 'offsite', ok: false });
        expect(String(hook!.summary)).toMatch(
          new RegExp(
            `off-site copy of ${backup.fileName} failed \\(attempt 1, next at .*\\): cannot reach bucket "switchyard-test"`,
          ),
        );
        expect(JSON.stringify(hooks.received)).not.toContain(S3_SECRET_KEY);
      } finally {
        await s3.restart();
      }
      // Asked for by id, a failed copy goes now, whatever its wait.
      const failed = ctx.store.offsite.all().find((r) => r.state === 'failed')!;
      const [retry] = await pushPending(ctx, { only: failed.backupId });
      expect(retry).toMatchObject({ backupId: failed.backupId, ok: true });
    });

    it('off-site retention keeps the newest `last` and never touches objects without a manifest or outside the prefix', async () => {
      const bucket = openBucket(ctx.config.offsite!);
      await bucket.put('prod/notes-from-ops.txt', 'not a backup');
      const outside = openBucket(parseConfig(`${base}\n${s3.offsiteYaml({ prefix: 'other/' })}`).offsite!);
      await outside.put('other/20200101T000000Z_app_manual.dump.manifest.json', '{}');
      await backupNow(ctx, { reason: 'manual', actor: 'test' });
      await pushPending(ctx); // the upload triggers retention
      const { manifests, strays } = await readBucket(bucket);
      const newest = ctx.store.backups
        .list({ status: 'ok' })
        .slice(0, 2)
        .map((b) => b.fileName);
      expect(manifests.map((m) => m.fileName)).toEqual(newest);
      expect(strays).toEqual(['prod/notes-from-ops.txt']);
      expect((await outside.list()).map((o) => o.key)).toEqual([
        'other/20200101T000000Z_app_manual.dump.manifest.json',
      ]);
      expect(ctx.store.audit.list(50).filter((a) => a.action === 'offsite.prune').length).toBeGreaterThanOrEqual(1);
    });

    it('shows each copy in `switchyard backups`, its JSON, the API, the Backups page and the Overview', async () => {
      const r = await switchyard(['backups', '--config', ctx.configFile], s3.env);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toContain('OFFSITE');
      expect(r.stdout).toMatch(/ uploaded /);
      const json = JSON.parse(
        (await switchyard(['backups', '--json', '--config', ctx.configFile], s3.env)).stdout,
      ) as Array<{ offsite: { state: string } | null }>;
      expect(json.every((b) => b.offsite?.state === 'uploaded')).toBe(true);

      const token = 'lifecycle-test-token-0123456789';
      const app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: token }, ctx.redactor));
      const res = await app.request('/api/system/backups', { headers: { Authorization: `Bearer ${token}` } });
      const body = (await res.json()) as {
        backups: Array<{ offsite: { state: string; key: string; uploadedAt: string } }>;
      };
      expect(body.backups[0]!.offsite).toMatchObject({
        state: 'uploaded',
        key: expect.stringMatching(/^prod\/.*\.age$/),
        uploadedAt: expect.any(String),
      });

      // The UI: the Backups page's column and the Overview's age of the newest off-site copy.
      const login = await app.request('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
        body: `token=${token}`,
      });
      expect(login.status).toBe(303);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await app.request('/backups', { headers: { Cookie: cookie } })).text();
      expect(page).toContain('<th scope="col">Off-site</th>');
      expect(page).toMatch(/data-label="Off-site"><span class="badge[^"]*">.*uploaded/);
      const overview = await (await app.request('/', { headers: { Cookie: cookie } })).text();
      expect(overview).toMatch(/Newest off-site copy: <a href="\/backups\/\d+">#\d+<\/a>, \d+\.\d hours old\./);
    });

    it('offsite push from the CLI has nothing left to do, and offsite list shows the copies', async () => {
      const push = await switchyard(['offsite', 'push', '--config', ctx.configFile], s3.env);
      expect(push).toMatchObject({ code: 0, stderr: '' });
      expect(push.stdout).toContain('nothing to upload');
      const list = await switchyard(['offsite', 'list', '--config', ctx.configFile], s3.env);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^NAME +CREATED +SIZE +REASON/);
      expect(list.stdout).toContain('1 object(s) under the prefix without a switchyard manifest');
      const bad = await switchyard(
        ['offsite', 'verify', 'no-such-backup.dump', '--identity', '/nonexistent', '--config', ctx.configFile],
        s3.env,
      );
      expect(bad.code).toBe(66);
      expect(bad.stderr).toMatch(
        /^switchyard offsite: no off-site backup named no-such-backup\.dump in bucket "switchyard-test"/,
      );
    });

    it('doctor probes the bucket and the recipients', async () => {
      const ok = await probeOffsite(ctx.config.offsite!);
      expect(ok).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/put, get and delete work; encrypting to 1 age recipient/),
      });
      expect((await openBucket(ctx.config.offsite!).list()).filter((o) => o.key.includes('probe'))).toEqual([]);
      const missing = await probeOffsite(
        parseConfig(`${base}\n${s3.offsiteYaml({ bucket: 'no-such-bucket' })}`).offsite!,
      );
      expect(missing).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/bucket "no-such-bucket" .*does not exist/),
      });
      const noEnv = await probeOffsite(ctx.config.offsite!, {});
      expect(noEnv).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/environment variable SY_TEST_S3_KEY is not set/),
      });
    });
  },
);

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
