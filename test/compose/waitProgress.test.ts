import { describe, expect, it } from 'vitest';
import { waitLine, waitLines, withWaitProgress } from '../../src/compose/waitProgress.js';
import type { ContainerFacts } from '../../src/docker/containerFacts.js';

const container = (over: Partial<ContainerFacts>): ContainerFacts => ({
  id: 'id',
  name: 'app-backend-2',
  service: 'backend',
  state: 'running',
  exitCode: null,
  oomKilled: false,
  health: 'starting',
  healthChecks: [],
  ...over,
});
const check = (exitCode: number, output: string) => ({ at: '2026-01-01T00:00:00Z', exitCode, output });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('waitLine', () => {
  it('names the container, its state, its health, the time waited and the last check in one line', () => {
    const c = container({ healthChecks: [check(0, 'ok'), check(1, '\n  connection refused\n  at line 2\n')] });
    expect(waitLine(c, 6200)).toBe(
      'app-backend-2: running, health starting, 6 s: last check exit 1: connection refused',
    );
    expect(waitLine(container({}), 2900)).toBe('app-backend-2: running, health starting, 3 s');
    expect(waitLine(container({ state: 'exited', exitCode: 2, health: 'unhealthy' }), 0)).toBe(
      'app-backend-2: exited (code 2), health unhealthy, 0 s',
    );
    expect(waitLine(container({ state: 'created', health: 'none' }), 1000)).toBe(
      'app-backend-2: created, no healthcheck, 1 s',
    );
    expect(waitLine(container({ healthChecks: [check(1, 'x'.repeat(500))] }), 0)).toBe(
      `app-backend-2: running, health starting, 0 s: last check exit 1: ${'x'.repeat(200)}`,
    );
  });

  it('says nothing of a container that is ready (healthy, or running without a healthcheck)', () => {
    const all = [
      container({ name: 'a', health: 'healthy' }),
      container({ name: 'b', health: 'none' }),
      container({ name: 'c', health: 'unhealthy' }),
      container({ name: 'd', state: 'restarting', health: 'none' }),
    ];
    expect(waitLines(all, 3000).map((l) => l.split(':')[0])).toEqual(['c', 'd']);
  });
});

describe('withWaitProgress', () => {
  it('says where each unready container is every period while the wait lasts, and nothing after it ends', async () => {
    const lines: string[] = [];
    let reads = 0;
    const read = async () => {
      reads++;
      return [container({ name: 'slow' }), container({ name: 'ready', health: 'healthy' })];
    };
    const result = await withWaitProgress(
      () => sleep(170).then(() => 'done'),
      read,
      (l) => lines.push(l),
      50,
    );
    expect(result).toBe('done');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l.startsWith('slow: running, health starting,'))).toBe(true);
    const said = lines.length;
    const readsAtEnd = reads;
    await sleep(200);
    expect(lines).toHaveLength(said);
    expect(reads).toBe(readsAtEnd);
  });

  it("passes the wait's failure on, and a failing read says nothing", async () => {
    const lines: string[] = [];
    const failingWait = withWaitProgress(
      () => sleep(120).then(() => Promise.reject(new Error('compose up failed'))),
      () => Promise.reject(new Error('engine gone')),
      (l) => lines.push(l),
      30,
    );
    await expect(failingWait).rejects.toThrow('compose up failed');
    expect(lines).toEqual([]);
  });

  it('drops the lines of a read that ends after the wait', async () => {
    const lines: string[] = [];
    const slowRead = () => sleep(100).then(() => [container({})]);
    await withWaitProgress(
      () => sleep(60),
      slowRead,
      (l) => lines.push(l),
      20,
    );
    await sleep(150);
    expect(lines).toEqual([]);
  });
});
