import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Actor, Switchyard } from '../../src/app/index.js';
import { SwitchyardError } from '../../src/errors.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { catalogBackup } from '../fixtures/fakes.js';

/**
 * The backups area through the app, on a real SQLite state in a temp dir: who may do what (the one role table),
 * what bad input and missing backups answer, and the view models the faces render. Nothing here reaches Docker
 * or PostgreSQL: a refused or busy command stops before the database.
 */
const viewer: Actor = { name: 'ui:vera', role: 'viewer' };
const operator: Actor = { name: 'api:ops', role: 'operator' };
const admin: Actor = { name: 'cli:root', role: 'admin' };

let ctx: TestContext;
let app: Switchyard;
beforeEach(() => {
  ctx = testContext({ database: '{ service: db, name: app }' });
  app = new Switchyard(() => ctx);
});
afterEach(() => ctx.cleanup());

/** A good backup in the catalog, its file in the backups dir. */
const goodBackup = (fileName = '20330102T030405Z_app_manual.dump', content = 'a dump') =>
  catalogBackup(ctx.store, ctx.config.backups.dir, {
    fileName,
    createdAt: '2033-01-02T03:04:05.000Z',
    content,
    rowCounts: { items: 3 },
  });

async function refusal(promise: Promise<unknown> | (() => unknown)): Promise<SwitchyardError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    expect(e).toBeInstanceOf(SwitchyardError);
    expect((e as Error).message).not.toContain('\n');
    return e as SwitchyardError;
  }
  throw new Error('expected a refusal');
}

describe('backups through the app', () => {
  it('lists each backup with its last drill and its off-site copy', () => {
    expect(app.backups.list()).toEqual([]);
    const id = goodBackup();
    const [b] = app.backups.list();
    expect(b).toMatchObject({ id, status: 'ok', reason: 'manual', lastDrill: null, offsite: null });
    expect(b).not.toHaveProperty('tempName'); // the catalog's internal columns stay inside
  });

  it('one backup: its page with the last drill report, found by a path string or a number', () => {
    const id = goodBackup();
    ctx.store.drills.record({
      backupId: id,
      startedAt: '2033-01-02T05:04:05.000Z',
      restoreMs: 850,
      verified: true,
      issues: [],
      actor: 'cli:root',
      restoredRowCounts: { items: 3 },
    });
    expect(app.backups.get(String(id))).toEqual(app.backups.get(id));
    const { backup, report } = app.backups.detail(String(id));
    expect(backup).toMatchObject({ id, lastDrill: { verified: true, restoreMs: 850 }, offsite: null });
    expect(backup).not.toHaveProperty('ownerPid');
    expect(report!.backupAgeHours).toBe(2);
    expect(report!.markdown).toContain('20330102T030405Z_app_manual.dump');
    expect(report!.markdown).toContain('**Restore Time**: 0.85 s');
    expect(app.backups.detail(goodBackup('20330102T030406Z_app_manual.dump')).report).toBeNull();
  });

  it.each([
    ['a word', 'abc'],
    ['a path', '../../etc'],
    ['zero', '0'],
    ['a rounded neighbour', '9999999999999999'],
    ['a negative number', -1],
  ])('refuses %s as a backup id with a one-line input error naming it', async (_what, raw) => {
    const e = await refusal(() => app.backups.get(raw));
    expect(e.kind).toBe('input');
    expect(e.message).toMatch(/^backup id must be a positive integer up to 9007199254740991, got "/);
  });

  it('answers not found for a backup the catalog does not have', async () => {
    const e = await refusal(() => app.backups.get('42'));
    expect([e.kind, e.message]).toEqual(['not-found', 'backup 42 does not exist']);
    expect((await refusal(app.backups.download(operator, 42))).kind).toBe('not-found');
  });

  it('a download needs read backup data: a viewer is refused and nothing is audited; an operator gets the file', async () => {
    const id = goodBackup();
    const e = await refusal(app.backups.download(viewer, String(id)));
    expect(e.kind).toBe('forbidden');
    expect(e.message).toBe('ui:vera is viewer; read backup data needs operator');
    expect(ctx.store.audit.list()).toEqual([]);

    const d = await app.backups.download(operator, String(id));
    expect(d).toMatchObject({ fileName: '20330102T030405Z_app_manual.dump', sizeBytes: 6 });
    expect(Buffer.from(await new Response(d.body).arrayBuffer()).toString()).toBe('a dump');
    expect(ctx.store.audit.list()).toMatchObject([
      { actor: 'api:ops', action: 'backup.download', target: d.fileName, outcome: 'ok' },
    ]);
  });

  it('back up now and drill need back up: a viewer is refused before anything is taken or locked', async () => {
    const id = goodBackup();
    for (const attempt of [app.backups.backUp(viewer, { note: 'x' }), app.backups.drill(viewer, id)]) {
      const e = await refusal(attempt);
      expect(e.kind).toBe('forbidden');
      expect(e.message).toMatch(/^ui:vera is viewer; back up needs operator$/);
    }
    expect(app.backups.list().map((b) => b.id)).toEqual([id]);
    expect(ctx.store.drills.latestFor(id)).toBeUndefined();
    expect(ctx.store.audit.list()).toEqual([]);
    expect(ctx.store.lock.holder()).toBeUndefined();
  });

  it('an operator and an admin pass the role check: a busy host answers conflict, not forbidden', async () => {
    const release = ctx.store.lock.acquire('deploy v9');
    try {
      for (const actor of [operator, admin]) {
        expect((await refusal(app.backups.backUp(actor))).kind).toBe('conflict');
        expect((await refusal(app.backups.drill(actor))).kind).toBe('conflict');
      }
    } finally {
      release();
    }
    expect(ctx.store.backups.list()).toEqual([]);
  });

  it('a drill of a malformed id is an input error before the lock is taken', async () => {
    const release = ctx.store.lock.acquire('deploy v9'); // a conflict would mean the id was not checked first
    try {
      expect((await refusal(app.backups.drill(operator, 'x'))).kind).toBe('input');
    } finally {
      release();
    }
  });
});
