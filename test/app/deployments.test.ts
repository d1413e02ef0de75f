import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  parseCarryOver,
  parseDeployInput,
  parseDeploymentId,
  parseRollbackMode,
  Switchyard,
} from '../../src/app/index.js';
import { SwitchyardError } from '../../src/errors.js';
import { testContext, type TestContext } from '../fixtures/context.js';

const viewer: Actor = { name: 'ui:vera', role: 'viewer' };
const operator: Actor = { name: 'ui:otto', role: 'operator' };

/** The error a call throws, as kind and message (a call that does not throw fails the test). */
async function errorOf(call: () => unknown): Promise<{ kind: string; message: string }> {
  try {
    await call();
  } catch (e) {
    if (!(e instanceof SwitchyardError)) throw e;
    return { kind: e.kind, message: e.message };
  }
  throw new Error('expected an error');
}

describe('app: deployments', () => {
  let ctx: TestContext;
  let app: Switchyard;

  beforeEach(() => {
    ctx = testContext({ database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }' });
    app = new Switchyard(() => ctx);
  });
  afterEach(() => ctx.cleanup());

  /** A finished deploy that replaced images: a rollback to before it is possible for its images. */
  const recordDeploy = (status: 'succeeded' | 'failed' = 'succeeded') => {
    const id = ctx.store.deployments.create({
      kind: 'deploy',
      ref: 'v1',
      commit: 'a'.repeat(40),
      tag: 'v1',
      actor: 't',
    });
    ctx.store.deployments.setPrevious(id, 'b'.repeat(40), { web: `reg/web@sha256:${'1'.repeat(64)}` });
    ctx.store.deployments.finish(id, status, status === 'failed' ? 'health check failed' : null);
    return id;
  };
  const written = () => ({ deployments: ctx.store.deployments.list().length, audit: ctx.store.audit.list().length });

  it('refuses a viewer every command, and writes or starts nothing', async () => {
    const id = recordDeploy();
    const before = written();
    const refusals = [
      () => app.deployments.deploy(viewer, { ref: 'v2' }),
      () => app.deployments.restart(viewer),
      () => app.deployments.rollback(viewer, { id: String(id) }),
      () => app.deployments.recover(viewer),
      () => app.deployments.leftovers(viewer, String(id)),
    ];
    for (const call of refusals) expect((await errorOf(call)).kind).toBe('forbidden');
    expect((await errorOf(refusals[0]!)).message).toBe('ui:vera is viewer; deploy needs operator');
    expect((await errorOf(refusals[4]!)).message).toBe('ui:vera is viewer; read backup data needs operator');
    expect(written()).toEqual(before);
    expect(ctx.store.lock.holder()).toBeUndefined();
  });

  it("lets an operator past authorization to the input's own errors", async () => {
    const id = recordDeploy();
    expect(await errorOf(() => app.deployments.deploy(operator, {}))).toEqual({
      kind: 'input',
      message: 'choose a version to deploy (a tag, branch or commit sha)',
    });
    expect((await errorOf(() => app.deployments.deploy(operator, { ref: 'v2', current: true }))).kind).toBe('input');
    expect(await errorOf(() => app.deployments.rollback(operator, { id: String(id), mode: 'most' }))).toEqual({
      kind: 'input',
      message: 'mode must be full, images-only or database-only, got "most"',
    });
    expect(await errorOf(() => app.deployments.rollback(operator, { id: '999' }))).toEqual({
      kind: 'not-found',
      message: 'deployment 999 does not exist',
    });
    // Past 'read backup data': this deployment wrote no leftovers file.
    expect(await errorOf(() => app.deployments.leftovers(operator, String(id)))).toEqual({
      kind: 'not-found',
      message: `deployment #${id} wrote no leftovers file`,
    });
    expect(ctx.store.deployments.list()).toHaveLength(1);
  });

  it('parses the rollback mode, the carry-over and the id in one place, with one-line errors', async () => {
    expect(parseRollbackMode({})).toBe('full');
    expect(parseRollbackMode({ mode: 'images-only' })).toBe('images-only');
    expect(parseRollbackMode({ databaseOnly: true })).toBe('database-only');
    expect(() => parseRollbackMode({ imagesOnly: true, databaseOnly: true })).toThrow(
      'images-only and database-only exclude each other',
    );
    expect(parseDeployInput({ ref: 'v2' })).toEqual({ ref: 'v2' });
    expect(parseDeployInput({ current: true })).toEqual({ current: true });
    expect(() => parseDeployInput({ ref: 'v2', current: true })).toThrow(
      '--current deploys the recorded pair: give no REF with it',
    );
    expect(parseCarryOver(undefined)).toBeUndefined();
    expect(() => parseCarryOver('all')).toThrow('carry-over must be inserts or none, got "all"');
    expect(parseDeploymentId('12')).toBe(12);
    for (const bad of ['0', '-1', '1e3', 'x', '99999999999999999'])
      expect(() => parseDeploymentId(bad)).toThrow(`got "${bad}"`);
    expect((await errorOf(() => app.deployments.detail('abc'))).message).toBe(
      `deployment id must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, got "abc"`,
    );
  });

  it('finds a deployment or answers 404, and shows it with its steps and failure reports', async () => {
    expect(await errorOf(() => app.deployments.detail('7'))).toEqual({
      kind: 'not-found',
      message: 'deployment 7 does not exist',
    });
    const id = recordDeploy('failed');
    const detail = app.deployments.detail(String(id));
    expect(Object.keys(detail)).toEqual(['failure', 'failures', 'deployment', 'steps', 'carryOver', 'output']);
    expect(detail).toMatchObject({ failure: null, failures: [], steps: [], carryOver: null, output: [] });
    expect(detail.deployment).toMatchObject({ id, status: 'failed', error: 'health check failed' });
  });

  it('offers a rollback in the history only to who may deploy, and only where the record allows one', async () => {
    const possible = recordDeploy();
    const running = ctx.store.deployments.create({ kind: 'deploy', ref: 'v2', commit: null, tag: null, actor: 't' });
    const offered = async (actor: Actor) =>
      Object.fromEntries((await app.deployments.history(actor)).entries.map((e) => [e.deployment.id, e.canRollBack]));
    expect(await offered(operator)).toEqual({ [possible]: true, [running]: false });
    expect(await offered(viewer)).toEqual({ [possible]: false, [running]: false });
    const [entry] = (await app.deployments.history(operator)).entries;
    expect(Object.keys(entry!)).toEqual(['deployment', 'steps', 'canRollBack', 'undone']);
  });

  it('lists the latest deployments, newest first', () => {
    const ids = [recordDeploy(), recordDeploy(), recordDeploy()];
    expect(app.deployments.list(2).map((d) => d.id)).toEqual([ids[2], ids[1]]);
  });
});
