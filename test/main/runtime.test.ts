import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { liveRuntime, reloadedRuntime } from '../../src/main/runtime.js';
import { Redactor } from '../../src/util/redact.js';
import { testContext, type TestContext } from '../fixtures/context.js';

describe('a reload swaps the runtime, never mutates it', () => {
  let ctx: TestContext;
  afterEach(() => ctx?.cleanup());

  const nextConfig = (listen: string, stateDir: string) =>
    parseConfig(
      [
        `project: { dir: ${JSON.stringify(ctx.config.project.dir)} }`,
        'database: { url: "postgres://app:pw-after-reload@127.0.0.1:1/other" }',
        `stateDir: ${JSON.stringify(stateDir)}`,
        `server: { listen: "${listen}" }`,
        'notify: { webhooks: [{ url: "https://hooks.example.org/after" }] }',
      ].join('\n'),
      'config',
      new Redactor(),
    );

  it('gives a new runtime on the new config, sharing what lasts as long as the process', () => {
    ctx = testContext({ database: '{ url: "postgres://app:pw-before@127.0.0.1:1/app" }' });
    const before = ctx.config;
    const next = reloadedRuntime(ctx, nextConfig('127.0.0.1:9999', '/elsewhere'), {});

    expect(next).not.toBe(ctx);
    // What an operation already running holds is untouched.
    expect(ctx.config).toBe(before);
    expect(ctx.config.database.url).toContain('/app');
    // The new one has the new database and webhooks, but the state dir and listen address stay until a restart.
    expect(next.config.database.url).toContain('/other');
    expect(next.config.notify.webhooks).toHaveLength(1);
    expect(next.config.stateDir).toBe(ctx.config.stateDir);
    expect(next.config.server.listen).toBe(ctx.config.server.listen);
    expect(next.notifier).not.toBe(ctx.notifier);
    for (const lasting of ['store', 'events', 'backupDone', 'shutdown', 'versionCaches', 'docker', 'clock'] as const)
      expect(next[lasting], lasting).toBe(ctx[lasting]);
    // Its secrets are the process's to redact from now on.
    expect(ctx.redactor.redact('pw-after-reload')).not.toContain('pw-after-reload');
  });

  it('lets a long-lived worker read the current runtime at every use', () => {
    ctx = testContext({ database: '{ url: "postgres://app:pw-before@127.0.0.1:1/app" }' });
    let current: typeof ctx | ReturnType<typeof reloadedRuntime> = ctx;
    const live = liveRuntime(() => current);
    expect(live.config.database.url).toContain('/app');
    current = reloadedRuntime(ctx, nextConfig('127.0.0.1:9999', ctx.config.stateDir), {});
    expect(live.config.database.url).toContain('/other');
    expect(live.notifier).toBe(current.notifier);
    expect(live.store).toBe(ctx.store);
  });
});
