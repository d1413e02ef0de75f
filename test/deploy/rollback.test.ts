import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy, startRollback } from '../../src/app/ports/deploy.js';
import type { RollbackMode } from '../../src/deploy/index.js';
import { ROLLBACK_STEPS } from '../../src/domain/steps.js';
import { inspectImage, serviceContainers } from '../../src/docker/images.js';
import type { Deployment } from '../../src/store/index.js';
import type { TestContext } from '../fixtures/context.js';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

describe.runIf(ready)('rollback to an earlier (images, database) pair', () => {
  let app: SampleApp;
  let ctx: TestContext;
  let v2: Deployment;
  let beforeV2: Record<string, string>;
  let afterV2: Record<string, string>;

  const rollback = async (deploymentId: number, mode: RollbackMode = 'full') =>
    (await startRollback(ctx, { deploymentId, mode, actor: 'test' })).done;
  const head = () => run('git', ['-C', app.dir, 'rev-parse', 'HEAD']).trim();
  const tables = () =>
    app.psql(`SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'`);
  /** Full contents of every public table, as one digest per table. */
  const contents = () => {
    const result: Record<string, string> = {};
    for (const table of tables().split(','))
      result[table] = app.psql(`SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table} t`);
    return result;
  };
  const backendImageId = async () => {
    const [c] = await serviceContainers(ctx.docker(), await ctx.projectName(), 'backend');
    return c!.imageId;
  };
  const idOf = async (ref: string) => (await inspectImage(ctx.docker(), ref))!.id;

  beforeAll(async () => {
    app = createSampleApp({ versions: ['v1', 'v2'] });
    app.startByHand();
    ctx = sampleAppContext(app);
    expect((await deploy(ctx, { ref: 'v1.0.0', actor: 'test' })).status).toBe('succeeded');
    app.psql(`INSERT INTO requests (title) VALUES ('filed before the upgrade')`);
    beforeV2 = contents();
    v2 = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    expect(v2.status).toBe('succeeded');
    afterV2 = contents();
    expect(Object.keys(afterV2)).toContain('categories');
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it('brings back the old images, commit and data, and drops the table the migration added', async () => {
    const r = await rollback(v2.id);
    expect(r.error).toBeNull();
    expect(r).toMatchObject({ kind: 'rollback', status: 'succeeded', rollbackOf: v2.id, tag: 'v1.0.0' }); // named by its tag (naming.ts)
    expect(await backendImageId()).toBe(await idOf(v2.previousImages!.backend!));
    expect(head()).toBe(v2.previousCommit);
    expect(contents()).toEqual(beforeV2);
    expect(tables()).not.toContain('categories');
    const safety = ctx.store.backups.get(r.backupId!)!;
    expect(safety).toMatchObject({ reason: 'pre-rollback', status: 'ok', deploymentId: r.id });
    expect(ctx.store.deployments.steps(r.id).map((s) => s.name)).toEqual([...ROLLBACK_STEPS]);
  });

  it('rolls back the rollback, back to the post-deploy state', async () => {
    const first = ctx.store.deployments.list().find((d) => d.kind === 'rollback')!;
    const r = await rollback(first.id);
    expect(r.status).toBe('succeeded');
    expect(await backendImageId()).toBe(await idOf(v2.images!.backend!));
    expect(head()).toBe(app.commits.v2);
    expect(contents()).toEqual(afterV2);
  });

  it('--images-only changes the images and leaves the data', async () => {
    const r = await rollback(v2.id, 'images-only');
    expect(r.status).toBe('succeeded');
    expect(r.backupId).toBeNull();
    expect(await backendImageId()).toBe(await idOf(v2.previousImages!.backend!));
    expect(contents()).toEqual(afterV2);
  });

  it('--database-only restores the data and leaves the images', async () => {
    const imageBefore = await backendImageId();
    const headBefore = head();
    const r = await rollback(v2.id, 'database-only');
    expect(r.status).toBe('succeeded');
    expect(r.commit).toBe(headBefore); // the code that runs is still known as the current version
    expect(await backendImageId()).toBe(imageBefore);
    expect(head()).toBe(headBefore);
    expect(contents()).toEqual(beforeV2);
  });

  it('refuses a target whose images are gone, changing nothing', async () => {
    const bogus = `${app.imageRepo}@sha256:${'0'.repeat(64)}`;
    const target = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    ctx.store.db
      .prepare('UPDATE deployments SET previous_images = ? WHERE id = ?')
      .run(JSON.stringify({ backend: bogus, worker: bogus }), target.id);
    const [image, data, backups] = [await backendImageId(), contents(), ctx.store.backups.list().length];
    const r = await rollback(target.id);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/rollback refused, nothing changed: image .* is not on this host and cannot be pulled/);
    expect(await backendImageId()).toBe(image);
    expect(contents()).toEqual(data);
    expect(ctx.store.backups.list().length).toBe(backups);
  });

  it('refuses a tampered dump (sha256 mismatch), changing nothing', async () => {
    const dump = ctx.store.backups.get(v2.backupId!)!;
    const file = path.join(ctx.config.backups.dir, dump.fileName);
    fs.appendFileSync(file, 'tampered');
    const [image, data] = [await backendImageId(), contents()];
    const r = await rollback(v2.id);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/does not match its recorded sha256/);
    expect(await backendImageId()).toBe(image);
    expect(contents()).toEqual(data);
    expect(ctx.store.lock.holder()).toBeUndefined();
  });
});
