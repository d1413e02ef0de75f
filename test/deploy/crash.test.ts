import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_STEPS, ROLLBACK_STEPS } from '../../src/domain/steps.js';
import { spawn } from 'node:child_process';
import { CLI } from '../fixtures/cli.js';
import type { TestContext } from '../fixtures/context.js';
import { type CrashHarness, crashHarness } from '../fixtures/crashInvariant.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/**
 * Fault injection: the CLI kills itself with SIGKILL just before a given step
 * (SWITCHYARD_FAULT_KILL_AT), then `switchyard recover` runs as the next start
 * would. After every crash the invariant must hold.
 */
describe.runIf(ready)('crash at every step boundary of a deploy and of a rollback', () => {
  let app: SampleApp;
  let ctx: TestContext;
  let config: string;

  let cli: CrashHarness['cli'];
  let contents: CrashHarness['contents'];
  let assertInvariant: CrashHarness['assertInvariant'];
  let crashAndRecover: CrashHarness['crashAndRecover'];

  beforeAll(async () => {
    app = createSampleApp({ versions: ['v1', 'v2', 'v3'] });
    app.startByHand();
    ctx = sampleAppContext(app);
    config = ctx.configFile;
    ({ cli, contents, assertInvariant, crashAndRecover } = crashHarness(app, ctx));
    const first = await cli(['deploy', 'v1.0.0']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it.each(DEPLOY_STEPS)('deploy killed before "%s": recovery leaves v1 running on its data', async (step) => {
    const v1 = ctx.store.deployments.current()!;
    const data = contents();
    await crashAndRecover(['deploy', 'v2.0.0'], step);
    await assertInvariant({ imageRef: v1.images!.backend!, version: 'v1.0.0', data });
  });

  // Only a failed up or health reaches it: the broken v3 (whose migration ran) fails its health check.
  it('deploy of the broken v3 killed before "diagnose": recovery leaves v1 running on its data', async () => {
    const v1 = ctx.store.deployments.current()!;
    const data = contents();
    await crashAndRecover(['deploy', 'v3.0.0'], 'diagnose');
    await assertInvariant({ imageRef: v1.images!.backend!, version: 'v1.0.0', data });
  });

  const v2Deployed = async () => {
    let v2 = ctx.store.deployments
      .list()
      .find((d) => d.kind === 'deploy' && d.tag === 'v2.0.0' && d.status === 'succeeded');
    if (!v2 || ctx.store.deployments.current()?.id !== v2.id) {
      const res = await cli(['deploy', 'v2.0.0', '--json']);
      expect(res.code, res.stderr).toBe(0);
      v2 = JSON.parse(res.stdout) as NonNullable<typeof v2>;
    }
    return v2;
  };
  const AFTER_HEALTH = ROLLBACK_STEPS.slice(ROLLBACK_STEPS.indexOf('health') + 1);

  it.each(ROLLBACK_STEPS.slice(0, ROLLBACK_STEPS.indexOf('health') + 1))(
    'rollback killed before "%s": recovery leaves v2 running on its data',
    async (step) => {
      const v2 = await v2Deployed();
      const data = contents();
      await crashAndRecover(['rollback', String(v2.id)], step);
      await assertInvariant({ imageRef: v2.images!.backend!, version: 'v2.0.0', data });
    },
    300_000,
  ); // past the swap, recovery swaps the kept database back, then dumps and drops the one it replaced

  // The record ended at health: the rollback stands; recovery takes the safety backup of the kept database, then drops it.
  it.each(AFTER_HEALTH)(
    'rollback killed before "%s" (after health): recovery finishes its safety backup and leaves v1 running',
    async (step) => {
      const v2 = await v2Deployed();
      const crashed = await cli(['rollback', String(v2.id)], { SWITCHYARD_FAULT_KILL_AT: step });
      expect(crashed.code, `the process should die before "${step}": ${crashed.stderr}`).toBe(-1);
      const rollback = ctx.store.deployments.list().find((d) => d.kind === 'rollback')!;
      expect(rollback).toMatchObject({ rollbackOf: v2.id, status: 'succeeded' });
      const data = contents(); // the rolled-back data, carried rows included: recovery must not change it
      const recovered = await cli(['recover', '--json']);
      expect(recovered.code, recovered.stderr).toBe(0);
      const report = JSON.parse(recovered.stdout) as { operations: unknown[]; cleanedUp: string[] };
      expect(report.operations).toEqual([]);
      expect(report.cleanedUp).toContainEqual(
        expect.stringMatching(`^took the safety backup .* of the database deployment ${rollback.id} replaced`),
      );
      await assertInvariant({ imageRef: v2.previousImages!.backend!, version: 'v1.0.0', data });
      const safety = ctx.store.backups.get(ctx.store.deployments.get(rollback.id)!.backupId!);
      expect(safety).toMatchObject({ reason: 'pre-rollback', status: 'ok', deploymentId: rollback.id });
    },
    300_000,
  );

  it('SIGTERM during a deploy lets the running step finish, stops at the boundary, and the next start recovers', async () => {
    const current = ctx.store.deployments.current()!;
    const other = current.tag === 'v2.0.0' ? 'v1.0.0' : 'v2.0.0';
    const data = contents();
    const child = spawn(process.execPath, [CLI, 'deploy', other, '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      if (stderr.includes('started') && child.signalCode === null && !signalled) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | string | null>((r) => child.once('exit', (c, sig) => r(c ?? sig)));
    expect(code, stderr).toBe(143);
    expect(stderr).toMatch(/stopping before step ".+" \(SIGTERM\)/);
    const interrupted = ctx.store.deployments.unfinished()[0]!;
    expect(ctx.store.deployments.steps(interrupted.id).every((s) => s.status !== 'running')).toBe(true);

    const recovered = await cli(['recover', '--json']);
    expect(JSON.parse(recovered.stdout).operations).toEqual([
      expect.objectContaining({ deploymentId: interrupted.id, status: 'interrupted' }),
    ]);
    await assertInvariant({ imageRef: current.images!.backend!, version: current.tag!, data });
  });
});
