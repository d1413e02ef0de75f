import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { judgeHealth, probeIntervalMs, type HealthRule, type HealthSample } from '../../src/deploy/healthRule.js';

const rule: HealthRule = { successes: 3, windowMs: 2000, timeoutMs: 15_000 };
/** Samples one second apart from t=0, from HTTP statuses. */
const answers = (...statuses: number[]): HealthSample[] =>
  statuses.map((status, i) => ({ at: i * 1000, problem: status === 200 ? null : `HTTP ${status}` }));
/** The verdict after each sample, as the probing loop sees it. */
const verdicts = (samples: HealthSample[], r = rule) =>
  samples.map((_, i) => judgeHealth(samples.slice(0, i + 1), r, 0).state);

describe('judgeHealth: healthy only after enough healthy probes in a row over the window', () => {
  it('a flapping endpoint (404 200 200 404 404 200) never passes, where one 2xx used to be enough', () => {
    expect(verdicts(answers(404, 200, 200, 404, 404, 200))).toEqual(Array(6).fill('probing'));
  });

  it('passes on the probe that completes the run, not before', () => {
    expect(verdicts(answers(404, 200, 200, 200))).toEqual(['probing', 'probing', 'probing', 'healthy']);
  });

  it('needs the window too: three quick successes are not enough', () => {
    const quick = [0, 100, 200, 300].map((at) => ({ at, problem: null }));
    expect(verdicts(quick)).toEqual(['probing', 'probing', 'probing', 'probing']);
    expect(judgeHealth([...quick, { at: 2000, problem: null }], rule, 0).state).toBe('healthy');
  });

  it('one success and no window pass at once (the old rule, when configured)', () => {
    expect(verdicts(answers(500, 200), { successes: 1, windowMs: 0, timeoutMs: 5000 })).toEqual(['probing', 'healthy']);
  });

  it('gives up as soon as no run could finish before the timeout, naming the last problem and the flapping', () => {
    // A run needs 2 s (two intervals of 1 s) after its first success: after the 404 at 14 s, none fits before 15 s.
    const flapping = answers(...Array.from({ length: 15 }, (_, i) => (i % 3 === 2 ? 404 : 200)));
    expect(verdicts(flapping)).toEqual([...Array(14).fill('probing'), 'unhealthy']);
    expect(judgeHealth(flapping, rule, 0)).toEqual({
      state: 'unhealthy',
      reason: 'HTTP 404 (healthy at most 2 times in a row within 15s, 3 needed over 2s)',
    });
  });

  it('never healthy: the last problem alone', () => {
    const down = answers(...Array(14).fill(503));
    expect(judgeHealth(down, rule, 0)).toEqual({ state: 'unhealthy', reason: 'HTTP 503' });
  });

  it('probes spread the window over the successes, never faster than 250 ms', () => {
    expect(probeIntervalMs({ successes: 5, windowMs: 10_000 })).toBe(2500);
    expect(probeIntervalMs({ successes: 3, windowMs: 0 })).toBe(250);
    expect(probeIntervalMs({ successes: 1, windowMs: 0 })).toBe(500);
  });
});

describe('the health config section', () => {
  const parse = (health: string) =>
    parseConfig(`project: { dir: /srv/app }\ndatabase: { service: db, name: app }\nhealth: ${health}`, 'config');

  it('defaults to 5 healthy probes in a row over 10 s', () => {
    expect(parse('{}').health).toEqual({ timeoutSeconds: 60, successes: 5, windowSeconds: 10 });
  });

  it('refuses a window that cannot fit in the timeout, and no successes, in one line each', () => {
    expect(() => parse('{ timeoutSeconds: 10, windowSeconds: 10 }')).toThrow(
      /health\.windowSeconds: must be shorter than health\.timeoutSeconds$/,
    );
    expect(() => parse('{ successes: 0 }')).toThrow(/health\.successes: /);
    expect(() => parse('{ successes: 2.5 }')).toThrow(/health\.successes: /);
  });
});
