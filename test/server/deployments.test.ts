import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_STEPS } from '../../src/domain/steps.js';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { switchyard } from '../fixtures/cli.js';
import type { TestContext } from '../fixtures/context.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const TOKEN = 'deploy-api-token-0123456789';
const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

interface SseEvent {
  event: string;
  data: { type: string; step?: { name: string; status: string; seq: number }; deployment?: { status: string } };
}

/** Reads a server-sent event stream to its end (the server closes it after `done`). */
async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as SseEvent['data'];
      return { event, data };
    });
}

describe.runIf(ready)('deployments over the HTTP API and the CLI', () => {
  let sample: SampleApp;
  let ctx: TestContext;
  let app: ReturnType<typeof createHttpApp>;
  let configFile: string;
  const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  const post = (body: unknown) =>
    app.request('/api/system/deployments', { method: 'POST', headers: auth, body: JSON.stringify(body) });

  beforeAll(() => {
    sample = createSampleApp({ versions: ['v1', 'v2'] });
    sample.startByHand();
    ctx = sampleAppContext(sample);
    app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
    configFile = ctx.configFile;
  });
  afterAll(() => {
    ctx?.cleanup();
    sample?.cleanup();
  });

  it.each(['$(touch /tmp/x)', '../../etc', '--upload-pack=touch /tmp/x', 'v1;id'])(
    'answers 400 to the ref %j and runs nothing',
    async (ref) => {
      const res = await post({ ref });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/^invalid ref/);
      expect(ctx.store.deployments.list()).toEqual([]);
    },
  );

  it('answers 404 to a ref the repo does not have', async () => {
    const res = await post({ ref: 'v9.9.9' });
    expect(res.status).toBe(404);
    expect((await res.json()).error).toContain('ref "v9.9.9" is not a tag, branch or commit');
  });

  it('starts a deploy with 202, refuses a second with 409, and streams the steps in order', async () => {
    const res = await post({ ref: 'v2.0.0' });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: number };

    const second = await post({ ref: 'v1.0.0' });
    expect(second.status).toBe(409);
    expect((await second.json()).error).toMatch(/another operation is running: deploy v2\.0\.0/);

    const events = await readSse(await app.request(`/api/system/deployments/${id}/events`, { headers: auth }));
    const finished = events
      .filter((e) => e.event === 'step' && e.data.step!.status !== 'running')
      .map((e) => e.data.step!.name);
    expect(finished).toEqual([...DEPLOY_STEPS]);
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    expect(events.some((e) => e.event === 'log')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { deployment: { status: 'succeeded' } } });

    // A late subscriber (a reloaded page) gets the same steps from the journal, then the end.
    const replay = await readSse(await app.request(`/api/system/deployments/${id}/events`, { headers: auth }));
    expect(replay.filter((e) => e.event === 'step').map((e) => e.data.step!.name)).toEqual([...DEPLOY_STEPS]);
    expect(replay.at(-1)?.event).toBe('done');

    const one = await app.request(`/api/system/deployments/${id}`, { headers: auth });
    const body = (await one.json()) as {
      deployment: { status: string; backupId: number };
      steps: Array<{ startedAt: string; finishedAt: string }>;
      output: string[];
    };
    expect(body.deployment.status).toBe('succeeded');
    expect((body as unknown as { failure: unknown }).failure).toBeNull(); // only a failed up or health has a report
    expect(body.output.some((line) => /Container .*backend.* (Started|Healthy|Running)/.test(line))).toBe(true);
    expect(replay.filter((e) => e.event === 'log').length).toBe(body.output.length);
    expect(body.steps.every((s) => s.startedAt && s.finishedAt)).toBe(true);
  });

  it('reports the current version and detects drift when compose is run by hand', async () => {
    let res = await app.request('/api/system/current-version', { headers: auth });
    let status = (await res.json()) as {
      deployment: { tag: string };
      services: Array<{ name: string; drift: boolean; containers: Array<{ health: string }> }>;
      drift: string[];
    };
    expect(status.deployment.tag).toBe('v2.0.0');
    expect(status.drift).toEqual([]);
    expect(status.services.find((s) => s.name === 'backend')?.containers[0]?.health).toBe('healthy');

    sample.compose(['up', '-d', '--no-build', 'worker']); // without the pin file: back to :latest (v1)
    res = await app.request('/api/system/current-version', { headers: auth });
    status = (await res.json()) as typeof status;
    expect(status.services.find((s) => s.name === 'worker')?.drift).toBe(true);
    expect(status.drift.join()).toMatch(/service worker runs .* instead of /);

    // `switchyard compose -- up -d` uses the pin file and so puts the pinned digest back.
    const fixed = await switchyard(['compose', '--config', configFile, '--', 'up', '-d', '--no-build', 'worker']);
    expect(fixed.code).toBe(0);
    res = await app.request('/api/system/current-version', { headers: auth });
    expect(((await res.json()) as typeof status).drift).toEqual([]);
  });

  it('deploys from the CLI and prints the final record with --json', async () => {
    const res = await switchyard(['deploy', 'v1.0.0', '--config', configFile, '--json']);
    expect(res.code).toBe(0);
    const record = JSON.parse(res.stdout) as { id: number; status: string; tag: string };
    expect(record).toMatchObject({ status: 'succeeded', tag: 'v1.0.0' });
    expect(res.stderr).toContain('ok      health');
    // Run by another process, its compose output is still in the journal.
    expect(ctx.store.deployments.output(record.id).length).toBeGreaterThan(0);
    const list = await switchyard(['deployments', '--config', configFile]);
    expect(list.stdout).toMatch(new RegExp(`^${record.id}\\s+deploy\\s+v1\\.0\\.0`, 'm'));
    const bad = await switchyard(['deploy', '$(id)', '--config', configFile]);
    expect(bad.code).toBe(64);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('hands a deploy to a background process with --detach and prints its id at once', async () => {
    const res = await switchyard(['deploy', 'v2.0.0', '--config', configFile, '--detach', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const { id } = JSON.parse(res.stdout) as { id: number };
    expect(id).toBeGreaterThan(0);
    const until = Date.now() + 60_000;
    while (ctx.store.deployments.get(id)?.status === 'running' || ctx.store.deployments.get(id) === undefined) {
      if (Date.now() > until) throw new Error('the detached deployment did not finish');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(ctx.store.deployments.get(id)).toMatchObject({ status: 'succeeded', tag: 'v2.0.0' });
    expect(ctx.store.lock.holder()).toBeUndefined();
  });

  it('streams a deploy that the CLI runs in another process: every step, its output, then done', async () => {
    const res = await switchyard(['deploy', 'v1.0.0', '--config', configFile, '--detach', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const { id } = JSON.parse(res.stdout) as { id: number };
    // No live event of that process reaches this one: the stream reads the journal.
    const events = await readSse(await app.request(`/api/system/deployments/${id}/events`, { headers: auth }));
    const finished = events
      .filter((e) => e.event === 'step' && e.data.step!.status !== 'running')
      .map((e) => e.data.step!.name);
    expect(finished).toEqual([...DEPLOY_STEPS]);
    expect(events.filter((e) => e.event === 'log').length).toBe(ctx.store.deployments.output(id).length);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { deployment: { status: 'succeeded' } } });
  });
});
