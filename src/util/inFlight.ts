/**
 * Concurrent callers asking for the same key share one run: the first starts it, the others await its
 * promise. Nothing is kept once it settles (success or failure): the next caller starts a fresh run.
 *
 * The callers get the outcome one per turn of the event loop, not all in one: 200 of them, each then
 * building and sending its answer, held the loop for 2.6 s (a loaded machine; /api/health waited that
 * long); one per turn, other I/O is served between them.
 */
export class InFlight<V> {
  private readonly running = new Map<string, Promise<V>>();
  private turns: Promise<void> = Promise.resolve();

  run(key: string, start: () => Promise<V>): Promise<V> {
    let running = this.running.get(key);
    if (!running) {
      running = start().finally(() => this.running.delete(key));
      this.running.set(key, running);
    }
    return this.inTurn(running);
  }

  /** Runs not yet settled. */
  get size(): number {
    return this.running.size;
  }

  private async inTurn(run: Promise<V>): Promise<V> {
    const settled = await run.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    // Each turn is a setImmediate started from the previous one's, so it runs in the loop's next iteration.
    const turn = this.turns.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.turns = turn;
    await turn;
    if ('error' in settled) throw settled.error;
    return settled.value;
  }
}
