import type { AuditLog } from '../store/audit.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { FailureLimiter, Penalty } from './failureLimiter.js';

/** Where a wrong token was presented: the API's Bearer header or the UI's login form. */
export type AuthSurface = 'api' | 'ui';

const ACTION: Record<AuthSurface, string> = { api: 'api.auth', ui: 'ui.login' };

/** Failed attempts being held at once, per surface: past this, a failure is answered without its delay. */
const MAX_HELD = 500;

export interface AuthFailureDeps {
  limiter: FailureLimiter;
  audit: Pick<AuditLog, 'record'>;
  log: Pick<Logger, 'warn'>;
  clock: Clock;
  /** Waits out a penalty (a timer: no thread is held). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The one way a wrong token is answered, on the API and at the UI login: audited (every one, with the
 * address), counted by the limiter, reported once when its address goes over the allowance, and
 * answered only after the limiter's delay. Memory stays bounded: past MAX_HELD waiting failures,
 * the next is answered at once (still 429 when over the allowance).
 */
export function authFailures(surface: AuthSurface, deps: AuthFailureDeps) {
  const { limiter, log, clock } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let held = 0;
  return async (address: string): Promise<Penalty> => {
    const penalty = limiter.recordFailure(address);
    const at = clock.now();
    const refused = { actor: surface, outcome: 'refused' as const };
    deps.audit.record({ ...refused, action: ACTION[surface], detail: `invalid token from ${address}` }, at);
    if (penalty.crossed) {
      log.warn('authentication rate-limited', { surface, address, retryAfterSeconds: penalty.retryAfterSeconds });
      const detail = `too many invalid tokens from ${address}; each further one is slowed`;
      deps.audit.record({ ...refused, action: `${ACTION[surface]}.rate-limited`, detail }, at);
    }
    if (penalty.delayMs > 0 && held < MAX_HELD) {
      held++;
      try {
        await sleep(penalty.delayMs);
      } finally {
        held--;
      }
    }
    return penalty;
  };
}

export type AuthFailures = ReturnType<typeof authFailures>;
