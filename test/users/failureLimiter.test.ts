import { describe, expect, it } from 'vitest';
import { authFailures } from '../../src/users/authFailures.js';
import { DEFAULT_FAILURE_RULE, FailureLimiter } from '../../src/users/failureLimiter.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';

describe('FailureLimiter: wrong tokens per address, slowed, never a lock-out (a pure rule, clock injected)', () => {
  it('answers the first 5 failures in a minute at once, then doubles the delay from 1 s up to 8 s, with 429', () => {
    let now = 0;
    const limiter = new FailureLimiter(DEFAULT_FAILURE_RULE, () => now);
    const penalties = Array.from({ length: 10 }, () => {
      now += 1000;
      return limiter.recordFailure('10.0.0.1');
    });
    expect(penalties.map((p) => p.delayMs)).toEqual([0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 8000]);
    expect(penalties.map((p) => p.retryAfterSeconds > 0)).toEqual([...Array(5).fill(false), ...Array(5).fill(true)]);
    expect(penalties.map((p) => p.crossed)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
    // At 10 s, failures at 1..10 s are in the window; a new one is within the allowance once 6 have left: at 66 s.
    expect(penalties[9]!.retryAfterSeconds).toBe(56);
    expect(limiter.recordFailure('10.0.0.2')).toMatchObject({ failures: 1, delayMs: 0, retryAfterSeconds: 0 });
  });

  it('forgets failures as they leave the window', () => {
    let now = 0;
    const limiter = new FailureLimiter({ ...DEFAULT_FAILURE_RULE, allowed: 2 }, () => now);
    limiter.recordFailure('a');
    limiter.recordFailure('a');
    expect(limiter.recordFailure('a')).toMatchObject({ failures: 3, delayMs: 1000, crossed: true });
    now = 60_001;
    expect(limiter.recordFailure('a')).toMatchObject({ failures: 1, delayMs: 0, retryAfterSeconds: 0 });
    limiter.recordFailure('a');
    expect(limiter.recordFailure('a').crossed).toBe(true); // a new episode is reported again
  });

  it('keeps memory bounded under a spray of addresses', () => {
    const limiter = new FailureLimiter(DEFAULT_FAILURE_RULE, () => 0);
    for (let i = 0; i < 30_000; i++) limiter.recordFailure(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect((limiter as unknown as { failures: Map<string, number[]> }).failures.size).toBeLessThanOrEqual(10_000);
  });
});

describe('authFailures: every wrong token audited, counted and answered after its delay', () => {
  it('audits each failure and the crossing once, waits the delay on a timer, and bounds what it holds', async () => {
    const lines: string[] = [];
    const log = createLogger({ redactor: new Redactor(), level: 'info', write: (l) => lines.push(l) });
    const audited: Array<{ action: string; detail?: string | null }> = [];
    const slept: number[] = [];
    const releases: Array<() => void> = [];
    const failed = authFailures('ui', {
      limiter: new FailureLimiter({ ...DEFAULT_FAILURE_RULE, allowed: 1 }, () => 0),
      audit: { record: (e) => void audited.push(e) },
      log,
      clock: { now: () => new Date(0) },
      sleep: (ms) => {
        slept.push(ms);
        return new Promise((r) => releases.push(r));
      },
    });
    expect(await failed('127.0.0.1')).toMatchObject({ delayMs: 0, retryAfterSeconds: 0 });
    const second = failed('127.0.0.1');
    expect(slept).toEqual([1000]);
    let answered = false;
    void second.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(answered).toBe(false); // not before its delay
    releases[0]!();
    expect(await second).toMatchObject({ delayMs: 1000, crossed: true });
    expect(audited.map((a) => a.action)).toEqual(['ui.login', 'ui.login', 'ui.login.rate-limited']);
    expect(audited[0]!.detail).toBe('invalid token from 127.0.0.1');
    expect(lines.filter((l) => l.includes('authentication rate-limited'))).toHaveLength(1);

    // 500 failures waiting at once is the most it holds: the next is answered without waiting (still 429).
    const held = Array.from({ length: 501 }, () => failed('10.9.9.9')); // the first is within the allowance
    await new Promise((r) => setTimeout(r, 10));
    expect(releases).toHaveLength(1 + 500);
    const unheld = await failed('10.9.9.9');
    expect(unheld.retryAfterSeconds).toBeGreaterThan(0);
    expect(releases).toHaveLength(1 + 500);
    for (const r of releases) r();
    await Promise.all(held);
    expect(audited.filter((a) => a.action === 'ui.login')).toHaveLength(2 + 501 + 1);
  });
});
