/**
 * The log streams a daemon is following for its clients. Closing the daemon ends them at once:
 * otherwise each open page would hold the shutdown until the HTTP server gives up on it.
 */
export class LogFollows {
  private readonly open = new Set<() => void>();
  private closed = false;

  /** Remembers how to end one stream; the returned function forgets it (when its client went away). */
  track(close: () => void): () => void {
    if (this.closed) {
      close();
      return () => {};
    }
    this.open.add(close);
    return () => this.open.delete(close);
  }

  get size(): number {
    return this.open.size;
  }

  closeAll(): void {
    this.closed = true;
    for (const close of this.open) close();
    this.open.clear();
  }
}
