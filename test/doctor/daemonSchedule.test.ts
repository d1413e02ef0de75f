import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { freePort } from '../fixtures/env.js';

interface Check {
  name: string;
  ok: boolean;
  warn?: boolean;
  detail: string;
  fix?: string;
}

/**
 * `switchyard doctor` says when the daemon does not answer and when the backup schedule stopped (the last scheduled
 * backup older than one period plus an hour: the one staleness rule). test/ui/appState.test.ts sees a daemon answer.
 */
describe('doctor on the daemon and the backup schedule', () => {
  let ctx: TestContext;
  let port: number;

  beforeAll(async () => {
    port = await freePort(); // nothing listens there
    ctx = testContext({
      database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }',
      backups: 'schedule: "0 * * * *"',
      extra: `server: { listen: "127.0.0.1:${port}" }`,
    });
  });
  afterAll(() => ctx.cleanup());

  const checks = async () => {
    const res = await switchyard(['doctor', '--config', ctx.configFile, '--json']);
    return Object.fromEntries((JSON.parse(res.stdout) as Check[]).map((r) => [r.name, r]));
  };
  function scheduledBackup(hoursAgo: number, status: 'ok' | 'failed'): void {
    const id = ctx.store.backups.begin({
      fileName: `scheduled-${hoursAgo}.dump`,
      tempName: `.scheduled-${hoursAgo}.dump.partial`,
      databaseName: 'app',
      reason: 'scheduled',
      note: null,
      actor: 'scheduler',
      createdAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
      deploymentId: null,
    });
    if (status === 'ok')
      ctx.store.backups.succeed(id, {
        sizeBytes: 1,
        sha256: 'x',
        serverVersion: '15',
        rowCounts: {},
        schemaFingerprint: 'f',
      });
    else ctx.store.backups.fail(id, 'pg_dump: connection refused');
  }

  it('fails "daemon running" naming the address nothing answers at, and warns before the first scheduled run', async () => {
    const by = await checks();
    expect(by['daemon running']).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`nothing answers at http://127.0.0.1:${port}`),
      fix: expect.stringContaining('systemctl start switchyard'),
    });
    expect(by['backup schedule alive']).toMatchObject({
      ok: true,
      warn: true,
      detail: expect.stringContaining('no scheduled backup yet'),
    });
  });

  it('fails when the last scheduled run is older than an hourly schedule allows (2 h); passes on a recent failed run', async () => {
    scheduledBackup(5, 'ok');
    let by = await checks();
    expect(by['backup schedule alive']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/scheduled-5\.dump, 5\.0 h ago; "0 \* \* \* \*" allows 2 h: the schedule stopped$/),
    });
    // The newest good backup is judged by the same rule: 5 h is too old for an hourly schedule.
    expect(by['newest backup age']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('2 h (backups.schedule)'),
    });
    scheduledBackup(0.5, 'failed'); // the schedule fires; that its dump failed is the backup age's concern
    by = await checks();
    expect(by['backup schedule alive']).toMatchObject({
      ok: true,
      detail: expect.stringContaining('scheduled-0.5.dump'),
    });
    expect(by['newest backup age']).toMatchObject({ ok: false });
  });
});
