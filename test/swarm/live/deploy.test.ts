import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy } from '../../../src/deploy/wiring.js';
import { readStackServices } from '../../../src/swarm/tasks.js';
import type { Deployment } from '../../../src/store/index.js';
import { backupFiles, type TestContext } from '../../fixtures/context.js';
import { hasDocker, need } from '../../fixtures/env.js';
import { createSwarmApp, startStackByHand, type SwarmApp, swarmAppContext } from '../../fixtures/swarmApp.js';

const ready = need('Docker engine', hasDocker());

describe.runIf(ready)('deploy and rollback on a single-node swarm', () => {
  let app: SwarmApp;
  let ctx: TestContext;

  const served = async () => (await (await fetch(`http://127.0.0.1:${app.httpPort}/version`)).text()).trim();
  const stepNames = (d: Deployment) => ctx.store.deployments.steps(d.id).map((s) => `${s.name}:${s.status}`);
  const tasksOf = async (service: string) => {
    const facts = await readStackServices(ctx.docker(), app.stack, [service]);
    return facts[service]!.tasks.filter((t) => t.desired === 'running');
  };

  beforeAll(async () => {
    app = createSwarmApp({ versions: ['v1', 'v2', 'v3'] });
    ctx = swarmAppContext(app);
    await startStackByHand(ctx);
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it('adopts a stack deployed by hand from :latest: v1 pinned, 2 backend replicas on its digest, through the proxy', async () => {
    const d = await deploy(ctx, { ref: 'v1.0.0', actor: 'test' });
    expect(d.error).toBeNull();
    expect(d.status).toBe('succeeded');
    expect(d.previousImages?.backend).toMatch(new RegExp(`^${app.imageRepo}@sha256:[0-9a-f]{64}$`));
    const tasks = await tasksOf('backend');
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t.state).toBe('running');
      expect(t.image).toContain(d.images!.backend!.split('@')[1]!);
    }
    expect(await served()).toBe('v1.0.0');
  });

  it('deploys v2 with its pre-deploy dump; the journal is the compose one', async () => {
    const d = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    expect(d.error).toBeNull();
    expect(d.status).toBe('succeeded');
    const backup = ctx.store.backups.get(d.backupId!)!;
    expect(backup).toMatchObject({ reason: 'pre-deploy', status: 'ok', deploymentId: d.id });
    expect(backupFiles(ctx)).toContain(backup.fileName);
    expect(d.previousImages?.backend).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(d.previousImages?.backend).not.toBe(d.images?.backend);
    expect(stepNames(d)).toEqual([
      'resolve:ok',
      'inspect:ok',
      'pull:ok',
      'preflight:ok',
      'backup:ok',
      'checkout:ok',
      'pin:ok',
      'up:ok',
      'health:ok',
      'cleanup:ok',
    ]);
    const tasks = await tasksOf('backend');
    expect(tasks.map((t) => t.image.split('@')[1])).toEqual([
      d.images!.backend!.split('@')[1],
      d.images!.backend!.split('@')[1],
    ]);
    expect(await served()).toBe('v2.0.0');
    expect(
      app.psql(
        `SELECT count(*) FROM information_schema.columns WHERE table_name = 'requests' AND column_name = 'priority'`,
      ),
    ).toBe('1');
  });

  it('a broken v3 is rolled back by itself: v2 digests again, its migration undone from the dump', async () => {
    const before = (await tasksOf('backend'))[0]!.image;
    const d = await deploy(ctx, { ref: 'v3.0.0', actor: 'test' });
    expect(d.status).toBe('rolled-back');
    expect(d.error).toMatch(/health/);
    const tasks = await tasksOf('backend');
    expect(tasks.length).toBe(2);
    for (const t of tasks) expect(t.image.split('@')[1]).toBe(before.split('@')[1]);
    expect(await served()).toBe('v2.0.0');
    expect(app.psql(`SELECT to_regclass('attachments') IS NULL`)).toBe('t');
    expect(app.psql(`SELECT count(*) FROM requests WHERE status = 'migrated-by-v3'`)).toBe('0');
  });
});
