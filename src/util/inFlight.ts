/**
 * Concurrent callers asking for the same key share one run: the first starts it, the others await its
 * promise. Nothing is kept once it settles (success or failure): the next caller starts a fresh run.
 */
export class InFlight<V> {
  private readonly running = new Map<string, Promise<V>>();

  run(key: string, start: () => Promise<V>): Promise<V> {
    const running = this.running.get(key);
    if (running) return running;
    const started = start().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }

  /** Runs not yet settled. */
  get size(): number {
    return this.running.size;
  }
}
