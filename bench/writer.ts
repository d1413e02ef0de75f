/**
 * A writer outside the managed services, like a cron job: its own node-postgres connection to the
 * app's database, one write every `intervalMs`, reconnecting after any failure. Used by bench/soak.ts
 * and bench/rollback.ts; what a write is, and what it keeps of it, is the caller's.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sleep } from './lib.js';

export interface WriterOptions {
  /** The database server's address, asked again at every (re)connect. */
  host: () => string;
  intervalMs: number;
  /** Whether to write now (the soak's "the app takes requests"); undefined: always. */
  ready?: () => Promise<boolean>;
  /** One write over the open connection (`tick` counts from 1); throws when it failed. */
  write(client: pg.Client, tick: number): Promise<void>;
}

export class Writer {
  attempts = 0;
  failures = 0;
  /** performance.now() at the end of every write that succeeded, in order. */
  readonly successes: number[] = [];
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(private readonly options: WriterOptions) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async loop(): Promise<void> {
    let client: pg.Client | undefined;
    let tick = 0;
    while (!this.stopped) {
      const started = performance.now();
      this.attempts++;
      try {
        if (this.options.ready && !(await this.options.ready())) throw new Error('not ready');
        if (!client) {
          client = new pg.Client({
            host: this.options.host(),
            port: 5432,
            user: 'postgres',
            database: 'app',
            connectionTimeoutMillis: 1000,
            query_timeout: 2000,
          });
          client.on('error', () => undefined);
          await client.connect();
        }
        await this.options.write(client, ++tick);
        this.successes.push(performance.now());
      } catch {
        this.failures++;
        void client?.end().catch(() => undefined);
        client = undefined;
      }
      await sleep(Math.max(0, this.options.intervalMs - (performance.now() - started)));
    }
    await client?.end().catch(() => undefined);
  }
}

/**
 * Downtime as a writer saw it: the longest time between two successful writes around the window
 * [from, to] — from the last success at or before `from` to the first at or after `to`, each gap
 * between successes in between counted (times in ms, `successes` ascending). An end with no success
 * beyond it is bounded by the window itself.
 */
export function longestGap(successes: readonly number[], from: number, to: number): number {
  const before = successes.filter((t) => t <= from).at(-1) ?? from;
  const after = successes.find((t) => t >= to) ?? to;
  const points = [before, ...successes.filter((t) => t > from && t < to), after];
  let longest = 0;
  for (let i = 1; i < points.length; i++) longest = Math.max(longest, points[i]! - points[i - 1]!);
  return longest;
}
