import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/**
 * One pass over the dump stream feeds three consumers: the temp file, the
 * sha256, and the verifier's stdin. Reading back while writing costs no second
 * pass over the file, which keeps a verified backup near bare pg_dump's speed.
 */
export function teeToFileHashAndVerifier(file: FileHandle, hash: Hash, verifier: NodeJS.WritableStream): Writable & { bytes(): number } {
  let bytes = 0;
  let verifierClosed = false;
  let wakeWriter: (() => void) | undefined;
  verifier.on('error', () => {
    // A verifier that died is reported through its exit code; the file write goes on.
    verifierClosed = true;
    wakeWriter?.();
  });
  verifier.on('drain', () => wakeWriter?.());
  const toVerifier = (chunk: Buffer) =>
    new Promise<void>((resolve) => {
      if (verifierClosed || verifier.write(chunk)) return resolve();
      wakeWriter = () => {
        wakeWriter = undefined;
        resolve();
      };
    });

  const consume = (chunk: Buffer, callback: (error?: Error | null) => void) => {
    bytes += chunk.length;
    hash.update(chunk);
    Promise.all([writeFully(file, chunk), toVerifier(chunk)]).then(() => callback(), callback);
  };
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write: (chunk: Buffer, _enc, callback) => consume(chunk, callback),
    // Chunks that queued up while a write was in flight go out as one: fewer syscalls and awaits.
    writev: (chunks, callback) => consume(Buffer.concat(chunks.map((c) => c.chunk as Buffer)), callback),
    final(callback) {
      verifier.end();
      callback();
    },
  });
  return Object.assign(sink, { bytes: () => bytes });
}

async function writeFully(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
