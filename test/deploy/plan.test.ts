import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployPlan, PlanNote, RollbackPlan } from '../../src/deploy/index.js';
import { deploy, startRollback } from '../../src/app/ports/deploy.js';
import { inspectImage } from '../../src/docker/images.js';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { switchyard } from '../fixtures/cli.js';
import { backupFiles, type TestContext } from '../fixtures/context.js';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { deleteRegistryManifest } from '../fixtures/registry.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());
const TOKEN = 'plan-api-token-0123456789';

/** Plans read; they never change anything: no pull, no dump, no checkout, no record, no lock. */
describe.runIf(ready)('deploy and rollback plans, and --dry-run', () => {
  let app: SampleApp;
  let ctx: TestContext;

  const cli = (args: string[]) => switchyard([...args, '--config', ctx.configFile]);
  const head = () => run('git', ['-C', app.dir, 'rev-parse', 'HEAD']).trim();
  /** Everything a deploy or rollback would change, as one comparable value. */
  const footprint = () => ({
    head: head(),
    deployments: ctx.store.deployments.list().map((d) => `${d.id}:${d.status}`),
    backups: ctx.store.backups.list().length,
    files: backupFiles(ctx),
    state: fs.readdirSync(ctx.config.stateDir).filter((f) => !f.startsWith('switchyard.db')),
    lock: ctx.store.lock.holder() ?? null,
  });

  beforeAll(() => {
    app = createSampleApp({ versions: ['v1', 'v2'] });
    app.startByHand();
    ctx = sampleAppContext(app);
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it('deploy --dry-run shows the plan and changes nothing: no pull, no dump, no checkout', async () => {
    const v2Image = `${app.imageRepo}:${app.commits.v2.slice(0, 7)}`;
    run('docker', ['rmi', v2Image]); // in the registry only now: a real deploy would have to pull it
    const before = footprint();

    const res = await cli(['deploy', 'v2.0.0', '--dry-run', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const { plan } = JSON.parse(res.stdout) as { plan: DeployPlan };
    expect(plan).toMatchObject({ ref: 'v2.0.0', sha: app.commits.v2, tag: 'v2.0.0', blockers: [] });
    expect(plan.current.commit).toBe(app.commits.v1);
    expect(plan.changes).toMatchObject({ direction: 'forward' });
    expect(plan.changes.added.map((c) => c.sha)).toContain(app.commits.v2);
    expect(plan.images.map((i) => [i.service, i.reference, i.mustPull])).toEqual([
      ['backend', v2Image, true],
      ['worker', v2Image, true],
    ]);
    expect(plan.images.every((i) => i.digestNow !== null)).toBe(true);
    // The sample app's backend publishes its port and its worker has no healthcheck: both stop-first, and why.
    expect(plan.switches).toEqual([
      {
        service: 'backend',
        strategy: 'stop-first',
        reason: `publishes port ${app.httpPort}:8080 on the host`,
      },
      { service: 'worker', strategy: 'stop-first', reason: 'no healthcheck in the compose file to wait for' },
    ]);
    expect(plan.backup.estimateBytes).toBeGreaterThan(0);
    expect(plan.backup.basis).toBe('database size'); // no dump yet
    expect(plan.backup.neededBytes).toBeGreaterThan(plan.backup.estimateBytes!);

    const text = await cli(['deploy', 'v2.0.0', '--dry-run']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`backend: ${v2Image}, will be pulled`);
    expect(text.stdout).toContain(`  backend: stop-first (publishes port ${app.httpPort}:8080 on the host)`);
    expect(text.stdout).toContain('dry run: nothing was changed');

    expect(await inspectImage(ctx.docker(), v2Image)).toBeUndefined();
    expect(footprint()).toEqual(before);
  });

  it('a blocker of the preflight shows in the plan first: a dirty work tree, exit 1, still nothing changed', async () => {
    const file = path.join(app.dir, app.composeFiles[0]!);
    const original = fs.readFileSync(file, 'utf8');
    fs.appendFileSync(file, '# edited by hand\n');
    try {
      const before = footprint();
      const res = await cli(['deploy', 'v2.0.0', '--dry-run', '--json']);
      expect(res.code).toBe(1);
      const { plan } = JSON.parse(res.stdout) as { plan: DeployPlan };
      expect(plan.blockers).toEqual([expect.objectContaining({ code: 'dirty-work-tree' })]);
      expect(plan.blockers[0]!.reason).toContain('uncommitted changes');
      expect(footprint()).toEqual(before);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('the API answers the same plans, and rollback --dry-run changes nothing', async () => {
    const api = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
    const get = async (url: string) => {
      const res = await api.request(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: (await res.json()) as { plan: DeployPlan & RollbackPlan; error?: string } };
    };
    const planned = await get('/api/system/plan?ref=v2.0.0');
    expect(planned.status).toBe(200);
    expect(planned.body.plan).toMatchObject({ sha: app.commits.v2, blockers: [] });
    expect((await get('/api/system/plan?ref=v9.9.9')).status).toBe(404);
    expect((await get('/api/system/plan?ref=$(id)')).status).toBe(400);

    const deployed = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    expect(deployed.status).toBe('succeeded');
    const before = footprint();

    const res = await cli(['rollback', String(deployed.id), '--dry-run', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const { plan } = JSON.parse(res.stdout) as { plan: RollbackPlan };
    expect(plan).toMatchObject({ mode: 'full', blockers: [], commit: { now: app.commits.v2, after: app.commits.v1 } });
    expect(plan.backup?.id).toBe(deployed.backupId);
    expect(plan.images.find((i) => i.service === 'backend')).toMatchObject({
      digestNow: deployed.images!.backend,
      digestAfter: deployed.previousImages!.backend,
    });
    expect(plan.warnings.map((w) => w.code)).toContain('writes-lost');
    expect(plan.changes).toMatchObject({ direction: 'backward' });

    const imagesOnly = await get(`/api/system/deployments/${deployed.id}/rollback-plan?mode=images-only`);
    expect(imagesOnly.body.plan).toMatchObject({ mode: 'images-only', commit: { after: app.commits.v1 } });
    expect(imagesOnly.body.plan.warnings).toEqual([]);
    expect((await get(`/api/system/deployments/${deployed.id}/rollback-plan?mode=bogus`)).status).toBe(400);

    const text = await cli(['rollback', String(deployed.id), '--dry-run']);
    expect(text.stdout).toContain(`database: restored from backup ${deployed.backupId}`);
    expect(text.stdout).toContain('dry run: nothing was changed');
    expect(footprint()).toEqual(before);
  });

  /** The blockers of a rollback plan as `rollback --dry-run` and the API show it, which must agree; nothing changes. */
  const rollbackPlanBlockers = (deploymentId: number) => {
    const id = String(deploymentId);
    const api = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
    return async (mode: 'full' | 'images-only' | 'database-only'): Promise<PlanNote[]> => {
      const before = footprint();
      const flag = mode === 'full' ? [] : [`--${mode}`];
      const res = await cli(['rollback', id, ...flag, '--dry-run', '--json']);
      const { plan } = JSON.parse(res.stdout) as { plan: RollbackPlan };
      expect(res.code, 'a blocker exits 1').toBe(plan.blockers.length > 0 ? 1 : 0);
      const answer = await api.request(`/api/system/deployments/${id}/rollback-plan?mode=${mode}`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(((await answer.json()) as { plan: RollbackPlan }).plan.blockers).toEqual(plan.blockers);
      expect(footprint()).toEqual(before);
      return plan.blockers;
    };
  };

  it("a rollback plan runs the rollback's own check: a truncated dump is a blocker, and the rollback refuses it", async () => {
    const deployed = ctx.store.deployments.list().find((d) => d.kind === 'deploy' && d.ref === 'v2.0.0')!;
    const planBlockers = rollbackPlanBlockers(deployed.id);
    const rollBack = async (mode: 'images-only' | 'database-only') =>
      (await startRollback(ctx, { deploymentId: deployed.id, mode, actor: 'test' })).done;

    // Half of the pre-deploy dump: the plan says so, and the rollback refuses it with the same words.
    const backup = ctx.store.backups.get(deployed.backupId!)!;
    const file = path.join(ctx.config.backups.dir, backup.fileName);
    const whole = fs.readFileSync(file);
    const half = Math.floor(whole.length / 2);
    fs.writeFileSync(file, whole.subarray(0, half));
    try {
      const truncated = `the dump ${backup.fileName} is truncated: ${half} of its ${whole.length} bytes are left`;
      expect(await planBlockers('full')).toEqual([{ code: 'dump-unusable', reason: truncated }]);
      expect(await planBlockers('images-only')).toEqual([]);
      const refused = await rollBack('database-only');
      expect(refused).toMatchObject({ status: 'failed', error: `rollback refused, nothing changed: ${truncated}` });
    } finally {
      fs.writeFileSync(file, whole);
    }
    expect(await planBlockers('full')).toEqual([]);
  });

  it('a rollback plan lists an image gone from this host and from its registry, which the rollback refuses', async () => {
    const deployed = ctx.store.deployments.list().find((d) => d.kind === 'deploy' && d.ref === 'v2.0.0')!;
    const planBlockers = rollbackPlanBlockers(deployed.id);
    const rollBack = async (mode: 'images-only' | 'database-only') =>
      (await startRollback(ctx, { deploymentId: deployed.id, mode, actor: 'test' })).done;
    // The previous image, gone from this host and deleted from the loopback registry: a digest nothing can pull.
    const previous = deployed.previousImages!.backend!;
    const [repository, digest] = previous.replace(/^127\.0\.0\.1:5000\//, '').split('@') as [string, string];
    run('docker', ['rmi', '-f', (await inspectImage(ctx.docker(), previous))!.id]);
    await deleteRegistryManifest(repository, digest);
    const unpullable = (service: string) =>
      `image ${previous} of service ${service} is not on this host and cannot be pulled`;
    expect(await planBlockers('full')).toEqual([
      { code: 'image-unavailable', reason: `${unpullable('backend')}: the registry does not have it` },
      { code: 'image-unavailable', reason: `${unpullable('worker')}: the registry does not have it` },
    ]);
    expect(await planBlockers('database-only')).toEqual([]);
    const refused = await rollBack('images-only');
    expect(refused.status).toBe('failed');
    expect(refused.error).toContain(`rollback refused, nothing changed: ${unpullable('backend')}: `);
    expect(await inspectImage(ctx.docker(), previous)).toBeUndefined();
  });

  it('a deploy plan asks the registry for each image, as the pull needs: a version without images is blocked', async () => {
    const git = (...args: string[]) => run('git', ['-C', app.dir, ...args]).trim();
    // A released commit whose images CI never pushed (made without touching HEAD or the work tree).
    const sha = git('commit-tree', `${app.commits.v2}^{tree}`, '-p', app.commits.v2, '-m', 'release without images');
    git('tag', 'v2.1.0', sha);
    const reference = `${app.imageRepo}:${sha.slice(0, 7)}`;
    const before = footprint();
    const res = await cli(['deploy', 'v2.1.0', '--dry-run', '--json']);
    expect(res.code).toBe(1);
    const { plan } = JSON.parse(res.stdout) as { plan: DeployPlan };
    const missing = (service: string) => ({
      code: 'image-unavailable',
      reason: `image ${reference} of service ${service} cannot be pulled: the registry does not have it`,
    });
    expect(plan.blockers).toEqual([missing('backend'), missing('worker')]);
    // The API's plan asks too (it has no version listing, which only checks the newest versions anyway).
    const api = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
    const answer = await api.request('/api/system/plan?ref=v2.1.0', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(((await answer.json()) as { plan: DeployPlan }).plan.blockers).toEqual(plan.blockers);
    expect(footprint()).toEqual(before);

    const failed = await deploy(ctx, { ref: 'v2.1.0', actor: 'test' });
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(`deploy of v2.1.0 failed before any change: pull of ${reference} failed`);
  });
});
