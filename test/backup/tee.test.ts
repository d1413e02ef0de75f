import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { fanOut, fileAndHashSink } from '../../src/backup/tee.js';
import { PiecePool, readInPieces } from '../../src/util/readInPieces.js';

const chunks = (n: number, size = 64 * 1024) => Array.from({ length: n }, (_, i) => Buffer.alloc(size, i % 251));
const collect = (s: PassThrough) => {
  const got: Buffer[] = [];
  s.on('data', (c: Buffer) => got.push(c));
  return () => Buffer.concat(got);
};

describe('fanOut and fileAndHashSink', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('gives every consumer every byte, and the file sink hashes exactly what it wrote', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-tee-'));
    dirs.push(dir);
    const file = await fs.promises.open(path.join(dir, 'out'), 'w');
    const hash = createHash('sha256');
    const sink = fileAndHashSink(file, hash);
    const child = new PassThrough({ highWaterMark: 1024 }); // tiny buffer: backpressure on every chunk
    const childBytes = collect(child);
    const data = chunks(40);
    await pipeline(
      Readable.from(data),
      fanOut([
        { stream: child, child: true },
        { stream: sink, child: false },
      ]),
    );
    await file.close();
    const all = Buffer.concat(data);
    expect(childBytes().equals(all)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'out')).equals(all)).toBe(true);
    expect(sink.bytes()).toBe(all.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(all).digest('hex'));
  });

  it('goes on when a child consumer dies (its exit code reports it), but fails on a file error', async () => {
    const dead = new PassThrough();
    const alive = new PassThrough();
    const aliveBytes = collect(alive);
    const data = chunks(10);
    const flow = pipeline(
      Readable.from(data),
      fanOut([
        { stream: dead, child: true },
        { stream: alive, child: true },
      ]),
    );
    dead.destroy(new Error('EPIPE'));
    await flow;
    expect(aliveBytes().length).toBe(10 * 64 * 1024);

    // A child that exits while a write waits for room: Node destroys its stdin, with no error and no drain.
    const exited = new PassThrough({ highWaterMark: 1024 }); // never read: the first write already fills it
    const other = new PassThrough();
    const otherBytes = collect(other);
    const waiting = pipeline(
      Readable.from(chunks(10)),
      fanOut([
        { stream: exited, child: true },
        { stream: other, child: true },
      ]),
    );
    setTimeout(() => exited.destroy(), 50);
    await waiting;
    expect(otherBytes().length).toBe(10 * 64 * 1024);

    // The file sink is ours: one that closes before the end is an error, never a short file taken as whole.
    const shut = new Writable({ highWaterMark: 1024, write: (_c, _e, cb) => setTimeout(cb, 20) });
    const cut = pipeline(Readable.from(chunks(10)), fanOut([{ stream: shut, child: false }]));
    setTimeout(() => shut.destroy(), 30);
    await expect(cut).rejects.toThrow(/the backup file closed before the end of the dump/);

    const broken = new Writable({
      write: (_c, _e, cb) => cb(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })),
    });
    await expect(pipeline(Readable.from(chunks(3)), fanOut([{ stream: broken, child: false }]))).rejects.toThrow(
      /no space left/,
    );
  });

  it('passes chunks that queued up on as they are, never joined into a copy', async () => {
    // A slow consumer makes the chunks queue up in fanOut; each must still arrive as the very buffer sent.
    const received: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        received.push(chunk);
        setTimeout(done, 2);
      },
      writev(queued, done) {
        for (const { chunk } of queued) received.push(chunk as Buffer);
        setTimeout(done, 2);
      },
    });
    const data = chunks(200, 1000);
    await pipeline(Readable.from(data), fanOut([{ stream: slow, child: true }]));
    expect(received).toHaveLength(data.length);
    for (const [i, chunk] of received.entries()) expect(chunk).toBe(data[i]);
  });

  it('hands pieces back for refilling only once every child has them: both get every byte as it was', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-tee-'));
    dirs.push(dir);
    const source = path.join(dir, 'source');
    fs.writeFileSync(source, randomBytes(24 << 20));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', ['--', fifo]);
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const writeEnd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    spawn('cat', ['--', source], { stdio: ['ignore', writeEnd, 'inherit'] });
    fs.closeSync(writeEnd);

    // Two real children hash what they read: one at once, one in small sips with pauses, so that
    // chunks wait in its pipe while the fast one has long written them.
    const hasher = (slow: boolean) => {
      const script = `const h = require('crypto').createHash('sha256');
        process.stdin.on('data', (c) => { h.update(c); ${slow ? 'process.stdin.pause(); setTimeout(() => process.stdin.resume(), 1);' : ''} });
        process.stdin.on('end', () => process.stdout.write(h.digest('hex')));`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      return { stdin: child.stdin, digest: new Promise<string>((r) => child.once('close', () => r(out))) };
    };
    const fast = hasher(false);
    const slow = hasher(true);
    const pool = new PiecePool(4 << 10); // below a pipe’s 16 KB high-water mark: writes still in flight return true
    await pipeline(
      readInPieces(fd, pool),
      fanOut(
        [
          { stream: fast.stdin, child: true },
          { stream: slow.stdin, child: true },
        ],
        pool,
      ),
    );
    const expected = createHash('sha256').update(fs.readFileSync(source)).digest('hex');
    expect(await fast.digest).toBe(expected);
    expect(await slow.digest).toBe(expected);
    expect(pool.allocated).toBeLessThan((24 << 20) / (4 << 10) / 4); // 6144 pieces read, most of them refills
  });
});
