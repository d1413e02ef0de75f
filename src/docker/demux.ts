import type { Readable, Writable } from 'node:stream';

/**
 * Splits docker's multiplexed attach stream (8-byte header: stream type, then
 * a big-endian length; then that many bytes) into stdout and stderr, without
 * copying payloads, and with backpressure: when stdout's consumer (a dump
 * being written to disk) falls behind, the socket is paused rather than the
 * whole dump piling up in memory.
 */
export function demultiplex(source: Readable, stdout: Writable, stderr: Writable): void {
  let header: Buffer = Buffer.alloc(0);
  let remaining = 0;
  let target: Writable = stdout;
  let waitingForDrain = false;

  source.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining === 0) {
        const take = Math.min(8 - header.length, chunk.length - offset);
        header =
          header.length === 0 && take === 8
            ? chunk.subarray(offset, offset + 8)
            : Buffer.concat([header, chunk.subarray(offset, offset + take)]);
        offset += take;
        if (header.length < 8) break;
        target = header[0] === 2 ? stderr : stdout;
        remaining = header.readUInt32BE(4);
        header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(remaining, chunk.length - offset);
      const accepted = target.write(chunk.subarray(offset, offset + take));
      offset += take;
      remaining -= take;
      if (!accepted && !waitingForDrain) {
        waitingForDrain = true;
        source.pause();
        // A consumer that is destroyed (its pipeline failed) never drains: resume then too, or the exec hangs.
        const full = target;
        const resume = () => {
          full.off('drain', resume);
          full.off('close', resume);
          waitingForDrain = false;
          source.resume();
        };
        full.on('drain', resume);
        full.on('close', resume);
      }
    }
  });
}
