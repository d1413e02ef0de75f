import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy } from '../../../src/app/ports/deploy.js';
import type { CurrentStatus } from '../../../src/deploy/status.js';
import { createHttpApp } from '../../../src/main/http.js';
import { resolveTokens } from '../../../src/server/tokens.js';
import { digestOf, readStackServices } from '../../../src/swarm/tasks.js';
import type { TestContext } from '../../fixtures/context.js';
import { switchyard } from '../../fixtures/cli.js';
import { hasDocker, need, run } from '../../fixtures/env.js';
import { createSwarmApp, startStackByHand, type SwarmApp, swarmAppContext } from '../../fixtures/swarmApp.js';

const ready = need('Docker engine', hasDocker());
const TOKEN = 'swarm-status-admin-token-0123456789';

/** The per-node task view (src/swarm/nodeView.ts) through the CLI, the API and the Overview on a single-node swarm. */
describe.runIf(ready)('status per node on a single-node swarm', () => {
  let app: SwarmApp;
  let ctx: TestContext;
  let http: ReturnType<typeof createHttpApp>;
  let node: string;
  let pinned: Record<string, string>;

  const cliStatus = async () => {
    const r = await switchyard(['status', '--json', '--config', ctx.configFile]);
    return JSON.parse(r.stdout) as CurrentStatus;
  };
  const apiStatus = async () => {
    const res = await http.request('/api/system/current-version', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as CurrentStatus;
  };
  const overview = async () => {
    const login = await http.request('/login', { method: 'POST', body: new URLSearchParams({ token: TOKEN }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await http.request('/', { headers: { cookie } })).text();
    return page.slice(page.indexOf('id="swarm-nodes"'), page.indexOf('</table>', page.indexOf('id="swarm-nodes"')));
  };

  beforeAll(async () => {
    app = createSwarmApp({ versions: ['v1', 'v2'] });
    ctx = swarmAppContext(app);
    http = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: TOKEN }, ctx.redactor));
    node = run('docker', ['info', '--format', '{{.Name}}']).trim();
    await startStackByHand(ctx);
    const d = await deploy(ctx, { ref: 'v1.0.0', actor: 'test' });
    expect(d.error).toBeNull();
    pinned = d.images!;
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it('after a deploy, the CLI, the API and the Overview show each task with its node and the pinned digest', async () => {
    const expected = [
      { node, service: 'backend', state: 'running', digest: digestOf(pinned.backend!), pinned: true },
      { node, service: 'backend', state: 'running', digest: digestOf(pinned.backend!), pinned: true },
      { node, service: 'worker', state: 'running', digest: digestOf(pinned.worker!), pinned: true },
    ];
    const cli = await cliStatus();
    expect(cli.nodes).toEqual(expected);
    expect(cli.drift).toEqual([]);
    expect((await apiStatus()).nodes).toEqual(expected);

    const text = await switchyard(['status', '--config', ctx.configFile]);
    expect(text.stdout).toMatch(/^NODE +SERVICE +TASK +DIGEST +PINNED$/m);
    const short = digestOf(pinned.backend!).slice(0, 'sha256:'.length + 12);
    expect(text.stdout).toMatch(new RegExp(`^${node} +backend +running +${short} +yes$`, 'm'));
    expect(text.stdout).not.toMatch(/^DRIFT/m);

    const table = await overview();
    expect(table).toContain('Tasks by node');
    expect(table.match(new RegExp(`<th scope="row" data-label="Node">${node}</th>`, 'g'))).toHaveLength(3);
    expect(table).toContain(`<code title="${digestOf(pinned.worker!)}">${short}</code>`);
  });

  it('a backend updated by hand: every node-task on the other digest is drift, named with its node', async () => {
    const v2 = `${app.imageRepo}:${app.commits.v2.slice(0, 7)}`;
    run('docker', ['service', 'update', '--quiet', '--detach', '--image', v2, `${app.stack}_backend`]);
    const converged = async () => {
      const facts = (await readStackServices(ctx.docker(), app.stack, ['backend'])).backend!;
      const current = facts.tasks.filter((t) => t.desired === 'running');
      const on = digestOf(facts.image);
      return current.length === 2 && current.every((t) => t.state === 'running' && digestOf(t.image) === on)
        ? on
        : null;
    };
    let handDigest = await converged();
    for (let i = 0; i < 240 && (!handDigest || handDigest === digestOf(pinned.backend!)); i++) {
      await new Promise((r) => setTimeout(r, 500));
      handDigest = await converged();
    }
    expect(handDigest).not.toBe(digestOf(pinned.backend!));

    const cli = await cliStatus();
    expect(cli.nodes!.filter((t) => t.service === 'backend')).toEqual([
      { node, service: 'backend', state: 'running', digest: handDigest, pinned: false },
      { node, service: 'backend', state: 'running', digest: handDigest, pinned: false },
    ]);
    expect(cli.nodes!.find((t) => t.service === 'worker')).toMatchObject({ pinned: true });
    expect(cli.drift).toEqual([
      expect.stringMatching(
        new RegExp(
          `^service backend runs .*@${handDigest} on ${node}, .*@${handDigest} on ${node} instead of ${pinned.backend}$`,
        ),
      ),
    ]);
    expect(cli.services.find((s) => s.name === 'backend')).toMatchObject({ drift: true });
    expect((await apiStatus()).drift).toEqual(cli.drift);

    const text = await switchyard(['status', '--config', ctx.configFile]);
    expect(text.stdout).toMatch(new RegExp(`^${node} +backend +running +sha256:[0-9a-f]{12} +no$`, 'm'));
    expect(text.stdout).toMatch(/^DRIFT: service backend runs /m);
    expect(await overview()).toMatch(/<td data-label="Pinned">.*no<\/span><\/td>/);
  });
});
