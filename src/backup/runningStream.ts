/** One of the parts of a restore's data step that run at once (restoreStreams.ts). */
export interface RunningStream {
  done: Promise<void>;
  /** Stops it early: another part failed. */
  stop(): void;
}

/** Waits for every stream; the first to fail stops the others, and its error is the one thrown. */
export async function allOrNone(streams: readonly RunningStream[]): Promise<void> {
  let first: unknown;
  await Promise.all(
    streams.map((s) =>
      s.done.catch((e: unknown) => {
        if (first === undefined) {
          first = e;
          for (const other of streams) if (other !== s) other.stop();
        }
      }),
    ),
  );
  if (first !== undefined) throw first;
}
