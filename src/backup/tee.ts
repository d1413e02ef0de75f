import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/**
 * The end of a backup's stream: every byte goes into the temp file and into the
 * sha256, so the checksum is of the file exactly as stored. A write error (disk
 * full) fails the stream.
 */
export function fileAndHashSink(file: FileHandle, hash: Hash): Writable & { bytes(): number } {
  let bytes = 0;
  const consume = (chunk: Buffer, callback: (error?: Error | null) => void) => {
    bytes += chunk.length;
    hash.update(chunk);
    writeFully(file, chunk).then(() => callback(), callback);
  };
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write: (chunk: Buffer, _enc, callback) => consume(chunk, callback),
    // Chunks that queued up while a write was in flight go out as one: fewer syscalls and awaits.
    writev: (chunks, callback) => consume(Buffer.concat(chunks.map((c) => c.chunk as Buffer)), callback),
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
 */
export function fanOut(targets: ReadonlyArray<{ stream: NodeJS.WritableStream; child: boolean }>): Writable {
  const outlets = targets.map(({ stream, child }) => outlet(stream, child));
  const consume = (chunk: Buffer, callback: (error?: Error | null) => void) => {
    Promise.all(outlets.map((o) => o.write(chunk))).then(() => callback(), callback);
  };
  return new Writable({
    highWaterMark: 1 << 20,
    write: (chunk: Buffer, _enc, callback) => consume(chunk, callback),
    writev: (chunks, callback) => consume(Buffer.concat(chunks.map((c) => c.chunk as Buffer)), callback),
    // Finished only once the non-child targets (the file) have written everything.
    final(callback) {
      Promise.all(outlets.map((o) => o.end())).then(() => callback(), callback);
    },
  });
}

function outlet(stream: NodeJS.WritableStream, child: boolean) {
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
  return {
    write: (chunk: Buffer) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        if (closed || stream.write(chunk)) return resolve();
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

async function writeFully(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
