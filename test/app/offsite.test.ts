import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Actor, openOffsiteBucket, Switchyard } from '../../src/app/index.js';
import { SwitchyardError } from '../../src/errors.js';
import { Redactor } from '../../src/util/redact.js';
import { testContext, type TestContext } from '../fixtures/context.js';

/**
 * The off-site area through the app, with no bucket reached: who may push, drill and restore from the
 * bucket, what bad input and a missing offsite section answer, and that reading the bucket needs no state.
 * test/offsite/*.test.ts run the same commands against an S3 server through the CLI.
 */
const viewer: Actor = { name: 'api:viewer', role: 'viewer' };
const operator: Actor = { name: 'api:ops', role: 'operator' };

const OFFSITE =
  'offsite: { s3: { bucket: b-1, endpoint: "http://127.0.0.1:9", forcePathStyle: true, accessKeyIdEnv: SY_APP_TEST_KEY, secretAccessKeyEnv: SY_APP_TEST_SECRET }, encrypt: { allowUnencrypted: true } }';

let ctx: TestContext;
let app: Switchyard;
beforeEach(() => {
  ctx = testContext({ database: '{ service: db, name: app }', extra: OFFSITE });
  app = new Switchyard(() => ctx);
});
afterEach(() => ctx.cleanup());

async function refusal(promise: Promise<unknown>): Promise<SwitchyardError> {
  const e = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(e).toBeInstanceOf(SwitchyardError);
  expect((e as Error).message).not.toContain('\n');
  return e as SwitchyardError;
}

describe('off-site copies through the app', () => {
  it('push, drill and restore from the bucket need back up: a viewer is refused and nothing is recorded', async () => {
    for (const attempt of [
      app.offsite.push(viewer),
      app.offsite.drill(viewer, { identityFile: null }),
      app.offsite.restore(viewer, { name: 'latest', identityFile: null, withImages: false, force: false }),
    ]) {
      const e = await refusal(attempt);
      expect([e.kind, e.message]).toEqual(['forbidden', 'api:viewer is viewer; back up needs operator']);
    }
    expect(ctx.store.offsite.all()).toEqual([]);
    expect(ctx.store.deployments.list(10)).toEqual([]);
    expect(ctx.store.backups.list()).toEqual([]);
    expect(ctx.store.audit.list()).toEqual([]);
  });

  it('push of a malformed id is a one-line input error; of a backup not queued, not found', async () => {
    const bad = await refusal(app.offsite.push(operator, 'x1'));
    expect([bad.kind, bad.message]).toEqual([
      'input',
      'backup id must be a positive integer up to 9007199254740991, got "x1"',
    ]);
    const missing = await refusal(app.offsite.push(operator, '7'));
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toMatch(/^backup 7 is not in the off-site queue/);
  });

  it('without an offsite section every off-site command says so, naming the section', async () => {
    ctx.config = { ...ctx.config, offsite: undefined };
    for (const attempt of [app.offsite.push(operator), app.offsite.bucket().list()]) {
      const e = await refusal(attempt);
      expect([e.kind, e.message]).toEqual([
        'config',
        'offsite is not configured (add an offsite: section with s3 and encrypt)',
      ]);
    }
  });

  it('reads the bucket from the config file alone: no state is opened, and its secrets are registered', async () => {
    const dir = fs.mkdtempSync(path.join(ctx.root, 'fresh-'));
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      file,
      [
        `project: { dir: ${JSON.stringify(dir)} }`,
        'database: { url: "postgres://app:Fresh-Host-Secret-77@db.example:5432/app" }',
        `stateDir: ${JSON.stringify(path.join(dir, 'state'))}`,
        OFFSITE,
      ].join('\n'),
    );
    const redactor = new Redactor();
    const bucket = openOffsiteBucket({ config: file, env: {}, redactor });
    const e = await refusal(bucket.list()); // the credentials' env vars are not set in this env
    expect([e.kind, e.message]).toEqual([
      'config',
      'offsite.s3.accessKeyIdEnv: environment variable SY_APP_TEST_KEY is not set',
    ]);
    expect(fs.existsSync(path.join(dir, 'state'))).toBe(false);
    expect(redactor.redact('postgres://app:Fresh-Host-Secret-77@db')).not.toContain('Fresh-Host-Secret-77');
  });

  it('a missing config file is a config error naming it', () => {
    expect(() => openOffsiteBucket({ config: '/nonexistent/sy.yaml', env: {}, redactor: new Redactor() })).toThrow(
      'config file /nonexistent/sy.yaml not found',
    );
  });
});
