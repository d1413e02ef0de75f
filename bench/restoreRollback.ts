/**
 * One whole `rollback --database-only` in service mode, on the deploy tests'
 * sample app (test/fixtures/sampleApp.ts) with its database filled by pgbench:
 * deploy v1, deploy v2 (whose pre-deploy backup is the dump to go back to),
 * then time the rollback to before v2, step by step from its journal.
 * Used by bench/restore.ts; the goal from the issue is 2 minutes for 1 GB.
 * withSampleApp is the sample app's scaffolding for the other benches that
 * switch it (bench/rollback.ts, bench/soak.ts).
 */
import { performance } from 'node:perf_hooks';
import { deploy, startRollback } from '../src/app/ports/deploy.js';
import type { Deployment } from '../src/store/index.js';
import type { TestContext } from '../test/fixtures/context.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../test/fixtures/sampleApp.js';
import { mb, secs, since, stepSeconds, stopIfInterrupted } from './lib.js';

/** pgbench's tables and indexes take about 15 MB per unit of scale. */
const MB_PER_PGBENCH_SCALE = 15;

export interface RollbackResult {
  scale: number;
  dbBytes: number;
  dumpBytes: number;
  /** The pre-deploy backup of v2, for comparison with the rollback's own safety backup. */
  preDeployBackupSeconds: number | null;
  status: string;
  totalSeconds: number;
  steps: Record<string, number>;
}

export interface DeployedSampleApp {
  app: SampleApp;
  ctx: TestContext;
  dbBytes: number;
  /** Deploys `ref` in this process; throws unless it succeeded. */
  deployed(ref: string): Promise<Deployment>;
}

/**
 * The sample app in versions v1 and v2, started by hand, its database filled by `fill` (which returns
 * its size), adopted by switchyard with a deploy of v1; `body` runs on it, then everything is removed.
 */
export async function withSampleApp<T>(
  label: string,
  fill: (app: SampleApp) => Promise<number>,
  body: (deployed: DeployedSampleApp) => Promise<T>,
): Promise<T> {
  console.log(`\n${label}: building the sample app (v1, v2) ...`);
  const app = createSampleApp({ versions: ['v1', 'v2'] });
  try {
    app.startByHand();
    const dbBytes = await fill(app);
    // The context test/deploy/rollback.test.ts builds for the sample app, but with the schema's default
    // compose timeout (300 s) rather than the tests' 20 s: a loaded machine starts a large database slowly.
    const ctx = sampleAppContext(app, '', { deploySeconds: 300 });
    try {
      const deployed = async (ref: string) => {
        stopIfInterrupted();
        const started = performance.now();
        const d = await deploy(ctx, { ref, actor: 'bench' });
        if (d.status !== 'succeeded') throw new Error(`deploy of ${ref} ended ${d.status}: ${d.error}`);
        console.log(`${label}: deployed ${ref} in ${secs(since(started))} s`);
        return d;
      };
      await deployed('v1.0.0'); // switchyard adopts the hand-started host
      return await body({ app, ctx, dbBytes, deployed });
    } finally {
      ctx.cleanup();
    }
  } finally {
    app.cleanup();
  }
}

export async function measureRollback(targetMb: number, minBytes: number): Promise<RollbackResult> {
  const scale = Math.max(1, Math.round(targetMb / MB_PER_PGBENCH_SCALE));
  const fill = async (app: SampleApp) => {
    const filling = performance.now();
    console.log(`service mode: pgbench -i -s ${scale} in the app database ...`);
    // pgbench comes from the host's /usr bind-mounted into the container, on its PATH.
    app.compose(['exec', '-T', 'db', 'pgbench', '-i', '-s', String(scale), '-U', 'postgres', 'app']);
    // Set hint bits and freeze now, or the pre-deploy dump would pay for writing them.
    app.psql('VACUUM (FREEZE, ANALYZE)');
    app.psql('CHECKPOINT');
    const dbBytes = Number(app.psql(`SELECT pg_database_size('app')`));
    console.log(`service mode: database is ${mb(dbBytes)} MB (filled in ${secs(since(filling))} s)`);
    if (dbBytes < minBytes)
      console.warn(`service mode: below ${mb(minBytes)} MB: a smoke run, not a representative figure`);
    return dbBytes;
  };
  return withSampleApp('service mode', fill, async ({ ctx, dbBytes, deployed }) => {
    const v2 = await deployed('v2.0.0');
    const dump = ctx.store.backups.get(v2.backupId ?? -1);
    if (!dump) throw new Error('the v2 deployment recorded no pre-deploy backup');

    stopIfInterrupted();
    console.log(
      `service mode: rollback --database-only to before deployment ${v2.id} (dump ${mb(dump.sizeBytes ?? 0)} MB) ...`,
    );
    const started = performance.now();
    const rollback = await startRollback(ctx, { deploymentId: v2.id, mode: 'database-only', actor: 'bench' });
    const done = await rollback.done;
    const totalSeconds = since(started);
    const steps = stepSeconds(ctx.store.deployments.steps(rollback.id));
    console.log(`service mode: rollback ${done.status} in ${secs(totalSeconds)} s`);
    if (done.status !== 'succeeded') throw new Error(`rollback ended ${done.status}: ${done.error}`);
    return {
      scale,
      dbBytes,
      dumpBytes: dump.sizeBytes ?? 0,
      preDeployBackupSeconds: stepSeconds(ctx.store.deployments.steps(v2.id)).backup ?? null,
      status: done.status,
      totalSeconds,
      steps,
    };
  });
}
