import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy, startRollback } from '../../src/app/ports/deploy.js';
import { switchyard } from '../fixtures/cli.js';
import type { TestContext } from '../fixtures/context.js';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { askEvery } from '../fixtures/proxyClient.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const ready =
  need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose()) && need('caddy', hasCaddy());

function hasCaddy(): boolean {
  try {
    run('caddy', ['version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * The seed's shape: Caddy in front (`reverse_proxy backend:8080`), the backend publishing no port. A resident asks
 * through the proxy every 20 ms while switchyard deploys and rolls back: the start-first backend never fails it,
 * and the proxy, the database and the cache keep their containers.
 */
describe.runIf(ready)('start-first switch behind Caddy', () => {
  let app: SampleApp;
  let ctx: TestContext;
  const url = () => `http://127.0.0.1:${app.httpPort}/version`;
  /** Container ids per service of the project, running or not. */
  const containers = () => {
    const out = run('docker', [
      'ps',
      '-a',
      '--filter',
      `label=com.docker.compose.project=${app.project}`,
      '--format',
      '{{.Label "com.docker.compose.service"}} {{.ID}}',
    ]);
    const by: Record<string, string[]> = {};
    for (const [service, id] of out
      .trim()
      .split('\n')
      .map((l) => l.split(' '))) {
      (by[service!] ??= []).push(id!);
    }
    return by;
  };
  const untouched = (by: Record<string, string[]>) => ({ proxy: by.proxy, db: by.db, redis: by.redis });
  const during = async <T>(operation: () => Promise<T>) => {
    const client = askEvery(url());
    await new Promise((r) => setTimeout(r, 300));
    const result = await operation();
    await new Promise((r) => setTimeout(r, 300));
    const tally = await client.stop();
    console.log(`resident through Caddy: ${JSON.stringify(tally)}`);
    return { result, tally };
  };

  beforeAll(async () => {
    app = createSampleApp({ versions: ['v1', 'v2', 'v4'], proxy: true });
    app.startByHand();
    ctx = sampleAppContext(app);
    expect((await deploy(ctx, { ref: 'v1.0.0', actor: 'test' })).status).toBe('succeeded');
  }, 600_000);
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it('deploys and rolls back (images only) with no failed request, recreating only the managed services', async () => {
    const before = containers();
    const up = await during(() => deploy(ctx, { ref: 'v2.0.0', actor: 'test' }));
    expect(up.result.error).toBeNull();
    expect(up.tally.failed, JSON.stringify(up.tally)).toBe(0);
    expect(up.tally.bodies['v2.0.0']).toBeGreaterThan(0);
    const afterDeploy = containers();
    expect(untouched(afterDeploy)).toEqual(untouched(before));
    expect(afterDeploy.backend).toHaveLength(1);
    expect(afterDeploy.backend).not.toEqual(before.backend);
    const output = ctx.store.deployments.output(up.result.id);
    expect(output).toContainEqual(expect.stringMatching(/^backend: starting a new container beside /));
    expect(output).toContainEqual(expect.stringMatching(/^backend: .* drained and removed$/));

    const back = await during(
      async () => (await startRollback(ctx, { deploymentId: up.result.id, mode: 'images-only', actor: 'test' })).done,
    );
    expect(back.result.error).toBeNull();
    expect(back.result.status).toBe('succeeded');
    expect(back.tally.failed, JSON.stringify(back.tally)).toBe(0);
    expect((await (await fetch(url())).text()).trim()).toBe('v1.0.0');
    const afterRollback = containers();
    expect(untouched(afterRollback)).toEqual(untouched(before));
    expect(afterRollback.backend).toHaveLength(1);
  }, 600_000);

  it('keeps the old container serving when the new version never gets healthy, and removes the new one', async () => {
    const before = containers();
    const broken = await during(() => deploy(ctx, { ref: 'v4.0.0', actor: 'test' }));
    expect(broken.result.status).toBe('rolled-back');
    expect(broken.result.error).toMatch(
      /backend: the new container did not become healthy .*; removed it, .* serves on/,
    );
    expect(broken.tally.failed, JSON.stringify(broken.tally)).toBe(0);
    expect((await (await fetch(url())).text()).trim()).toBe('v1.0.0');
    const after = containers();
    expect(untouched(after)).toEqual(untouched(before));
    // The automatic rollback found the old one current: nothing recreated.
    expect(after.backend, ctx.store.deployments.output(broken.result.id).join('\n')).toEqual(before.backend);
    // While it waited for the new container's healthcheck, the journal (the live page, `deploy`) said where it was.
    const waits = ctx.store.db
      .prepare('SELECT at, line FROM deployment_output WHERE deployment_id = ? ORDER BY id')
      .all(broken.result.id) as Array<{ at: string; line: string }>;
    const said = waits.filter((w) =>
      new RegExp(
        `^${app.project}-backend-\\d+: running, health (starting|unhealthy), \\d+ s: last check exit 1: `,
      ).test(w.line),
    );
    expect(said.length, waits.map((w) => `${w.at} ${w.line}`).join('\n')).toBeGreaterThanOrEqual(2);
    expect(Date.parse(said[1]!.at) - Date.parse(said[0]!.at)).toBeGreaterThanOrEqual(2000);
    console.log(said.map((w) => `${w.at} ${w.line}`).join('\n'));
  }, 600_000);

  it("recovers a deploy killed between the new container's start and the old one's drain: the old one stays", async () => {
    // v2 runs; the crashed deploy goes back to v1, whose migration changes no schema: recovery restores no database.
    expect((await deploy(ctx, { ref: 'v2.0.0', actor: 'test' })).status).toBe('succeeded');
    const before = containers();
    const crashed = await during(() =>
      switchyard(['deploy', 'v1.0.0', '--config', ctx.configFile], {
        SWITCHYARD_FAULT_KILL_AT: 'switch backend: drain',
      }),
    );
    expect(crashed.result.code, crashed.result.stderr).toBe(-1);
    expect(containers().backend).toHaveLength(2); // what the crash left: both serve
    const recovered = await during(() => switchyard(['recover', '--json', '--config', ctx.configFile]));
    expect(recovered.result.code, recovered.result.stderr).toBe(0);
    const [report] = (JSON.parse(recovered.result.stdout) as { operations: Array<{ status: string }> }).operations;
    expect(report?.status).toBe('interrupted');
    expect(crashed.tally.failed + recovered.tally.failed, JSON.stringify([crashed.tally, recovered.tally])).toBe(0);
    const after = containers();
    expect(after.backend).toEqual(before.backend);
    expect(untouched(after)).toEqual(untouched(before));
    expect((await (await fetch(url())).text()).trim()).toBe('v2.0.0');
  }, 600_000);
});
