import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEPS, type StepName } from '../../src/domain/steps.js';
import type { TestContext } from '../fixtures/context.js';
import { type CrashHarness, crashHarness } from '../fixtures/crashInvariant.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/**
 * The undo's boundaries, in the order the automatic rollback of the broken v3 reaches them (src/deploy/undo.ts:
 * its migration ran, so with restore policy auto the pre-deploy dump is restored online, with the default
 * carry-over of inserted rows), then the safety backup and drop of the database it replaced.
 */
const UNDO_OF_DEPLOY: StepName[] = [
  'rollback: checkout',
  'rollback: pin',
  'rollback: restore copy',
  'rollback: stage rows',
  'rollback: stop writers',
  'rollback: fence',
  'rollback: carry over',
  'rollback: swap database',
  'rollback: up',
  'rollback: health',
  'safety backup',
  'drop kept database',
];

/**
 * The undo of a rollback whose health failed: its kept database swapped back. Before the swap back recovery swaps
 * it back itself; after it, the undo's own kept database is left, which recovery dumps and drops.
 */
const UNDO_OF_ROLLBACK: StepName[] = ['rollback: stop writers', 'rollback: swap back', 'rollback: up', 'safety backup'];

/** Journaled only as skipped (the undo decided not to touch the database): no process is ever before it. */
const NEVER_RUN: StepName[] = ['rollback: restore database'];

const slug = (step: string) => step.replace(/\W+/g, '-');

/**
 * Fault injection in the undo (SWITCHYARD_FAULT_KILL_AT: SIGKILL just before the step), for each of its callers:
 * the automatic rollback of a failed deploy, the undo of a failed rollback, crash recovery itself. After
 * `switchyard recover` the old pair serves on its data, the fence is lifted, no copy or kept database is left (its
 * safety backup taken), and every row a resident committed is in the live database or in the leftovers file.
 */
describe.runIf(ready)('crash at every boundary of the undo', () => {
  let app: SampleApp;
  let ctx: TestContext;
  let h: CrashHarness;
  // health.url: the app's own health, but failing while the backend serves this version (a rollback target made unhealthy).
  let unhealthyVersion: string | null = null;
  const healthUrl = http.createServer((_req, res) => {
    fetch(`http://127.0.0.1:${app.httpPort}/version`)
      .then(async (r) => (r.ok ? (await r.text()).trim() : null))
      .catch(() => null)
      .then((serving) => {
        res.statusCode = serving !== null && serving !== unhealthyVersion ? 200 : 503;
        res.end(`${serving}\n`);
      });
  });

  beforeAll(async () => {
    await new Promise<void>((r) => healthUrl.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(healthUrl.address() as AddressInfo).port}/health`;
    app = createSampleApp({ versions: ['v1', 'v2', 'v3'] });
    app.startByHand();
    ctx = sampleAppContext(app, '', { health: `successes: 2, windowSeconds: 1, url: ${url}` });
    h = crashHarness(app, ctx);
    const first = await h.cli(['deploy', 'v1.0.0']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
    healthUrl.close();
  });

  /** The newest operation: the one the test killed. */
  const killed = () => ctx.store.deployments.list(1)[0]!;

  /** Nothing lost, and the database the undo (or the operation) replaced dumped before it was dropped. */
  function assertNothingLost(titles: string[], owner: number): void {
    expect(titles.length).toBeGreaterThan(0);
    const where = h.whereRowsAre(titles, owner);
    expect(Object.entries(where).filter(([, w]) => w === 'lost')).toEqual([]);
    const safety = ctx.store.backups.list({ status: 'ok' }).filter((b) => b.deploymentId === owner);
    expect(safety.map((b) => b.reason)).toContain('pre-rollback');
  }

  it('every undo step is a kill point here, or is never run', () => {
    const undoSteps = Object.keys(STEPS).filter((s) => s.startsWith('rollback: '));
    expect(
      [...new Set([...UNDO_OF_DEPLOY, ...UNDO_OF_ROLLBACK, ...NEVER_RUN])]
        .filter((s) => s.startsWith('rollback: '))
        .sort(),
    ).toEqual(undoSteps.sort());
  });

  it.each(UNDO_OF_DEPLOY)(
    'the automatic rollback of the broken v3 killed before "%s": recovery leaves v1 on its data and the rows written',
    async (step) => {
      const v1 = ctx.store.deployments.current()!;
      const data = h.contents();
      let titles: string[] = [];
      // Written while v3 starts (its up fails: the backend never gets healthy), after the pre-deploy dump the
      // undo restores: only the carry-over keeps them.
      await h.crashAndRecover(['deploy', 'v3.0.0'], step, async (ended) => {
        await h.untilStepBegins('up', ended);
        titles = h.insertResidentRows(`deploy-${slug(step)}`, 3);
      });
      const owner = killed();
      expect(owner).toMatchObject({ kind: 'deploy', tag: 'v3.0.0', status: 'interrupted' });
      await h.assertInvariant({ imageRef: v1.images!.backend!, version: 'v1.0.0', data });
      assertNothingLost(titles, owner.id);
    },
    300_000,
  );

  it('recovery killed in its own undo: the next recovery still leaves v1 on its data and the rows written', async () => {
    const v1 = ctx.store.deployments.current()!;
    const data = h.contents();
    const crashed = await h.cli(['deploy', 'v3.0.0'], { SWITCHYARD_FAULT_KILL_AT: 'rollback: stop writers' });
    expect(crashed.code, crashed.stderr).toBe(-1);
    const owner = killed();
    // Written after the automatic rollback's first pass, just before recovery, whose undo copies them (and dies).
    const titles = h.insertResidentRows('recovery', 3);
    const dead = await h.cli(['recover'], { SWITCHYARD_FAULT_KILL_AT: 'rollback: swap database' });
    expect(dead.code, dead.stderr).toBe(-1);
    const recovered = await h.cli(['recover', '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(JSON.parse(recovered.stdout).operations).toEqual([
      expect.objectContaining({ deploymentId: owner.id, status: 'interrupted' }),
    ]);
    await h.assertInvariant({ imageRef: v1.images!.backend!, version: 'v1.0.0', data });
    assertNothingLost(titles, owner.id);
  }, 300_000);

  describe('the undo of a rollback whose health failed', () => {
    const v2Deployed = async () => {
      let v2 = ctx.store.deployments
        .list()
        .find((d) => d.kind === 'deploy' && d.tag === 'v2.0.0' && d.status === 'succeeded');
      if (!v2 || ctx.store.deployments.current()?.id !== v2.id) {
        const res = await h.cli(['deploy', 'v2.0.0', '--json']);
        expect(res.code, res.stderr).toBe(0);
        v2 = JSON.parse(res.stdout) as NonNullable<typeof v2>;
      }
      return v2;
    };
    beforeAll(() => {
      unhealthyVersion = 'v1.0.0';
    });
    afterAll(() => {
      unhealthyVersion = null;
    });

    it.each(UNDO_OF_ROLLBACK)(
      'rollback of v2 to an unhealthy v1 killed before "%s": recovery leaves v2 on its data and the rows written',
      async (step) => {
        const v2 = await v2Deployed();
        const data = h.contents();
        // Written after the dump the rollback restores: its carry-over copies them, the swap back keeps them.
        const titles = h.insertResidentRows(`rollback-${slug(step)}`, 3);
        await h.crashAndRecover(['rollback', String(v2.id)], step);
        const owner = killed();
        expect(owner).toMatchObject({ kind: 'rollback', rollbackOf: v2.id, status: 'interrupted' });
        expect(ctx.store.deployments.steps(owner.id).find((s) => s.name === 'health')?.status).toBe('failed');
        await h.assertInvariant({ imageRef: v2.images!.backend!, version: 'v2.0.0', data });
        assertNothingLost(titles, owner.id);
      },
      300_000,
    );
  });
});
