import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Switchyard } from '../../src/app/index.js';
import { SwitchyardError } from '../../src/errors.js';
import { testContext, type TestContext } from '../fixtures/context.js';

/** The audit log through the app: the API's answer and the Audit page, each with its defaults, from one parser. */
let ctx: TestContext;
let app: Switchyard;
beforeEach(() => {
  ctx = testContext({ database: '{ service: db, name: app }' });
  app = new Switchyard(() => ctx);
  const at = new Date('2033-01-02T03:04:05.000Z');
  for (let i = 1; i <= 60; i++)
    ctx.store.audit.record({ actor: i % 2 ? 'ui:alice' : 'api:bot', action: 'backup.create', outcome: 'ok' }, at);
  ctx.store.audit.record({ actor: 'ui:alice', action: 'ui.login', outcome: 'ok' }, at);
  ctx.store.audit.record({ actor: 'ui:mallory', action: 'ui.login', outcome: 'refused' }, at);
});
afterEach(() => ctx.cleanup());

const inputErrorOf = (run: () => unknown): SwitchyardError => {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SwitchyardError);
    return e as SwitchyardError;
  }
  throw new Error('expected an input error');
};

describe('the audit log through the app', () => {
  it('the API answer: newest first, logins shown, up to the limit asked for and never beyond 200', () => {
    const all = app.audit.entries({});
    expect(all).toHaveLength(62);
    expect(all[0]).toMatchObject({ actor: 'ui:mallory', action: 'ui.login', outcome: 'refused' });
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
    expect(app.audit.entries({ limit: '3', actor: 'api:bot' }).map((e) => e.actor)).toEqual(Array(3).fill('api:bot'));
    const e = inputErrorOf(() => app.audit.entries({ limit: '201' }));
    expect(e.kind).toBe('input');
    expect(e.message).toMatch(/^limit: /);
  });

  it('the Audit page: 50 entries, successful logins hidden (refused ones kept), and where the older page starts', () => {
    const page = app.audit.page({});
    expect(page.entries).toHaveLength(50);
    expect(page.entries.some((e) => e.action === 'ui.login' && e.outcome === 'ok')).toBe(false);
    expect(page.entries[0]).toMatchObject({ actor: 'ui:mallory', outcome: 'refused' });
    expect(page.older).toBe(page.entries[49]!.id);
    expect(page.filter).toEqual({ hideLogins: true });
    expect(page.actors).toEqual(['api:bot', 'ui:alice', 'ui:mallory']);
    expect(page.actions).toEqual(['backup.create', 'ui.login']);

    const older = app.audit.page({ before: String(page.older) });
    expect(older.entries).toHaveLength(11);
    expect(older.older).toBeNull();
    expect(app.audit.page({ logins: 'show' }).entries[1]).toMatchObject({ action: 'ui.login', outcome: 'ok' });
    expect(inputErrorOf(() => app.audit.page({ before: 'x' })).message).toMatch(/^before: /);
  });
});
