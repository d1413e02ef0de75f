/**
 * Failed authentications (UI logins, API Bearer tokens) per client address in a
 * sliding window: after `max` failures within `windowMs`, every attempt from that
 * address is refused (429) until the oldest failure leaves the window, so a guessed
 * token is never even compared. Successful attempts do not count.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.max) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.max]! + this.windowMs - this.now()) / 1000));
  }

  /** True when this failure is the one that blocks the address (so it is reported once, not per request). */
  recordFailure(address: string): boolean {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.set(address, recent.slice(-this.max));
    if (this.failures.size > 10_000) this.prune(); // bounded memory under a spray of addresses
    return recent.length === this.max;
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }

  private prune(): void {
    for (const address of [...this.failures.keys()]) {
      if (this.recent(address).length === 0) this.failures.delete(address);
    }
  }
}
