import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy } from '../../src/app/ports/deploy.js';
import type { TestContext } from '../fixtures/context.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());
const FLAPPING = [404, 200, 200, 404, 404, 200];

/**
 * health.url on a real HTTP server beside the real app: while v2 runs it answers the sequence a
 * probe saw after a "successful" deploy (404 200 200 404 404 200, over and over); v1 answers 200.
 */
describe.runIf(ready)('health check on real compose: a flapping health URL', () => {
  let app: SampleApp;
  let ctx: TestContext;
  let server: http.Server;
  const answered: Array<{ version: string; status: number }> = [];

  beforeAll(async () => {
    app = createSampleApp({ versions: ['v1', 'v2'] });
    app.startByHand();
    let flap = 0;
    server = http.createServer((_req, res) => {
      fetch(`http://127.0.0.1:${app.httpPort}/version`)
        .then(async (r) => (await r.text()).trim())
        .catch(() => 'down')
        .then((version) => {
          const status = version === 'v1.0.0' ? 200 : version === 'v2.0.0' ? FLAPPING[flap++ % FLAPPING.length]! : 503;
          answered.push({ version, status });
          res.writeHead(status).end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    ctx = sampleAppContext(app, '', { health: `url: ${url}, successes: 3, windowSeconds: 2`, healthSeconds: 12 });
  });
  afterAll(async () => {
    ctx?.cleanup();
    app?.cleanup();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('a deploy whose health URL flaps fails health and rolls back to v1, which then passes', async () => {
    const d = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    expect(d.status, d.error ?? '').toBe('rolled-back');
    expect(d.error).toMatch(/^deploy of v2\.0\.0 failed: .*unhealthy: http:\S+ did not answer 2xx \(HTTP 404\)/);
    expect(d.error).toContain('healthy at most 2 times in a row within 12s, 3 needed over 2s');
    const steps = ctx.store.deployments.steps(d.id).map((s) => `${s.name}:${s.status}`);
    expect(steps).toContain('health:failed');
    expect(steps).toContain('rollback: health:ok');
    // The database v2 wrote to was kept at the undo's swap: dumped as a safety backup after health, then dropped.
    expect(steps.slice(-2)).toEqual(['safety backup:ok', 'drop kept database:ok']);
    // v2 did answer 2xx (the old rule passed on the second probe), never three times in a row.
    const v2 = answered.filter((a) => a.version === 'v2.0.0').map((a) => a.status);
    expect(v2.slice(0, 3)).toEqual([404, 200, 200]);
    expect(answered.filter((a) => a.version === 'v1.0.0').length).toBeGreaterThanOrEqual(3);
  });
});
