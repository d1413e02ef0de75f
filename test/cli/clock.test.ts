import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../src/util/format.js';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { hasDocker, need } from '../fixtures/env.js';

const ZONE = 'Asia/Kolkata';
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

/** The CLI reads times to people in the local zone (TZ), to the second; --json keeps ISO UTC for programs. */
describe.runIf(need('Docker engine', hasDocker()))('CLI times: local, with seconds', () => {
  let ctx: TestContext;
  let release: () => void;
  const cli = (args: string[]) => switchyard([...args, '--config', ctx.configFile], { TZ: ZONE });

  beforeAll(() => {
    ctx = testContext({ database: '{ service: db, name: app }' });
    // A project compose can read; nothing of it runs (status lists no container then).
    fs.writeFileSync(
      path.join(ctx.config.project.dir, 'docker-compose.yml'),
      'services:\n  db:\n    image: sy-none:1\n',
    );
    const id = ctx.store.deployments.create({
      kind: 'deploy',
      ref: 'v1.0.0',
      commit: 'a'.repeat(40),
      tag: 'v1.0.0',
      actor: 'cli:root',
      createdAt: new Date('2026-12-07T07:40:28.123Z'),
    });
    ctx.store.deployments.finish(id, 'succeeded', null, new Date('2026-12-07T07:41:05.456Z'));
    release = ctx.store.lock.acquire('backup (manual)', new Date('2026-12-07T08:00:09.000Z'));
  });
  afterAll(() => {
    release?.();
    ctx?.cleanup();
  });

  it('status says when in local time: the deployment and the running operation', async () => {
    const status = await cli(['status']);
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain('by cli:root at 2026-12-07 13:11:05 GMT+5:30');
    expect(status.stdout).toContain(`running: backup (manual) (pid ${process.pid}) since 2026-12-07 13:30:09 GMT+5:30`);
    expect(status.stdout).not.toMatch(ISO);
    expect(status.stdout).not.toContain('UTC');
    const json = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(json.deployment.finishedAt).toBe('2026-12-07T07:41:05.456Z');
  });

  it('lists and the busy error say local times too', async () => {
    const list = await cli(['deployments']);
    expect(list.stdout).toMatch(/STARTED +BACKUP/);
    expect(list.stdout).toContain(formatTime('2026-12-07T07:40:28.123Z', ZONE));
    expect(list.stdout).not.toMatch(ISO);
    const busy = await cli(['backup']);
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toContain('since 2026-12-07 13:30:09 GMT+5:30');
  });
});
