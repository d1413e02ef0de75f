import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { statusExitCode } from '../../src/cli/commands/status.js';
import { daemonUrl, probeDaemon } from '../../src/doctor/daemonProbe.js';
import { freePort } from '../fixtures/env.js';

/** How the CLI finds the daemon from `server.listen`, and what `status` exits with; a real daemon: test/ui/appState. */
describe('probeDaemon and status exit codes', () => {
  it('reaches a wildcard listen address through loopback', () => {
    expect(daemonUrl('0.0.0.0:8090')).toBe('http://127.0.0.1:8090');
    expect(daemonUrl('[::]:8090')).toBe('http://[::1]:8090');
    expect(daemonUrl('10.0.0.5:9000')).toBe('http://10.0.0.5:9000');
  });

  it('nothing listening, or something else answering, is "not running", with why', async () => {
    const port = await freePort();
    expect(await probeDaemon(`127.0.0.1:${port}`)).toMatchObject({
      running: false,
      why: expect.stringMatching(new RegExp(`^nothing answers at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)),
    });
    const other = http.createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const { port: otherPort } = other.address() as AddressInfo;
      expect(await probeDaemon(`127.0.0.1:${otherPort}`)).toMatchObject({
        running: false,
        why: `http://127.0.0.1:${otherPort} answered 404, not as a switchyard daemon`,
      });
    } finally {
      other.close();
    }
  });

  it('status exits 0 only when healthy with the daemon up; the app first (1), then the daemon (69)', () => {
    expect(statusExitCode({ state: 'healthy' }, { running: true })).toBe(0);
    expect(statusExitCode({ state: 'healthy' }, { running: false })).toBe(69);
    for (const state of ['degraded', 'down', 'failed', 'unfinished', 'unknown'] as const) {
      expect(statusExitCode({ state }, { running: true }), state).toBe(1);
      expect(statusExitCode({ state }, { running: false }), state).toBe(1);
    }
  });
});
