import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Switchyard } from '../../src/app/index.js';
import type { Runtime } from '../../src/app/runtime.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { hasCompose, need } from '../fixtures/env.js';

/**
 * The logs area through the app: `tail` as received is parsed there, before compose or Docker is
 * asked; an unknown service is a 404 naming the ones there are. Docker itself is never reached.
 */
let ctx: TestContext | undefined;
let dockerAsked = 0;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
  dockerAsked = 0;
});

function logsApp(withComposeFile: boolean): Switchyard {
  ctx = testContext({ database: '{ service: db, name: app }', project: 'name: shop' });
  if (withComposeFile)
    fs.writeFileSync(
      path.join(ctx.config.project.dir, 'docker-compose.yml'),
      'services:\n  web: { image: "127.0.0.1:5000/web:1" }\n  db: { image: "postgres:15" }\n',
    );
  const runtime: Runtime = {
    ...ctx,
    docker: () => {
      dockerAsked++;
      throw new Error('Docker is not for these tests');
    },
  };
  return new Switchyard(() => runtime);
}

const kindOf = (call: () => Promise<unknown>) =>
  call().then(
    () => 'ok',
    (e: { kind?: string; message: string }) => e,
  );

describe('Logs', () => {
  it('a bad tail is one input error naming it, before compose is asked (the project has no compose file)', async () => {
    const app = logsApp(false);
    for (const call of [
      () => app.logs.recent('web', 'abc'),
      () => app.logs.follow('web', '0'),
      () => app.logs.page({ service: 'web', tail: '5001' }),
    ]) {
      const e = await kindOf(call);
      expect(e).toMatchObject({ kind: 'input', message: expect.stringMatching(/^tail: expected a whole number/) });
      expect((e as Error).message).not.toContain('\n');
    }
    expect(dockerAsked).toBe(0);
  });

  it.runIf(need('docker compose v2', hasCompose()))(
    "an unknown service is not found, naming the project's services; Docker is not asked",
    async () => {
      const app = logsApp(true);
      for (const call of [
        () => app.logs.recent('nope'),
        () => app.logs.follow('nope'),
        () => app.logs.page({ service: 'nope' }),
      ]) {
        expect(await kindOf(call)).toMatchObject({
          kind: 'not-found',
          message: 'no service "nope" in the compose project (its services: db, web)',
        });
      }
      expect(dockerAsked).toBe(0);
    },
  );

  it.runIf(need('docker compose v2', hasCompose()))('the page without a service lists them all', async () => {
    const app = logsApp(true);
    expect(await app.logs.page()).toEqual({ services: ['db', 'web'], shown: null });
  });
});
