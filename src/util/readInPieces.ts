import net from 'node:net';
import { Readable } from 'node:stream';

/** What a backup's archive is read in: pieces this large go to the compactor, zstd and the read-back at once. */
export const PIECE_BYTES = 1 << 20;

/**
 * The pieces a pipe is read into, each refilled once its last reader is done with it. Why: V8
 * answers memory allocated outside its heap with full collections, about one per 25 MB. A backup
 * of the 818 MB bench archive allocating every piece anew spent 0.45 s of the main thread in 37 of
 * them; refilling, 0.09-0.14 s in 9-11.
 *
 * The rule: the last consumer (tee.ts's fanOut, splitTable.ts's dealing) `hold`s every chunk it
 * gets and releases it once each of its targets has written it. A piece goes back for refilling
 * once it is released and a chunk of a later piece has arrived: chunks arrive in order, so no more
 * of it can come. Everything between the reader and that consumer must therefore keep chunks in
 * order and hold no piece past the next one (compactArchive.ts and copyScript.ts copy what they
 * keep; coalesce.ts passes full pieces on as they are).
 */
export class PiecePool {
  private readonly free: Buffer[] = [];
  /** The pieces given out, oldest first. `passed`: a chunk of a later piece has reached the consumer. */
  private readonly out: Array<{ piece: Buffer; holds: number; passed: boolean }> = [];
  /** How many pieces were ever allocated: the rest of what was read went into refilled ones. */
  allocated = 0;

  constructor(readonly size = PIECE_BYTES) {}

  take(): Buffer {
    let piece = this.free.pop();
    if (!piece) {
      piece = Buffer.allocUnsafeSlow(this.size);
      this.allocated++;
    }
    this.out.push({ piece, holds: 0, passed: false });
    return piece;
  }

  /** The consumer has `chunk` (a piece or a part of one; anything else is not the pool's) until the returned call. */
  hold(chunk: Buffer): () => void {
    const at = this.out.findIndex((o) => o.piece.buffer === chunk.buffer);
    if (at < 0) return () => undefined;
    for (let i = 0; i < at; i++) this.out[i]!.passed = true;
    const entry = this.out[at]!;
    entry.holds++;
    this.refill();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.holds--;
      this.refill();
    };
  }

  private refill(): void {
    while (this.out[0]?.passed && this.out[0].holds === 0) this.free.push(this.out.shift()!.piece);
  }
}

/**
 * Reads a pipe's file descriptor (opened non-blocking) straight into pieces from `pool`, each
 * filled to the brim before it goes on (the last may be shorter), and closes the descriptor at the
 * end. A plain socket reads into a fresh 64 KB buffer per read and leaves the joining to the
 * caller: every byte allocated twice outside V8's heap (see PiecePool). Here the kernel writes
 * into the piece itself.
 */
export function readInPieces(fd: number, pool = new PiecePool()): Readable {
  const size = pool.size;
  let piece = pool.take();
  let filled = 0;
  // One piece per chunk, two read ahead. Not a byte stream: its read() joins whatever chunks wait in
  // its buffer into a new one, as an async iterator's reads did (splitTable.ts), and a joined piece
  // is both an allocation and a chunk the pool does not know, so its pieces were never refilled.
  const pieces = new Readable({
    objectMode: true,
    highWaterMark: 2,
    read: () => void socket.resume(),
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  // `onread` is in Node's constructor since v12, missing only from @types/node's options for it.
  const socket = new net.Socket({
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer: () => piece.subarray(filled),
      callback: (bytes: number) => {
        filled += bytes;
        if (filled < size) return true;
        const full = piece;
        piece = pool.take();
        filled = 0;
        return pieces.push(full); // false: the socket pauses until the next read()
      },
    },
  } as net.SocketConstructorOpts);
  socket.once('end', () => {
    if (filled > 0) pieces.push(piece.subarray(0, filled));
    pieces.push(null);
  });
  socket.once('error', (e) => pieces.destroy(e));
  return pieces;
}
