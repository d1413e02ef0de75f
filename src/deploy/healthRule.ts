import type { Config } from '../config/index.js';

/**
 * When the health check may call a version healthy: a single 2xx proves little (a flapping
 * endpoint answers 404 200 200 404), so it takes `successes` healthy probes in a row whose
 * first and last lie at least `windowMs` apart. Pure: the probing loop in health.ts feeds it.
 */

/** One probe: when it was taken, and what was wrong (null: healthy). */
export interface HealthSample {
  at: number;
  problem: string | null;
}

export interface HealthRule {
  /** Healthy probes in a row needed. */
  successes: number;
  /** The first and last of them at least this far apart. */
  windowMs: number;
  /** Give up this long after the check started. */
  timeoutMs: number;
}

export type HealthVerdict = { state: 'healthy' } | { state: 'probing' } | { state: 'unhealthy'; reason: string };

/** The rule of the `health` config section. */
export function healthRule(health: Config['health']): HealthRule {
  return {
    successes: health.successes,
    windowMs: health.windowSeconds * 1000,
    timeoutMs: health.timeoutSeconds * 1000,
  };
}

/** The pause between probes: the window spread evenly over the successes, at least 250 ms (500 ms for one success). */
export function probeIntervalMs(rule: Pick<HealthRule, 'successes' | 'windowMs'>): number {
  if (rule.successes <= 1) return Math.max(500, rule.windowMs);
  return Math.max(250, Math.ceil(rule.windowMs / (rule.successes - 1)));
}

/**
 * Healthy once the trailing run of healthy samples is long and wide enough; unhealthy as soon
 * as no run could complete before the deadline (probes are never closer than the interval, so
 * the earliest possible pass is a lower bound); else probe again.
 */
export function judgeHealth(samples: readonly HealthSample[], rule: HealthRule, startedAt: number): HealthVerdict {
  const last = samples.at(-1);
  if (!last) return { state: 'probing' };
  const run = trailingRun(samples);
  const first = run[0];
  if (first && run.length >= rule.successes && last.at - first.at >= rule.windowMs) return { state: 'healthy' };

  const interval = probeIntervalMs(rule);
  const runStart = first ? first.at : last.at + interval;
  const stillNeeded = Math.max(rule.successes - run.length, 1);
  const earliestPass = Math.max(runStart + rule.windowMs, last.at + stillNeeded * interval);
  if (earliestPass <= startedAt + rule.timeoutMs) return { state: 'probing' };
  return { state: 'unhealthy', reason: unhealthyReason(samples, rule) };
}

function trailingRun(samples: readonly HealthSample[]): HealthSample[] {
  let i = samples.length;
  while (i > 0 && samples[i - 1]!.problem === null) i--;
  return samples.slice(i);
}

/** The last problem seen, and, when some probes were healthy, how far from the rule they got. */
function unhealthyReason(samples: readonly HealthSample[], rule: HealthRule): string {
  let lastProblem: string | null = null;
  let best = 0;
  let run = 0;
  for (const s of samples) {
    run = s.problem === null ? run + 1 : 0;
    best = Math.max(best, run);
    lastProblem = s.problem ?? lastProblem;
  }
  const seconds = rule.timeoutMs / 1000;
  const needed = `${rule.successes} needed over ${rule.windowMs / 1000}s`;
  if (best === 0) return lastProblem ?? 'no probe was taken';
  const flaps = `healthy at most ${best} time${best === 1 ? '' : 's'} in a row within ${seconds}s, ${needed}`;
  return lastProblem === null ? flaps : `${lastProblem} (${flaps})`;
}
