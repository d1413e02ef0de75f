import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuTicks, spareCores, spareFrom } from '../../src/util/spareCores.js';

describe('counting the cores free right now', () => {
  it('takes the idle share of the window as cores, this process’s own time counted idle', () => {
    const at = (busy: number, total: number) => ({ busy, total });
    expect(spareFrom(at(0, 0), at(1, 20), 0, 2)).toBe(2); // 5% busy
    expect(spareFrom(at(0, 0), at(10, 20), 0, 2)).toBe(1); // one core busy
    expect(spareFrom(at(0, 0), at(20, 20), 0, 2)).toBe(0);
    expect(spareFrom(at(0, 0), at(20, 20), 0.1, 2)).toBe(1); // 10 of the 20 ticks were ours
    expect(spareFrom(at(0, 0), at(30, 40), 0, 4)).toBe(1);
    expect(spareFrom(at(5, 5), at(5, 5), 0, 4)).toBe(4); // no time passed: no evidence of load
  });

  it('reads the cpu line of /proc/stat', () => {
    const stat = 'cpu  10 1 5 100 4 1 1 0 3 0\ncpu0 5 0 2 50 2 0 1 0 0 0\nprocs_running 1\n';
    expect(cpuTicks(stat)).toEqual({ busy: 18, total: 122 });
    expect(cpuTicks('intr 1 2 3\n')).toBeNull();
  });

  it('sees two busy loops on this host take two cores', async () => {
    const cores = os.availableParallelism();
    const loops = [1, 2].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await spareCores()).toBeLessThanOrEqual(Math.max(0, cores - 2));
    } finally {
      for (const loop of loops) loop.kill();
    }
    expect(await spareCores()).toBeGreaterThanOrEqual(0);
  });
});
