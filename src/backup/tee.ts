import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { PiecePool } from '../util/readInPieces.js';

/**
 * The end of a backup's stream: every byte goes into the temp file and into the
 * sha256, so the checksum is of the file exactly as stored. A write error (disk
 * full) fails the stream.
 */
export function fileAndHashSink(file: FileHandle, hash: Hash): Writable & { bytes(): number } {
  let bytes = 0;
  const consume = async (chunks: Buffer[]) => {
    for (const chunk of chunks) {
      bytes += chunk.length;
      hash.update(chunk);
      await writeFully(file, chunk);
    }
  };
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write: (chunk: Buffer, _enc, callback) => void consume([chunk]).then(() => callback(), callback),
    // Chunks that queued up while a write was in flight are written one after another, not joined (fanOut).
    writev: (chunks, callback) => void consume(chunks.map((c) => c.chunk as Buffer)).then(() => callback(), callback),
  });
  return Object.assign(sink, { bytes: () => bytes });
}

/**
 * One pass over pg_dump's output feeds several consumers at once (the read-back
 * `pg_restore --file=/dev/null`, and the compressor or the file sink), each at
 * its own pace: the next chunk is taken once every consumer has accepted this
 * one. Reading back while writing costs no second pass over the data.
 *
 * `children` are child processes' stdins: one that dies is reported through its
 * exit code, so the others go on rather than fail the stream. Any other target's
 * error fails the stream.
 *
 * With `pieces` (readInPieces.ts), each chunk goes back to that pool once every
 * target's write callback for it has run. Every target must then be done with a
 * chunk when its callback runs: a pipe, a socket, the file sink; never a
 * PassThrough, whose callback comes while the chunk still waits inside it.
 */
export function fanOut(targets: ReadonlyArray<{ stream: Writable; child: boolean }>, pieces?: PiecePool): Writable {
  const outlets = targets.map(({ stream, child }) => outlet(stream, child));
  const consume = (chunks: Buffer[], callback: (error?: Error | null) => void) => {
    // Each chunk goes back to its pool once every target has written it.
    const written = pieces ? chunks.map((chunk) => countdown(outlets.length, pieces.hold(chunk))) : undefined;
    Promise.all(outlets.map((o) => o.write(chunks, written))).then(() => callback(), callback);
  };
  return new Writable({
    highWaterMark: 1 << 20,
    write: (chunk: Buffer, _enc, callback) => consume([chunk], callback),
    // Chunks that queued up meanwhile go on as they are, never joined: joining copied 540 of the bench
    // archive's 818 MB once more, and V8 answers every such allocation outside its heap with collections.
    writev: (chunks, callback) =>
      consume(
        chunks.map((c) => c.chunk as Buffer),
        callback,
      ),
    // Finished only once the non-child targets (the file) have written everything.
    final(callback) {
      Promise.all(outlets.map((o) => o.end())).then(() => callback(), callback);
    },
  });
}

function outlet(stream: Writable, child: boolean) {
  let closed = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let ending = false;
  stream.on('error', (e: Error) => {
    closed = true;
    if (!child) failure = e;
    wake?.();
  });
  stream.on('drain', () => wake?.());
  // A child that exits has its stdin destroyed by Node: a 'close' with no error, and no 'drain' for a write
  // that was waiting for room. Without this, that write waited forever and the backup hung.
  stream.on('close', () => {
    closed = true;
    if (!child && !ending) failure ??= new Error('the backup file closed before the end of the dump');
    wake?.();
  });
  /**
   * Several chunks corked: a pipe takes them in one system call. `written[i]` runs once chunk i is
   * written. True when the stream has room for more.
   */
  const writeAll = (chunks: Buffer[], written?: Array<() => void>) => {
    if (chunks.length > 1) stream.cork();
    let room = true;
    chunks.forEach((chunk, i) => {
      room = stream.write(chunk, written?.[i]);
    });
    if (chunks.length > 1) stream.uncork();
    return room;
  };
  return {
    write: (chunks: Buffer[], written?: Array<() => void>) =>
      new Promise<void>((resolve, reject) => {
        if (failure || closed) {
          for (const done of written ?? []) done(); // never written, so never held
          return failure ? reject(failure) : resolve();
        }
        if (writeAll(chunks, written)) return resolve();
        wake = () => {
          wake = undefined;
          if (failure) reject(failure);
          else resolve();
        };
      }),
    end: () =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        if (closed) return resolve();
        ending = true;
        if (child) {
          stream.end();
          return resolve();
        }
        wake = () => (failure ? reject(failure) : resolve());
        stream.end(() => resolve());
      }),
  };
}

/** Calls `then` on the `n`th call. */
function countdown(n: number, then: () => void): () => void {
  let left = n;
  if (left === 0) then();
  return () => {
    if (--left === 0) then();
  };
}

async function writeFully(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
