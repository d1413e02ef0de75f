import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Switchyard } from '../../src/app/index.js';
import { testContext, type TestContext } from '../fixtures/context.js';

describe('app: versions', () => {
  let ctx: TestContext;
  beforeEach(() => {
    ctx = testContext({ database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }' });
  });
  afterEach(() => ctx.cleanup());

  it('lists the versions as a view model, a source that fails reported rather than thrown', async () => {
    const list = await new Switchyard(() => ctx).versions.list();
    expect(Object.keys(list).sort()).toEqual(['sources', 'versions']);
    expect(list.versions).toEqual([]);
    expect(list.sources.git).not.toBe('ok'); // the project dir is not a git repository
  });
});
