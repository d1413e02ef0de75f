import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { switchyard } from '../../fixtures/cli.js';
import type { TestContext } from '../../fixtures/context.js';
import { hasDocker, need } from '../../fixtures/env.js';
import { createSwarmApp, startStackByHand, type SwarmApp, swarmAppContext } from '../../fixtures/swarmApp.js';

const ready = need('Docker engine', hasDocker());

type Result = { name: string; ok: boolean; detail: string; fix?: string; warn?: boolean };

describe.runIf(ready)('init and doctor on a single-node swarm', () => {
  let app: SwarmApp;
  let ctx: TestContext;

  const doctor = async (configFile: string) => {
    const res = await switchyard(['doctor', '--config', configFile, '--json']);
    const results = JSON.parse(res.stdout) as Result[];
    return { code: res.code, by: Object.fromEntries(results.map((r) => [r.name, r])) };
  };

  beforeAll(async () => {
    app = createSwarmApp({ versions: ['v1'] });
    ctx = swarmAppContext(app);
    await startStackByHand(ctx);
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it('init finds the stack that runs the compose files among the others on the swarm, and writes engine swarm', async () => {
    const config = path.join(ctx.root, 'init', 'config.yaml');
    // The fixture's db runs the loopback registry's copy of the test image: named here, as PostgreSQL is not in its name.
    const dirs = [
      '--state-dir',
      path.join(ctx.root, 'init-state'),
      '--backups-dir',
      path.join(ctx.root, 'init-bk'),
      '--database-service',
      'db',
    ];
    const res = await switchyard(['init', '--project-dir', app.dir, '--config', config, ...dirs, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ engine: 'swarm', stack: app.stack, projectName: null });
    expect(parseConfig(fs.readFileSync(config, 'utf8')).project).toMatchObject({ engine: 'swarm', stack: app.stack });

    const text = await switchyard(['init', '--project-dir', app.dir, '--config', config, ...dirs, '--force']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`swarm stack: ${app.stack} (project.engine: swarm, it runs these compose files)`);

    // Stopped, the stack is nothing init can see: --stack names it.
    const given = await switchyard([
      'init',
      '--project-dir',
      app.dir,
      '--config',
      config,
      ...dirs,
      '--force',
      '--stack',
      'planned',
      '--json',
    ]);
    expect(given.code, given.stderr).toBe(0);
    expect(parseConfig(fs.readFileSync(config, 'utf8')).project).toMatchObject({ engine: 'swarm', stack: 'planned' });
  });

  it('doctor passes the swarm checks on the manager with the stack and its db task here, and fails without offsite', async () => {
    const { code, by } = await doctor(ctx.configFile);
    for (const name of [
      'swarm manager',
      'swarm stack running',
      'database task on this node',
      'database reachable, pg_dump new enough',
      'registry access for each image',
      'registry credentials reach the other nodes',
    ])
      expect(by[name], `${name}: ${by[name]?.detail}`).toMatchObject({ ok: true });
    expect(by['swarm stack running']?.detail).toBe(`stack "${app.stack}": 4 service(s)`);
    expect(by['database task on this node']?.detail).toMatch(/^service db runs on this node \(.+\)$/);
    expect(by['registry credentials reach the other nodes']?.detail).toMatch(
      /^127\.0\.0\.1:5000: loopback, none needed; 0 other node\(s\)$/,
    );
    expect(by['compose project running']).toMatchObject({ ok: true, detail: expect.stringContaining('skipped') });
    expect(by['off-site bucket and recipients']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('every backup is on this one manager'),
    });
    expect(code).toBe(1);
  });

  it('doctor with a wrong stack name fails the stack and db checks, naming the stack that runs these files', async () => {
    const wrong = path.join(ctx.root, 'wrong.yaml');
    fs.writeFileSync(
      wrong,
      fs.readFileSync(ctx.configFile, 'utf8').replace(`stack: ${app.stack}`, 'stack: nosuchstack'),
    );
    const { by } = await doctor(wrong);
    expect(by['swarm manager']).toMatchObject({ ok: true });
    expect(by['swarm stack running']).toMatchObject({
      ok: false,
      detail: `no service of stack "nosuchstack" on this swarm; stacks running these files: ${app.stack}`,
    });
    expect(by['swarm stack running']?.fix).toContain(`set project.stack: ${app.stack}`);
    expect(by['database task on this node']).toMatchObject({ ok: false, detail: 'no running task of service db' });
  });
});
