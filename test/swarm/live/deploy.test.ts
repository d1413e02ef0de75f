import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy, startRollback } from '../../../src/app/ports/deploy.js';
import { currentStatus } from '../../../src/deploy/status.js';
import { DEPLOY_STEPS } from '../../../src/domain/steps.js';
import { readStackServices } from '../../../src/swarm/tasks.js';
import type { Deployment } from '../../../src/store/index.js';
import { backupFiles, type TestContext } from '../../fixtures/context.js';
import { switchyard } from '../../fixtures/cli.js';
import { hasDocker, need, run } from '../../fixtures/env.js';
import { createSwarmApp, startStackByHand, type SwarmApp, swarmAppContext } from '../../fixtures/swarmApp.js';

const ready = need('Docker engine', hasDocker());

describe.runIf(ready)('deploy and rollback on a single-node swarm', () => {
  let app: SwarmApp;
  let ctx: TestContext;

  const served = async () => (await (await fetch(`http://127.0.0.1:${app.httpPort}/version`)).text()).trim();
  const stepNames = (d: Deployment) => ctx.store.deployments.steps(d.id).map((s) => `${s.name}:${s.status}`);
  const digest = (image: string) => image.split('@')[1];
  const tasksOf = async (service: string) => {
    const facts = await readStackServices(ctx.docker(), app.stack, [service]);
    return facts[service]!.tasks.filter((t) => t.desired === 'running');
  };

  /** Both backend replicas run `image`'s digest, and the proxy serves `version`. */
  const expectBackendOn = async (image: string, version: string) => {
    const tasks = await tasksOf('backend');
    expect(tasks).toHaveLength(2);
    for (const t of tasks) expect(digest(t.image)).toBe(digest(image));
    expect(await served()).toBe(version);
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

  it('deploys v2 start-first with its pre-deploy dump, no request through the proxy failing; the journal is the compose one', async () => {
    const load = requestsUntil(`http://127.0.0.1:${app.httpPort}/version`);
    const d = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' }).finally(() => load.stop());
    const { ok, failures } = await load.done;
    console.log(`[swarm] v2 deploy: ${ok} requests answered, ${failures.length} failed`);
    expect(ok).toBeGreaterThan(20);
    expect(failures).toEqual([]);
    expect(d.error).toBeNull();
    expect(d.status).toBe('succeeded');
    const backup = ctx.store.backups.get(d.backupId!)!;
    expect(backup).toMatchObject({ reason: 'pre-deploy', status: 'ok', deploymentId: d.id });
    expect(backupFiles(ctx)).toContain(backup.fileName);
    expect(d.previousImages?.backend).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(d.previousImages?.backend).not.toBe(d.images?.backend);
    expect(stepNames(d)).toEqual(DEPLOY_STEPS.map((s) => `${s}:ok`));
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
    await expectBackendOn(before, 'v2.0.0');
    expect(app.psql(`SELECT to_regclass('attachments') IS NULL`)).toBe('t');
    expect(app.psql(`SELECT count(*) FROM requests WHERE status = 'migrated-by-v3'`)).toBe('0');
  }, 600_000); // health's timeout, then the rollback's redeploy and its own health, on a loaded machine

  it('rolls back the (images, database) pair of v2: v1 digests and the dump taken before v2', async () => {
    const v2 = ctx.store.deployments.list().find((d) => d.kind === 'deploy' && d.ref === 'v2.0.0')!;
    const r = await (await startRollback(ctx, { deploymentId: v2.id, mode: 'full', actor: 'test' })).done;
    expect(r.error).toBeNull();
    expect(r).toMatchObject({ kind: 'rollback', status: 'succeeded', rollbackOf: v2.id });
    await expectBackendOn(v2.previousImages!.backend!, 'v1.0.0');
    expect(
      app.psql(
        `SELECT count(*) FROM information_schema.columns WHERE table_name = 'requests' AND column_name = 'priority'`,
      ),
    ).toBe('0');
  });

  it('a SIGKILL while the stack deploy converges: recover brings back what ran (v1), lock free', async () => {
    const v1 = (await tasksOf('backend'))[0]!.image;
    const crashed = await switchyard(['deploy', 'v2.0.0', '--config', ctx.configFile], {
      SWITCHYARD_FAULT_KILL_AT: 'health',
    });
    expect(crashed.code, crashed.stderr).toBe(-1);
    const recovered = await switchyard(['recover', '--json', '--config', ctx.configFile]);
    expect(recovered.code, recovered.stderr).toBe(0);
    const [report] = (JSON.parse(recovered.stdout) as { operations: Array<{ status: string }> }).operations;
    expect(report?.status).toBe('interrupted');
    await expectBackendOn(v1, 'v1.0.0');
    expect(ctx.store.lock.holder()).toBeUndefined();
    expect(ctx.store.deployments.unfinished()).toEqual([]);
  });

  it('reports drift from the tasks: a service updated by hand runs another digest than the pin', async () => {
    expect((await currentStatus(ctx)).drift).toEqual([]);
    const v3 = `${app.imageRepo}:${app.commits.v3.slice(0, 7)}`;
    run('docker', ['service', 'update', '--quiet', '--detach', '--image', v3, `${app.stack}_worker`]);
    let status = await currentStatus(ctx);
    for (let i = 0; i < 120 && status.drift.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = await currentStatus(ctx);
    }
    expect(status.drift).toHaveLength(1);
    expect(status.drift[0]).toMatch(/^service worker runs .*@sha256:[0-9a-f]{64} on \S+ instead of .*@sha256:/);
    expect(status.services.find((s) => s.name === 'backend')).toMatchObject({ drift: false });
  });
});

/** GETs `url` one after another until stopped: how many answered 200, and what every other answer was. */
function requestsUntil(url: string): { stop(): void; done: Promise<{ ok: number; failures: string[] }> } {
  let stopped = false;
  const done = (async () => {
    let ok = 0;
    const failures: string[] = [];
    while (!stopped) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
        await res.text();
        if (res.status === 200) ok++;
        else failures.push(`HTTP ${res.status}`);
      } catch (e) {
        failures.push((e as Error).message);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { ok, failures };
  })();
  return { stop: () => void (stopped = true), done };
}
