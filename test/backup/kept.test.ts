import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow } from '../../src/backup/index.js';
import { restoreDatabase } from '../../src/backup/restore.js';
import { beginOnlineRestore } from '../../src/backup/restoreOnline.js';
import { Journal } from '../../src/ops/journal.js';
import { secureKept } from '../../src/deploy/keptDatabase.js';
import { rollbackSpaceProblem } from '../../src/deploy/rollbackSpace.js';
import { deployPorts } from '../../src/app/ports/deploy.js';
import type { BackupRow } from '../../src/store/index.js';
import type { TestContext } from '../fixtures/context.js';
import { tableDigest } from '../fixtures/data.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

/**
 * The kept database for real (URL mode): an online restore's swap keeps the replaced database under the
 * operation's name; its dump is taken from it, verified and recorded as the live database's backup, and only
 * then is it dropped. A dump that fails leaves it in place and says so. An undo swaps it back.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('the kept database (real PostgreSQL)', () => {
  let pg: PgCluster;
  let ctx: TestContext;
  let dump: BackupRow;
  const databases = () => pg.psql('postgres', `SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database`);
  const rollbackRecord = () => {
    const id = ctx.store.deployments.create({
      kind: 'rollback',
      ref: 'before #1',
      commit: null,
      tag: null,
      actor: 't',
    });
    ctx.store.deployments.finish(id, 'succeeded');
    return id;
  };
  /** A restore of `dump` swapped in for `app` as operation `owner`, after a row the dump lacks was written. */
  async function swapIn(owner: number, title: string): Promise<string> {
    pg.psql('app', `INSERT INTO requests (title) VALUES ('${title}')`);
    const online = await beginOnlineRestore(ctx, dump, 'none', { owner, undo: false });
    await online.fence();
    return (await online.swap()).kept;
  }

  beforeAll(async () => {
    ({ pg, ctx } = await startSampleDb());
    dump = ctx.store.backups.get((await backupNow(ctx, { reason: 'manual', actor: 'test' })).id)!;
  });
  afterAll(async () => {
    ctx?.cleanup();
    await pg?.stop();
  });

  it('is dumped and verified as the live database’s backup, recorded as the rollback’s, and only then dropped', async () => {
    const id = rollbackRecord();
    const before = pg.psql('app', tableDigest('requests'));
    const kept = await swapIn(id, 'written after the dump');
    expect(kept).toBe(`app_sy_kept_${id}`);
    expect(pg.psql('app', tableDigest('requests'))).toBe(before); // the dump's content is live
    const keptContent = pg.psql(kept, tableDigest('requests'));
    expect(keptContent).not.toBe(before); // the kept one has the row written after the dump, and is open

    const ports = deployPorts(ctx);
    expect(await ports.database.keptDatabases()).toEqual([{ owner: id, undo: false }]);
    const secured = await secureKept(ports, new Journal(ports, id), { owner: id, undo: false }, 'test');
    if (!secured.ok) throw new Error(secured.failure);
    expect(secured.backup).toMatchObject({
      status: 'ok',
      reason: 'pre-rollback',
      databaseName: 'app',
      deploymentId: id,
    });
    expect(secured.backup.fileName).toMatch(/_app_pre-rollback\.dump\.zst$/);
    expect(ctx.store.deployments.get(id)!.backupId).toBe(secured.backup.id);
    expect(databases()).not.toContain(kept);
    expect(ctx.store.deployments.steps(id).map((s) => `${s.name}:${s.status}`)).toEqual([
      'safety backup:ok',
      'drop kept database:ok',
    ]);

    // The safety backup holds what the kept database held: restored, the row written after the dump is back.
    await restoreDatabase(ctx, secured.backup);
    expect(pg.psql('app', tableDigest('requests'))).toBe(keptContent);
  });

  it('whose dump fails stays, and the failure is audited and notified', async () => {
    const id = rollbackRecord();
    const kept = await swapIn(id, 'written before a failed dump');
    const dir = ctx.config.backups.dir;
    fs.renameSync(dir, `${dir}.aside`);
    fs.writeFileSync(dir, 'not a directory'); // a real failure: the backups dir cannot be made
    const ports = deployPorts(ctx);
    let secured: Awaited<ReturnType<typeof secureKept>>;
    try {
      secured = await secureKept(ports, new Journal(ports, id), { owner: id, undo: false }, 'test');
    } finally {
      fs.rmSync(dir);
      fs.renameSync(`${dir}.aside`, dir);
    }
    expect(secured).toMatchObject({ ok: false });
    expect(databases()).toContain(kept);
    expect(ctx.store.deployments.get(id)!.backupId).toBeNull();
    expect(ctx.store.audit.list()[0]).toMatchObject({ action: 'safety-backup', outcome: 'failed' });
    expect(ctx.store.audit.list()[0]!.detail).toMatch(/so that database is kept \(not dropped\).*not writable/);

    // The next attempt (recovery's) dumps it and drops it.
    const again = await secureKept(ports, new Journal(ports, id), { owner: id, undo: false }, 'recovery');
    expect(again.ok).toBe(true);
    expect(databases()).not.toContain(kept);
  });

  it('a rollback without room for its copy, staged rows and safety dump is refused by the plan rule', async () => {
    const full = { ...ctx, freeBytes: async () => 4096 };
    const problem = await rollbackSpaceProblem(full, dump, 'inserts');
    expect(problem).toMatch(
      /^not enough free space for the rollback: .* has 0\.0 MiB free, it needs about [\d.]+ MiB \(restored copy [\d.]+ MiB, staged rows [\d.]+ MiB, safety dump [\d.]+ MiB\)$/,
    );
    expect(await rollbackSpaceProblem({ ...ctx, freeBytes: async () => 2 ** 40 }, dump, 'inserts')).toBeNull();
    expect(await rollbackSpaceProblem({ ...ctx, freeBytes: async () => null }, dump, 'none')).toBeNull(); // unknown
  });

  it('is swapped back by an undo, the database it replaces kept in turn', async () => {
    const id = rollbackRecord();
    const kept = await swapIn(id, 'written before an undo');
    const keptContent = pg.psql(kept, tableDigest('requests'));
    const restoredContent = pg.psql('app', tableDigest('requests'));
    const ports = deployPorts(ctx);
    await ports.database.swapBack(id);
    expect(pg.psql('app', tableDigest('requests'))).toBe(keptContent);
    expect(pg.psql(`${kept}_undo`, tableDigest('requests'))).toBe(restoredContent);
    expect(await ports.database.keptDatabases()).toEqual([{ owner: id, undo: true }]);
    await ports.database.dropKept({ owner: id, undo: true });
    expect(databases()).toBe('app,postgres,template0,template1');
  });
});
