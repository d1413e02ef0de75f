import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demultiplex } from '../../src/docker/demux.js';

const frame = (type: 1 | 2, payload: Buffer) => {
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe("docker's multiplexed stream", () => {
  it('splits stdout and stderr whatever the chunk boundaries', async () => {
    const out = Buffer.from(`${'x'.repeat(70_000)}end-of-stdout`);
    const stream = Buffer.concat([
      frame(1, out.subarray(0, 40_000)),
      frame(2, Buffer.from('a warning\n')),
      frame(1, out.subarray(40_000)),
    ]);
    for (const size of [1, 7, 8, 9, 4096, stream.length]) {
      const source = new PassThrough();
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const got: Buffer[] = [];
      const errs: Buffer[] = [];
      stdout.on('data', (c: Buffer) => got.push(c));
      stderr.on('data', (c: Buffer) => errs.push(c));
      demultiplex(source, stdout, stderr);
      for (let i = 0; i < stream.length; i += size) source.write(stream.subarray(i, i + size));
      await new Promise((r) => setImmediate(r));
      expect(Buffer.concat(got).equals(out), `chunk size ${size}`).toBe(true);
      expect(Buffer.concat(errs).toString()).toBe('a warning\n');
    }
  });

  it('pauses the source while stdout is full, instead of buffering everything', async () => {
    const source = new PassThrough({ highWaterMark: 1024 });
    let release: (() => void) | undefined;
    const slow = new Writable({ highWaterMark: 1024, write: (_c, _e, cb) => (release = () => cb()) });
    demultiplex(source, slow, new PassThrough());
    source.write(frame(1, Buffer.alloc(4096)));
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(true);
    release!();
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(false);
  });

  it('resumes the source when a full stdout is destroyed, so the exec never hangs on it', async () => {
    const source = new PassThrough({ highWaterMark: 1024 });
    const stuck = new Writable({ highWaterMark: 1024, write: () => undefined }); // never calls back
    demultiplex(source, stuck, new PassThrough());
    source.write(frame(1, Buffer.alloc(4096)));
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(true);
    stuck.destroy();
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(false);
    expect(stuck.listenerCount('close')).toBe(0);
  });
});
