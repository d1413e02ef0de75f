/**
 * An in-process "this happened" with listeners: a backup recorded done wakes the off-site worker. The emitter has
 * finished its own work when it emits, so a listener that throws is its own failure and never the emitter's.
 */
export class Signal<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Listens until the returned function is called. */
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // see the class comment: what happened stays done
      }
    }
  }
}
