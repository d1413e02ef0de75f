/** How failed authentications from one client address are slowed. */
export interface FailureRule {
  /** Failures per address within `windowMs` answered at once (401): a person mistyping is not slowed. */
  allowed: number;
  windowMs: number;
  /** The first failure over `allowed` is answered after this delay, each further one after twice the last… */
  firstDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
}

export const DEFAULT_FAILURE_RULE: FailureRule = { allowed: 5, windowMs: 60_000, firstDelayMs: 1000, maxDelayMs: 8000 };

/** What one failed attempt costs its address. */
export interface Penalty {
  /** Failures from the address within the window, this one included (counted up to a bound). */
  failures: number;
  /** Answer this failure only after this long (0 within the allowance). */
  delayMs: number;
  /** Over the allowance: answer 429 with this Retry-After, the seconds until the address is within it again. */
  retryAfterSeconds: number;
  /** This failure is the first over the allowance: reported once per episode, not per request. */
  crossed: boolean;
}

const MAX_ADDRESSES = 10_000;

/**
 * Failed authentications (UI logins, API Bearer tokens) per client address in a sliding window.
 * Only failures are counted and penalised: a right token is checked first and always let in, so
 * many clients sharing one address (loopback, a TLS proxy) never lock each other out; a guesser's
 * wrong answers just come slower, and the delay is the caller's to wait out. A pure rule: the
 * clock is injected.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  /** Enough failures to reach the longest delay; older ones change nothing. */
  private readonly kept: number;

  constructor(
    private readonly rule: FailureRule = DEFAULT_FAILURE_RULE,
    private readonly now: () => number = Date.now,
  ) {
    this.kept = rule.allowed + Math.ceil(Math.log2(Math.max(1, rule.maxDelayMs / rule.firstDelayMs))) + 1;
  }

  recordFailure(address: string): Penalty {
    const at = this.now();
    const recent = [...this.recent(address, at), at].slice(-this.kept);
    this.failures.delete(address); // re-inserted last: the Map's order is least recently failed first
    this.failures.set(address, recent);
    if (this.failures.size > MAX_ADDRESSES) this.prune(at);
    const over = recent.length - this.rule.allowed;
    if (over <= 0) return { failures: recent.length, delayMs: 0, retryAfterSeconds: 0, crossed: false };
    const { firstDelayMs, maxDelayMs, windowMs } = this.rule;
    return {
      failures: recent.length,
      delayMs: Math.min(maxDelayMs, firstDelayMs * 2 ** (over - 1)),
      retryAfterSeconds: Math.max(1, Math.ceil((recent[over]! + windowMs - at) / 1000)),
      crossed: over === 1,
    };
  }

  private recent(address: string, at: number): number[] {
    const since = at - this.rule.windowMs;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }

  /**
   * Memory stays bounded under a spray of addresses: the quiet ones go, then the least recent, down to 90%
   * so that the next prune is a thousand failures away (linear work spread over them, not per failure).
   */
  private prune(at: number): void {
    for (const address of [...this.failures.keys()]) {
      if (this.recent(address, at).length === 0) this.failures.delete(address);
    }
    for (const address of this.failures.keys()) {
      if (this.failures.size <= MAX_ADDRESSES * 0.9) break;
      this.failures.delete(address);
    }
  }
}
