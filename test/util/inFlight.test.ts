import { describe, expect, it } from 'vitest';
import { InFlight } from '../../src/util/inFlight.js';

/** A run that ends when the test says so. */
function controlled<V>() {
  let settle!: { resolve: (v: V) => void; reject: (e: Error) => void };
  const promise = new Promise<V>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, ...settle };
}

describe('InFlight', () => {
  it('gives concurrent callers of one key the same run, and other keys their own', async () => {
    const runs = new InFlight<string>();
    const a = controlled<string>();
    const b = controlled<string>();
    let started = 0;
    const counted = (run: Promise<string>) => () => {
      started++;
      return run;
    };
    const first = runs.run('a', counted(a.promise));
    const second = runs.run('a', counted(Promise.resolve('never started')));
    const other = runs.run('b', counted(b.promise));
    expect(started).toBe(2);
    expect(runs.size).toBe(2);
    a.resolve('A');
    b.resolve('B');
    expect(await Promise.all([first, second, other])).toEqual(['A', 'A', 'B']);
  });

  it('keeps nothing once a run settles, whether it succeeded or failed', async () => {
    const runs = new InFlight<number>();
    const failing = controlled<number>();
    const first = runs.run('k', () => failing.promise);
    const joined = runs.run('k', () => Promise.resolve(0));
    failing.reject(new Error('registry down'));
    await expect(first).rejects.toThrow('registry down');
    await expect(joined).rejects.toThrow('registry down');
    expect(runs.size).toBe(0);

    expect(await runs.run('k', () => Promise.resolve(2))).toBe(2); // a fresh run, not the failure again
    expect(runs.size).toBe(0);
  });
});
