import { afterEach, describe, expect, it } from 'vitest';
import { failureReportOf, failureReportsOf } from '../../src/deploy/diagnosis.js';
import { runDeploy, startDeployment, type DeployTarget } from '../../src/deploy/pipeline.js';
import { recoverWith } from '../../src/deploy/recover.js';
import { startRollbackWith } from '../../src/deploy/rollback.js';
import { DEPLOY_STEPS, ROLLBACK_STEPS } from '../../src/domain/steps.js';
import { FAKE_EPOCH, fakeWorld, journaled, type FakeCall, type FakeWorld } from './fakePorts.js';

/**
 * The decisions of the deploy pipeline, the rollback and crash recovery, against in-memory fakes
 * of their ports (no Docker, no PostgreSQL, no git): which outcome, which steps, whether the
 * database is restored. test/deploy/deploy.test.ts and crash.test.ts run the same code for real.
 */
const TARGET: DeployTarget = {
  ref: 'v2',
  sha: 'b'.repeat(40),
  tag: 'v2',
  images: { backend: 'repo:v2', worker: 'repo:v2' },
};
const UNDO = ['rollback: checkout:ok', 'rollback: pin:ok', 'rollback: up:ok', 'rollback: health:ok'];

let world: FakeWorld;
afterEach(() => world?.cleanup());

const deployNow = async (w: FakeWorld) => (await startDeployment(w.ports, TARGET, 'tester')).done;

describe('deploy pipeline decisions', () => {
  it('succeeds through every step in order, and reports once', async () => {
    world = fakeWorld();
    const d = await deployNow(world);
    expect(d.status).toBe('succeeded');
    expect(journaled(world.store, d.id)).toEqual(DEPLOY_STEPS.map((s) => `${s}:ok`));
    expect(world.notifications).toEqual([
      expect.objectContaining({ event: 'deploy', ok: true, summary: 'deployed v2 (bbbbbbb)' }),
    ]);
    expect(world.store.audit.list()).toEqual([
      expect.objectContaining({ action: 'deploy', outcome: 'ok', target: 'v2' }),
    ]);
    expect(world.store.lock.holder()).toBeUndefined();
  });

  // Steps before the backup only read or add: a failure there changes nothing and undoes nothing.
  it.each<[FakeCall, string]>([
    ['host.inspect', 'inspect'],
    ['engine.pull', 'pull'],
    ['host.assertCleanWorkTree', 'preflight'],
    ['engine.preflight', 'preflight'],
    ['database.dump', 'backup'],
  ])('%s failing ends the deploy "failed" at step %s, with nothing changed', async (call, step) => {
    world = fakeWorld();
    world.failOnce(call);
    const d = await deployNow(world);
    expect(d.status).toBe('failed');
    expect(d.error).toContain('failed before any change');
    expect(journaled(world.store, d.id).at(-1)).toBe(`${step}:failed`);
    expect(world.calls.filter((c) => /checkout|writePins|engine.up|restore/.test(c))).toEqual([]);
    expect(world.notifications).toEqual([expect.objectContaining({ ok: false })]);
  });

  // From the checkout on, a failure puts the recorded previous state back.
  it.each<[FakeCall, string]>([
    ['host.checkout', 'checkout'],
    ['host.writePins', 'pin'],
    ['engine.up', 'up'],
    ['engine.health', 'health'],
  ])('%s failing rolls back (step %s failed), database kept when the schema did not change', async (call, step) => {
    world = fakeWorld();
    world.failOnce(call);
    const d = await deployNow(world);
    expect(d.status).toBe('rolled-back');
    const steps = journaled(world.store, d.id);
    expect(steps).toContain(`${step}:failed`);
    expect(steps.filter((s) => s.startsWith('rollback: '))).toEqual([
      ...UNDO.slice(0, 2),
      'rollback: restore database:skipped',
      ...UNDO.slice(2),
    ]);
    expect(d.error).toMatch(
      /^deploy of v2 failed: .* failed; rolled back to the previous version \(images, commit aaaaaaa\)$/,
    );
    expect(world.calls).not.toContain('database.restore dump-1.dump');
    expect(world.host.images).toEqual({ backend: 'repo@sha256:old', worker: 'repo@sha256:old' });
  });

  it('restores the pre-deploy dump online when the failed version migrated the schema (policy auto)', async () => {
    world = fakeWorld({ migrates: true });
    world.failOnce('engine.health');
    const d = await deployNow(world);
    expect(d.status).toBe('rolled-back');
    // The rollback's own path: copy beside, rows carried (the configured default), fence, swap keeping the
    // replaced database; once the previous version is healthy, that database is dumped, then dropped.
    expect(journaled(world.store, d.id).filter((s) => s.startsWith('rollback: ') || s.includes('kept'))).toEqual([
      'rollback: checkout:ok',
      'rollback: pin:ok',
      'rollback: restore copy:ok',
      'rollback: stage rows:ok',
      'rollback: stop writers:ok',
      'rollback: fence:ok',
      'rollback: carry over:ok',
      'rollback: swap database:ok',
      'rollback: up:ok',
      'rollback: health:ok',
      'drop kept database:ok',
    ]);
    const pre = world.store.backups.get(d.backupId!)!;
    expect(world.calls).toContain(`database.restoreOnline ${pre.fileName} inserts`);
    expect(world.calls.filter((c) => /Kept|online.carryOver/.test(c))).toEqual([
      'online.carryOver',
      'database.dumpKept 1_undo',
      'database.dropKept 1_undo',
    ]);
    expect(world.kept.size).toBe(0);
    expect(world.fingerprint).toBe('schema-1');
    expect(d.error).toContain('database from dump-1.dump (carry-over: 0 rows carried');
    expect(d.error).toContain('the replaced database kept as dump-2.dump');
  });

  it.each<['always' | 'never', boolean]>([
    ['always', true],
    ['never', false],
  ])('policy %s: restore=%s whatever the schema', async (policy, restores) => {
    world = fakeWorld({ migrates: policy === 'never', settings: { restoreDatabase: policy } });
    world.failOnce('engine.up');
    const d = await deployNow(world);
    expect(world.calls.some((c) => c.startsWith('database.restoreOnline'))).toBe(restores);
    expect(d.status).toBe('rolled-back');
  });

  it('ends "rollback-failed" when putting the previous version back fails too, each failure diagnosed', async () => {
    world = fakeWorld();
    world.failAlways('engine.health');
    const d = await deployNow(world);
    expect(d.status).toBe('rollback-failed');
    expect(d.error).toMatch(
      /^deploy of v2 failed: health: .*; ROLLBACK FAILED: rollback: health: service backend is unhealthy: engine.health failed$/,
    );
    expect(journaled(world.store, d.id).slice(-2)).toEqual(['rollback: health:failed', 'diagnose:ok']);
    const reports = failureReportsOf(world.store.deployments.steps(d.id));
    expect(reports.map((r) => r.step)).toEqual(['health', 'rollback: health']);
    expect(failureReportOf(world.store.deployments.steps(d.id))?.step).toBe('health'); // `failure`: the first
  });

  it('diagnoses no step but the one that just failed: an undo failing outside a step keeps the first report only', async () => {
    world = fakeWorld({ migrates: true });
    world.failOnce('engine.up');
    world.failAlways('database.schemaFingerprint'); // the undo's restore decision, read outside any step
    const d = await deployNow(world);
    expect(d.status).toBe('rollback-failed');
    expect(world.calls.filter((c) => c.startsWith('engine.diagnose'))).toEqual(['engine.diagnose up']);
    expect(d.error).toMatch(/; ROLLBACK FAILED: database.schemaFingerprint failed$/);
  });

  it('a rollback whose up fails keeps its own diagnosis, and so does its undo', async () => {
    world = fakeWorld();
    const target = await deployNow(world);
    world.failAlways('engine.up');
    const r = await (await startRollbackWith(world.ports, { deploymentId: target.id, mode: 'full', actor: 't' })).done;
    expect(r.status).toBe('rollback-failed');
    expect(r.error).toMatch(
      /^rollback failed: up: service backend is unhealthy: engine.up failed; ROLLBACK FAILED: rollback: up: /,
    );
    expect(failureReportsOf(world.store.deployments.steps(r.id)).map((x) => x.step)).toEqual(['up', 'rollback: up']);
  });

  it("words the undo's skipped restore by what the operation had: no backup for an images-only rollback", async () => {
    world = fakeWorld();
    const target = await deployNow(world);
    world.failOnce('engine.up');
    const r = await (await startRollbackWith(world.ports, { deploymentId: target.id, mode: 'images-only', actor: 't' }))
      .done;
    expect(r.status).toBe('rolled-back');
    const skipped = world.store.deployments.steps(r.id).find((s) => s.name === 'rollback: restore database');
    expect(skipped).toMatchObject({ status: 'skipped', detail: { why: 'the operation took no backup' } });
  });

  it('a failed cleanup never fails a deploy that succeeded', async () => {
    world = fakeWorld();
    world.failOnce('cleanup');
    const d = await deployNow(world);
    expect(d.status).toBe('succeeded');
    expect(journaled(world.store, d.id).at(-1)).toBe('cleanup:failed');
  });

  it('with allowWithoutBackup, a failed backup is logged and the deploy goes on', async () => {
    world = fakeWorld({ settings: { allowWithoutBackup: true } });
    world.failOnce('database.dump');
    const d = await deployNow(world);
    expect(d.status).toBe('succeeded');
    expect(d.backupId).toBeNull();
    expect(world.store.deployments.output(d.id).join()).toContain('deploying without a backup');
  });

  it('a host that is not a git repo skips the checkout and the clean-tree check', async () => {
    world = fakeWorld();
    world.host.commit = null;
    const d = await deployNow(world);
    expect(journaled(world.store, d.id)).toContain('checkout:skipped');
    expect(world.calls).not.toContain('host.assertCleanWorkTree');
  });

  it('a stop request stops at the next step boundary: the record stays running for recovery, the lock is free', async () => {
    world = fakeWorld();
    const id = world.store.deployments.create({ kind: 'deploy', ref: 'v2', commit: TARGET.sha, tag: 'v2', actor: 't' });
    const run = runDeploy(world.ports, id, TARGET, 't');
    world.ports.stop.requestStop(); // during "resolve": it finishes, then the pipeline stops
    await expect(run).rejects.toThrow('stopping before step "inspect"');
    expect(world.store.deployments.get(id)!.status).toBe('running');
    expect(journaled(world.store, id)).toEqual(['resolve:ok']);

    const started = await startDeployment(world.ports, TARGET, 't');
    const record = await started.done; // the runner settles with the running record, and releases the lock
    expect(record.status).toBe('running');
    expect(world.ports.stop.stoppedBefore).toBe('inspect');
    expect(world.store.lock.holder()).toBeUndefined();
    expect(world.ports.stop.operationsInProgress()).toBe(0);
  });
});

describe('rollback decisions', () => {
  async function deployed(w: FakeWorld) {
    const d = await (await startDeployment(w.ports, TARGET, 'tester')).done;
    expect(d.status).toBe('succeeded');
    w.calls.length = 0;
    return d;
  }

  it('full: check, restore, swap keeping the replaced database, code and images, health; then its safety backup', async () => {
    world = fakeWorld();
    const d = await deployed(world);
    const started = await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' });
    // Done for the user at health: the record has ended, the kept database not yet dumped, the lock still held.
    const ended = await started.finished;
    expect(ended).toMatchObject({ status: 'succeeded', backupId: null });
    expect(world.kept).toEqual(new Set([String(ended.id)]));
    expect(world.store.lock.holder()).toBeDefined();
    const r = await started.done;
    expect(r.status).toBe('succeeded');
    expect(journaled(world.store, r.id)).toEqual(ROLLBACK_STEPS.map((s) => `${s}:ok`));
    expect(world.calls.filter((c) => /restore|online|Kept|dump/.test(c))).toEqual([
      'database.restoreOnline dump-1.dump inserts',
      'online.stageRows',
      'online.fence',
      'online.carryOver',
      'online.swap',
      `database.dumpKept ${r.id}`,
      `database.dropKept ${r.id}`,
    ]);
    // Its backup, what a rollback of it restores, is the dump of the database it replaced.
    expect(world.store.backups.get(r.backupId!)).toMatchObject({ reason: 'pre-rollback', deploymentId: r.id });
    expect(world.kept.size).toBe(0);
    expect(world.store.lock.holder()).toBeUndefined();
    expect(world.host.images).toEqual({ backend: 'repo@sha256:old', worker: 'repo@sha256:old' });
    expect(world.store.audit.list()[0]!.detail).toMatch(
      /carry-over: 0 rows carried.*leftovers in \/backups\/rollback-/,
    );
  });

  it('carry-over none (asked, or the configured default): no first pass, no carry, the dump as it is', async () => {
    world = fakeWorld({ settings: { carryOver: 'none' } });
    const d = await deployed(world);
    const r = await (await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' })).done;
    expect(r.status).toBe('succeeded');
    expect(journaled(world.store, r.id)).toEqual(
      ROLLBACK_STEPS.filter((s) => s !== 'stage rows' && s !== 'carry over').map((s) => `${s}:ok`),
    );
    expect(world.calls).toContain('database.restoreOnline dump-1.dump none');
    world.ports.settings.carryOver = 'none';
    const again = await (
      await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't', carryOver: 'inserts' })
    ).done;
    expect(journaled(world.store, again.id)).toContain('carry over:ok');
  });

  it.each<[FakeCall, string]>([
    ['database.checkDump', 'check'],
    ['engine.ensurePresent', 'check'],
    ['host.inspect', 'inspect'],
  ])('%s failing refuses the rollback at %s with nothing changed', async (call, step) => {
    world = fakeWorld();
    const d = await deployed(world);
    world.failOnce(call);
    const r = await (await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' })).done;
    expect(r.status).toBe('failed');
    expect(r.error).toContain('rollback refused, nothing changed');
    expect(journaled(world.store, r.id).at(-1)).toBe(`${step}:failed`);
    expect(world.calls.filter((c) => /checkout|writePins|engine.up|engine.stop|restore/.test(c))).toEqual([]);
  });

  // The database decision of the undo: past the swap, the kept database (the pre-rollback state) is swapped back.
  it.each<[FakeCall, boolean]>([
    ['engine.stop', false],
    ['database.restoreOnline', false],
    ['online.stageRows', false],
    ['online.fence', false],
    ['online.carryOver', false],
    ['online.swap', false],
    ['host.checkout', true],
    ['host.writePins', true],
    ['engine.up', true],
    ['engine.health', true],
  ])('%s failing puts the pre-rollback state back (kept database swapped back: %s)', async (call, swapsBack) => {
    world = fakeWorld();
    const d = await deployed(world);
    world.failOnce(call);
    const r = await (await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' })).done;
    expect(r.status).toBe('rolled-back');
    expect(r.error).toContain('put the pre-rollback state back (images');
    expect(world.calls.includes(`database.swapBack ${r.id}`)).toBe(swapsBack);
    expect(journaled(world.store, r.id)).toContain(
      swapsBack ? 'rollback: swap back:ok' : 'rollback: restore database:skipped',
    );
    // The database the undo replaced is kept in turn, dumped once the app serves, then dropped; no backup recorded.
    expect(world.calls.includes(`database.dropKept ${r.id}_undo`)).toBe(swapsBack);
    expect(world.kept.size).toBe(0);
    expect(r.backupId).toBeNull();
    expect(world.calls.some((c) => c.startsWith('database.restore '))).toBe(false);
    // Before the swap the live database is whole: the copy is abandoned (its fence lifted) instead.
    const began = world.calls.some((c) => c.startsWith('database.restoreOnline')) && call !== 'database.restoreOnline';
    expect(world.calls.includes('online.abandon')).toBe(began && !swapsBack);
  });

  it('a failed safety backup is loud and keeps the replaced database; the next start dumps it, then drops it', async () => {
    world = fakeWorld();
    const d = await deployed(world);
    world.failOnce('database.dumpKept');
    const r = await (await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' })).done;
    expect(r).toMatchObject({ status: 'succeeded', backupId: null });
    expect(journaled(world.store, r.id).slice(-1)).toEqual(['safety backup:failed']);
    expect(world.kept).toEqual(new Set([String(r.id)]));
    expect(world.calls).not.toContain(`database.dropKept ${r.id}`);
    expect(world.store.audit.list()[0]).toMatchObject({ action: 'safety-backup', outcome: 'failed' });
    expect(world.notifications.at(-1)).toMatchObject({ event: 'rollback', ok: false });
    expect(world.notifications.at(-1)!.summary).toMatch(/safety backup .* failed, so that database is kept/);

    const lookups = world.keptLookups;
    const report = await recoverWith(world.ports);
    expect(world.keptLookups).toBe(lookups + 1); // the journal shows a kept database not dropped: the server is asked
    expect(report.cleanedUp).toEqual([
      expect.stringMatching(
        new RegExp(`^took the safety backup dump-\\d+\\.dump of the database deployment ${r.id} replaced`),
      ),
    ]);
    expect(world.kept.size).toBe(0);
    expect(world.store.deployments.get(r.id)!.backupId).not.toBeNull();
    // Dropped since: the next start reads that from the journal and asks the server nothing.
    await recoverWith(world.ports);
    expect(world.keptLookups).toBe(lookups + 1);
  });

  it('refuses at check, nothing changed, when there is no room for the copy, the staged rows and the safety dump', async () => {
    world = fakeWorld();
    const d = await deployed(world);
    world.spaceProblem = 'not enough free space for the rollback: /backups has 1.0 MiB free';
    const r = await (await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' })).done;
    expect(r.status).toBe('failed');
    expect(r.error).toBe(
      'rollback refused, nothing changed: not enough free space for the rollback: /backups has 1.0 MiB free',
    );
    expect(journaled(world.store, r.id)).toEqual(['check:failed']);
    expect(world.calls.filter((c) => /restore|engine.stop|checkout/.test(c))).toEqual([]);
  });

  it('images-only takes no safety backup and never restores the database', async () => {
    world = fakeWorld();
    const d = await deployed(world);
    world.failOnce('engine.health');
    const r = await (await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'images-only', actor: 't' }))
      .done;
    expect(r.status).toBe('rolled-back');
    expect(world.calls.filter((c) => /dump|restore /.test(c))).toEqual([]);
  });

  it('refuses by the plan rules before taking the lock or recording anything', async () => {
    world = fakeWorld();
    world.failOnce('database.dump');
    world.ports.settings.allowWithoutBackup = true;
    const d = await deployed(world); // no pre-deploy backup
    expect(() => startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' })).toThrow(
      `deployment ${d.id} has no usable database backup; use --images-only`,
    );
    expect(() => startRollbackWith(world.ports, { deploymentId: 99, mode: 'full', actor: 't' })).toThrow(
      'does not exist',
    );
    expect(world.store.deployments.list()).toHaveLength(1);
  });
});

describe('crash recovery decisions', () => {
  /** An orphan: a record left running with these steps journaled, as a killed process leaves it. */
  function orphan(w: FakeWorld, kind: 'deploy' | 'rollback', steps: string[], withBackup = true) {
    const id = w.store.deployments.create({ kind, ref: 'v2', commit: TARGET.sha, tag: null, actor: 't' });
    w.store.deployments.setPrevious(id, 'a'.repeat(40), { backend: 'repo@sha256:old', worker: 'repo@sha256:old' });
    if (withBackup) {
      const backup = w.store.backups.begin({
        fileName: 'pre.dump',
        tempName: '.pre',
        databaseName: 'app',
        reason: 'pre-deploy',
        note: null,
        actor: 't',
        createdAt: new Date().toISOString(),
        deploymentId: id,
      });
      w.store.backups.succeed(backup, {
        sizeBytes: 1,
        sha256: 'x',
        serverVersion: '15',
        rowCounts: {},
        schemaFingerprint: 'schema-0',
      });
      w.store.deployments.setBackup(id, backup);
    }
    for (const name of steps)
      w.store.deployments.endStep(id, w.store.deployments.beginStep(id, name), 'ok', null, null);
    return id;
  }

  it('an operation interrupted before any mutating step changed nothing: no undo', async () => {
    world = fakeWorld();
    const id = orphan(world, 'deploy', ['resolve', 'inspect', 'pull', 'preflight', 'backup']);
    const [r] = (await recoverWith(world.ports)).operations;
    expect(r).toMatchObject({
      deploymentId: id,
      status: 'interrupted',
      summary: 'interrupted after step "backup"; it had changed nothing',
    });
    expect(world.calls).toEqual(['repairLeftovers']);
    expect(world.store.audit.list()[0]).toMatchObject({ actor: 'recovery', outcome: 'ok' });
  });

  it('a deploy interrupted after "up" is undone, restoring the dump online only if the schema changed', async () => {
    world = fakeWorld();
    world.fingerprint = 'schema-9'; // migrations ran
    const id = orphan(world, 'deploy', ['resolve', 'inspect', 'pull', 'preflight', 'backup', 'checkout', 'pin', 'up']);
    const [r] = (await recoverWith(world.ports)).operations;
    expect(r!.status).toBe('interrupted');
    expect(r!.summary).toMatch(
      /^interrupted after step "up"; recovery put the previous version back \(images, commit aaaaaaa, database from pre.dump \(carry-over: 0 rows carried.*\), the replaced database kept as dump-1.dump\)$/,
    );
    // Nothing lost: the replaced database is kept at the swap, dumped once the app serves, and only then dropped.
    const at = (call: string) => world.calls.indexOf(call);
    expect(at('online.swap')).toBeLessThan(at('engine.health'));
    expect(at('engine.health')).toBeLessThan(at(`database.dumpKept ${id}_undo`));
    expect(at(`database.dumpKept ${id}_undo`)).toBeLessThan(at(`database.dropKept ${id}_undo`));
    expect(world.store.backups.list({ status: 'ok' }).find((b) => b.fileName === 'dump-1.dump')).toMatchObject({
      reason: 'pre-rollback',
      deploymentId: id,
    });
  });

  it('a failed dump of the replaced database keeps it: the undo succeeds, the database is not dropped', async () => {
    world = fakeWorld();
    world.fingerprint = 'schema-9';
    world.failAlways('database.dumpKept');
    const id = orphan(world, 'deploy', ['resolve', 'inspect', 'pull', 'preflight', 'backup', 'checkout', 'pin', 'up']);
    const report = await recoverWith(world.ports);
    expect(report.operations[0]).toMatchObject({ status: 'interrupted' });
    expect(report.operations[0]!.summary).toContain('the replaced database kept on the server (its dump failed)');
    expect(world.kept).toEqual(new Set([`${id}_undo`]));
    expect(world.calls.some((c) => c.startsWith('database.dropKept'))).toBe(false);
  });

  it('a rollback killed after its swap: recovery swaps the kept database back, then dumps and drops the replaced one', async () => {
    world = fakeWorld();
    const id = orphan(world, 'rollback', ROLLBACK_STEPS.slice(0, ROLLBACK_STEPS.indexOf('swap database') + 1), false);
    world.kept.add(String(id));
    const [r] = (await recoverWith(world.ports)).operations;
    expect(r!.summary).toContain('database swapped back');
    expect(world.calls.filter((c) => /Kept|swapBack|database.restore/.test(c))).toEqual([
      `database.swapBack ${id}`,
      `database.dumpKept ${id}_undo`,
      `database.dropKept ${id}_undo`,
    ]);
    expect(world.kept.size).toBe(0);
  });

  it('an undo killed after its own swap is not swapped again: the kept database is the one it replaced', async () => {
    world = fakeWorld();
    const id = orphan(world, 'rollback', [...ROLLBACK_STEPS.slice(0, ROLLBACK_STEPS.indexOf('up') + 1)], false);
    world.store.deployments.endStep(id, world.store.deployments.beginStep(id, 'rollback: swap back'), 'ok', null, null);
    world.kept.add(`${id}_undo`);
    await recoverWith(world.ports);
    expect(world.calls.some((c) => c.startsWith('database.swapBack'))).toBe(false);
    expect(journaled(world.store, id)).toContain('rollback: restore database:skipped');
    expect(world.calls).toContain(`database.dropKept ${id}_undo`);
  });

  it('an orphan older than a later operation that changed what runs is closed "superseded": nothing undone', async () => {
    world = fakeWorld();
    world.fingerprint = 'schema-9';
    const old = orphan(world, 'deploy', ['resolve', 'inspect', 'pull', 'preflight', 'backup', 'checkout', 'pin', 'up']);
    // A later deploy that took the dead process's lock without recovering, as the daemon's API used to.
    const recover = world.ports.recoverOrphans;
    world.ports.recoverOrphans = async () => undefined;
    const later = await deployNow(world);
    expect(later.status).toBe('succeeded');
    world.ports.recoverOrphans = recover;
    world.calls.length = 0;

    const report = await recoverWith(world.ports);
    expect(report.operations).toEqual([
      {
        deploymentId: old,
        status: 'superseded',
        summary: `interrupted after step "up"; superseded by deployment ${later.id}, which changed what runs after it: nothing undone`,
      },
    ]);
    expect(world.calls).toEqual(['repairLeftovers']); // no checkout, no pins, no restore
    expect(world.store.deployments.current()?.id).toBe(later.id);
  });

  it('every operation start recovers an orphan first: the next deploy closes it, then runs', async () => {
    world = fakeWorld();
    const id = orphan(world, 'deploy', ['resolve', 'inspect', 'pull', 'preflight', 'backup', 'checkout', 'pin', 'up']);
    const d = await deployNow(world);
    expect(world.store.deployments.get(id)).toMatchObject({ status: 'interrupted' });
    expect(d.status).toBe('succeeded');
    // The undo ran before the new deploy inspected the host: its "previous" is the recovered state.
    expect(world.calls.indexOf('engine.health')).toBeLessThan(world.calls.indexOf('host.inspect'));
    expect(world.store.audit.list().map((e) => `${e.actor} ${e.action}`)).toEqual(['tester deploy', 'recovery deploy']);
  });

  it.each<[string[], boolean]>([
    [['check', 'inspect', 'backup', 'stop writers'], false],
    // The steps of today's rollback up to the carry-over (the live database untouched), then up to the swap.
    [ROLLBACK_STEPS.slice(0, ROLLBACK_STEPS.indexOf('carry over') + 1), false],
    [['check', 'inspect', 'backup', 'stop writers', 'restore database'], true],
    [['check', 'inspect', 'backup', 'stop writers', 'restore database', 'verify', 'checkout'], true],
    [['check', 'inspect', 'backup', 'checkout', 'pin'], false],
  ])('a rollback of an older version interrupted after %j restores its safety backup: %s', async (steps, restores) => {
    world = fakeWorld();
    world.fingerprint = 'schema-0'; // the same schema: only the rule decides
    orphan(world, 'rollback', steps);
    await recoverWith(world.ports);
    expect(world.calls.includes('database.restoreOnline pre.dump inserts')).toBe(restores);
  });

  it('a failed undo ends "rollback-failed"; a live lock holder is never disturbed', async () => {
    world = fakeWorld();
    world.failAlways('engine.up');
    const id = orphan(world, 'deploy', ['resolve', 'inspect', 'pull', 'preflight', 'backup', 'checkout']);
    const release = world.store.lock.acquire('someone else'); // this process: alive
    expect(await recoverWith(world.ports)).toMatchObject({ operations: [], busy: { operation: 'someone else' } });
    release();
    const [r] = (await recoverWith(world.ports)).operations;
    expect(r).toMatchObject({ deploymentId: id, status: 'rollback-failed' });
    expect(world.notifications.at(-1)).toMatchObject({ event: 'deploy', ok: false });
  });
});

describe('time comes from the clock port', () => {
  /** Every timestamp a deployment record holds: its own, and each step's start and end. */
  function stamps(w: FakeWorld, id: number): string[] {
    const d = w.store.deployments.get(id)!;
    const steps = w.store.deployments.steps(id).flatMap((s) => [s.startedAt, s.finishedAt]);
    return [d.createdAt, ...steps, d.finishedAt].map((t) => t ?? 'missing');
  }
  /** The readings the fake clock gave, in order (it moves one second on each). */
  const readings = (w: FakeWorld) =>
    Array.from({ length: w.clock.readings }, (_, i) => new Date(FAKE_EPOCH.getTime() + 1000 * i).toISOString());

  it('a deploy records its start, each step and its end at the times the clock gives', async () => {
    world = fakeWorld();
    const d = await deployNow(world);
    const all = stamps(world, d.id);
    expect(all[0]).toBe(FAKE_EPOCH.toISOString()); // the record is created at the first reading
    expect(all.at(-1)).toBe(readings(world).at(-1)); // and finished at the last
    expect(all.every((t) => readings(world).includes(t))).toBe(true);
    expect([...all].sort()).toEqual(all); // in the order they happened
  });

  it("a deploy's lock is taken at its start and its audit entry written at its end, on the clock", async () => {
    world = fakeWorld();
    const lockedAt: Array<string | undefined> = [];
    const health = world.ports.engine.health;
    world.ports.engine.health = async (pins) => {
      lockedAt.push(world.store.lock.holder()?.acquiredAt); // while the deploy runs
      return health(pins);
    };
    const d = await deployNow(world);
    expect(lockedAt).toEqual([FAKE_EPOCH.toISOString()]); // the first reading, the record's start too
    expect(d.createdAt).toBe(FAKE_EPOCH.toISOString());
    const [entry] = world.store.audit.list();
    expect(entry).toMatchObject({ action: 'deploy', outcome: 'ok' });
    expect(entry?.at).toBe(d.finishedAt); // one reading for the record's end and the audit entry
    expect(entry?.at).toBe(readings(world).at(-1));
  });

  it('a rollback and a recovery take their times from the clock too', async () => {
    world = fakeWorld();
    const d = await deployNow(world);
    const r = await (await startRollbackWith(world.ports, { deploymentId: d.id, mode: 'full', actor: 't' })).done;
    expect(stamps(world, r.id).every((t) => readings(world).includes(t))).toBe(true);

    const orphan = world.store.deployments.create({
      kind: 'deploy',
      ref: 'v3',
      commit: TARGET.sha,
      tag: null,
      actor: 't',
    });
    world.store.deployments.setPrevious(orphan, 'a'.repeat(40), world.host.images);
    await recoverWith(world.ports);
    const recovered = world.store.deployments.get(orphan)!;
    expect(recovered.status).toBe('interrupted');
    expect(recovered.finishedAt).toBe(readings(world).at(-1));
    // The deploy's, the rollback's and the recovery's audit entries.
    const audit = world.store.audit.list();
    expect(audit.map((e) => `${e.actor} ${e.action}`)).toEqual(['recovery deploy', 't rollback', 'tester deploy']);
    expect(audit.every((e) => readings(world).includes(e.at))).toBe(true);
  });
});
