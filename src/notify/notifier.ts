import os from 'node:os';
import type { Config } from '../config/index.js';
import { oneLine } from '../errors.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { Redact } from '../util/redact.js';
import { webhookBody, type Notification } from './payloads.js';

/**
 * Sends outcomes to the configured webhooks in the background: each delivery
 * has a timeout and a few retries with backoff, and nothing an operation does
 * ever waits for it. `idle()` lets tests and shutdown wait for deliveries.
 */
export class Notifier {
  private pending = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly host: string;

  constructor(
    private readonly config: Config['notify'],
    private readonly log: Logger,
    private readonly redactor: Redact,
    /** `clock`: the composition root's, for each notification's `at`; `host`: the name receivers see. */
    options: { clock?: Clock; host?: string } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.host = options.host ?? os.hostname();
  }

  send(notification: Omit<Notification, 'at'>): void {
    const n: Notification = {
      ...notification,
      summary: this.redactor.redact(notification.summary),
      at: this.clock.now().toISOString(),
    };
    for (const hook of this.config.webhooks) {
      if (hook.events && !hook.events.includes(n.event)) continue;
      if (hook.onlyFailures && n.ok) continue;
      const delivery = this.deliver(hook.url, webhookBody(hook.format, n, this.host)).finally(() =>
        this.pending.delete(delivery),
      );
      this.pending.add(delivery);
    }
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async deliver(url: string, body: unknown): Promise<void> {
    const attempts = this.config.retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'switchyard' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.config.timeoutSeconds * 1000),
        });
        if (res.ok) return;
        // A 4xx other than 408/429 will not get better by retrying.
        if (res.status < 500 && res.status !== 408 && res.status !== 429)
          throw new Error(`HTTP ${res.status} (not retried)`);
        throw new RetryableError(`HTTP ${res.status}`);
      } catch (e) {
        const retryable =
          !(e instanceof Error) || e instanceof RetryableError || e.name === 'TimeoutError' || e.name === 'TypeError';
        if (!retryable || attempt === attempts) {
          // Only the host: webhook URLs (Slack, Discord) carry their secret in the path.
          this.log.warn('webhook delivery failed', { host: new URL(url).host, attempt, error: oneLine(e) });
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** (attempt - 1), 5000)));
      }
    }
  }
}

class RetryableError extends Error {}
