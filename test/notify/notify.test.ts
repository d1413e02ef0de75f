import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backupNow, staleBackupHours } from '../../src/backup/index.js';
import { Notifier } from '../../src/notify/index.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';
import { need } from '../fixtures/env.js';
import { hasPostgres } from '../fixtures/postgres.js';
import { startSampleDb } from '../fixtures/sampleDb.js';

/** A local webhook receiver: records what it gets; `failFirst` answers 500 that many times first; `hang` never answers. */
function receiver() {
  const received: Array<{ path: string; body: Record<string, unknown> }> = [];
  let failFirst = 0;
  let hang = false;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c));
    req.on('end', () => {
      if (hang) return;
      received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(500).end();
      } else res.writeHead(204).end();
    });
  });
  return {
    received,
    failNext: (n: number) => (failFirst = n),
    hangAll: (h: boolean) => (hang = h),
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const logLines: string[] = [];
const redactor = new Redactor();
const log = createLogger({ redactor, write: (l) => logLines.push(l) });
const notification = {
  event: 'deploy' as const,
  ok: false,
  summary: 'deploy of v3 failed: unhealthy',
  details: { id: 7 },
};

describe('webhook notifications', () => {
  const rx = receiver();
  let base: string;
  beforeAll(async () => {
    base = await rx.listen();
  });
  afterAll(() => rx.close());
  afterEach(() => {
    rx.received.length = 0;
    rx.hangAll(false);
  });

  it('sends the generic, Slack and Discord shapes', async () => {
    const notifier = new Notifier(
      {
        webhooks: [
          { url: `${base}/generic`, format: 'generic', onlyFailures: false },
          { url: `${base}/slack`, format: 'slack', onlyFailures: false },
          { url: `${base}/discord`, format: 'discord', onlyFailures: false },
        ],
        timeoutSeconds: 2,
        retries: 0,
      },
      log,
      redactor,
      { host: 'host1' },
    );
    notifier.send(notification);
    await notifier.idle();
    const by = Object.fromEntries(rx.received.map((r) => [r.path, r.body]));
    expect(by['/generic']).toMatchObject({
      source: 'switchyard',
      host: 'host1',
      event: 'deploy',
      ok: false,
      summary: 'deploy of v3 failed: unhealthy',
      details: { id: 7 },
    });
    expect(by['/generic']?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(by['/slack']).toEqual({ text: '❌ switchyard on host1: deploy of v3 failed: unhealthy' });
    expect(by['/discord']).toMatchObject({ content: '❌ switchyard on host1: deploy of v3 failed: unhealthy' });
  });

  it('retries a failing receiver until it accepts', async () => {
    rx.failNext(2);
    const notifier = new Notifier(
      { webhooks: [{ url: `${base}/r`, format: 'generic', onlyFailures: false }], timeoutSeconds: 2, retries: 3 },
      log,
      redactor,
    );
    notifier.send(notification);
    await notifier.idle();
    expect(rx.received.length).toBe(3);
  });

  it('never blocks the caller, and gives up on a receiver that hangs after the timeout', async () => {
    rx.hangAll(true);
    const notifier = new Notifier(
      { webhooks: [{ url: `${base}/hang`, format: 'generic', onlyFailures: false }], timeoutSeconds: 1, retries: 1 },
      log,
      redactor,
    );
    const t0 = performance.now();
    notifier.send(notification);
    expect(performance.now() - t0).toBeLessThan(50); // send() returns at once
    await notifier.idle();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2000); // two attempts of 1 s each
    expect(logLines.some((l) => l.includes('webhook delivery failed'))).toBe(true);
  });

  it('filters by event and by outcome', async () => {
    const notifier = new Notifier(
      {
        webhooks: [
          { url: `${base}/backups`, format: 'generic', events: ['backup'], onlyFailures: false },
          { url: `${base}/failures`, format: 'generic', onlyFailures: true },
        ],
        timeoutSeconds: 2,
        retries: 0,
      },
      log,
      redactor,
    );
    notifier.send({ event: 'deploy', ok: true, summary: 'deployed v2', details: {} });
    notifier.send({ event: 'backup', ok: false, summary: 'backup failed', details: {} });
    await notifier.idle();
    expect(rx.received.map((r) => `${r.path}:${r.body.summary as string}`).sort()).toEqual([
      '/backups:backup failed',
      '/failures:backup failed',
    ]);
  });

  it("stamps each notification with its clock's time, not the system's", async () => {
    const at = new Date('2031-02-03T04:05:06.000Z');
    const notifier = new Notifier(
      { webhooks: [{ url: `${base}/clock`, format: 'generic', onlyFailures: false }], timeoutSeconds: 2, retries: 0 },
      log,
      redactor,
      { clock: { now: () => at } },
    );
    notifier.send(notification);
    await notifier.idle();
    expect(rx.received.map((r) => r.body.at)).toEqual([at.toISOString()]);
  });
});

describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('notifications from real operations', () => {
  it('reports a verified backup, and a stale newest backup against the schedule', async () => {
    const rx = receiver();
    const base = await rx.listen();
    const { pg, ctx } = await startSampleDb({
      backups: 'schedule: "0 3 * * *"',
      extra: `notify: { webhooks: [{ url: "${base}/hook" }] }`,
    });
    try {
      const backup = await backupNow(ctx, { reason: 'manual', actor: 'test' });
      await ctx.notifier.idle();
      expect(rx.received[0]?.body).toMatchObject({ event: 'backup', ok: true, details: { fileName: backup.fileName } });
      expect(JSON.stringify(rx.received)).not.toContain(pg.password);

      expect(staleBackupHours(ctx)).toBeNull();
      const threeDaysLater = new Date(Date.now() + 3 * 86_400_000);
      expect(staleBackupHours(ctx, threeDaysLater)).toBeGreaterThan(70);
    } finally {
      ctx.cleanup();
      await pg.stop();
      await rx.close();
    }
  });
});
