import { describe, expect, it } from 'vitest';
import { parseTail, planLogs, recentLogs, type LogsPorts } from '../../src/logs/containerLogs.js';
import { LogFollows } from '../../src/logs/follows.js';
import { splitLines } from '../../src/docker/logs.js';
import { Redactor } from '../../src/util/redact.js';

/**
 * The logs' pure decisions (which container, how many lines) and redaction, beside the real-Docker
 * walk in test/ui/logs.test.ts (page, API, CLI against the sample app's containers).
 */
describe('container logs: the decisions', () => {
  it('tail: 200 by default, whole numbers from 1 to 5000, anything else a one-line input error', () => {
    expect(parseTail(undefined)).toBe(200);
    expect(parseTail('')).toBe(200);
    expect(parseTail('1')).toBe(1);
    expect(parseTail('5000')).toBe(5000);
    for (const bad of ['0', '5001', '-3', '1e3', '2.5', 'all', '99999999999']) {
      expect(() => parseTail(bad)).toThrow(/^tail: expected a whole number of lines from 1 to 5000, got "/);
    }
  });

  it('names the project services when the service is not one of them; a service without a container is 404 too', () => {
    const services = ['backend', 'db', 'redis'];
    expect(() => planLogs({ service: 'nope', tail: 5 }, services, [])).toThrow(
      'no service "nope" in the compose project (its services: backend, db, redis)',
    );
    try {
      planLogs({ service: 'db', tail: 5 }, services, []);
    } catch (e) {
      expect(e).toMatchObject({ kind: 'not-found', message: 'service "db" has no container (not started yet?)' });
    }
  });

  it("of a scaled service's containers, reads the first running one by name", () => {
    const containers = [
      { id: 'c', name: 'app-backend-3', running: false },
      { id: 'b', name: 'app-backend-2', running: true },
      { id: 'a', name: 'app-backend-1', running: false },
      { id: 'd', name: 'app-backend-4', running: true },
    ];
    expect(planLogs({ service: 'backend', tail: 9 }, ['backend'], containers)).toEqual({
      service: 'backend',
      containerId: 'b',
      container: 'app-backend-2',
      tail: 9,
    });
    expect(planLogs({ service: 'backend', tail: 9 }, ['backend'], containers.slice(0, 1)).container).toBe(
      'app-backend-3',
    );
  });

  it('masks configured secrets and URL passwords in every line, and never asks Docker about an unknown service', async () => {
    const redactor = new Redactor();
    redactor.register('hunter2-secret');
    let asked = 0;
    const ports: LogsPorts = {
      services: async () => ['backend'],
      containers: async () => {
        asked++;
        return [{ id: 'x', name: 'app-backend-1', running: true }];
      },
      read: async () => ({
        lines: splitLines(
          (async function* () {
            yield 'login with hunter2-';
            yield 'secret ok\r\nconnect postgres://u:pw@db/app\nlast without newline';
          })(),
        ),
        close() {},
      }),
      redactor,
    };
    expect(await recentLogs(ports, { service: 'backend', tail: 2 })).toEqual({
      container: 'app-backend-1',
      lines: ['connect postgres://u:***@db/app', 'last without newline'],
    });
    expect((await recentLogs(ports, { service: 'backend', tail: 10 })).lines[0]).toBe('login with *** ok');
    await expect(recentLogs(ports, { service: 'worker', tail: 10 })).rejects.toThrow(/no service "worker"/);
    expect(asked).toBe(2);
  });

  it('the daemon closing ends every followed log, and one opened after that at once', () => {
    const follows = new LogFollows();
    const closed: string[] = [];
    const forget = follows.track(() => closed.push('a'));
    follows.track(() => closed.push('b'));
    forget(); // its client went away first
    follows.closeAll();
    follows.track(() => closed.push('late'));
    expect(closed).toEqual(['b', 'late']);
    expect(follows.size).toBe(0);
  });
});
