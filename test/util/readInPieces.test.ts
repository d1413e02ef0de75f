import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PiecePool, readInPieces } from '../../src/util/readInPieces.js';

describe('reading a pipe in pieces', () => {
  let dir: string;
  let writer: ChildProcess | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-pieces-'));
  });
  afterEach(() => {
    writer?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A pipe that `cmd` writes to and that is read in pieces of `size` (from `pool`). */
  function pipeFrom(cmd: string, args: string[], size: number, pool = new PiecePool(size)) {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', ['--', fifo]);
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const writeEnd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    const child = spawn(cmd, args, { stdio: ['ignore', writeEnd, 'ignore'] });
    fs.closeSync(writeEnd);
    writer = child;
    return { pieces: readInPieces(fd, pool), exited: new Promise((r) => child.once('exit', r)) };
  }

  it('fills every piece before passing it on; the last holds the rest', async () => {
    const { pieces, exited } = pipeFrom('head', ['-c', '300000', '/dev/urandom'], 99_999);
    const sizes: number[] = [];
    for await (const piece of pieces) sizes.push((piece as Buffer).length);
    expect(sizes).toEqual([99_999, 99_999, 99_999, 3]);
    expect(await exited).toBe(0);
  });

  it('stops reading while nobody takes its pieces, and reads on once somebody does', async () => {
    const { pieces } = pipeFrom('cat', ['/dev/zero'], 1 << 16);
    pieces.pause();
    await new Promise((r) => setTimeout(r, 300));
    // Up to the high-water mark (two pieces), not the hundreds of megabytes cat writes meanwhile.
    expect(pieces.readableLength).toBeGreaterThan(0);
    expect(pieces.readableLength).toBeLessThanOrEqual(2);
    let more = 0;
    pieces.on('data', (piece: Buffer) => {
      more += piece.length;
      if (more > 8 << 20) pieces.destroy();
    });
    pieces.resume();
    await new Promise((resolve) => pieces.once('close', resolve));
    expect(more).toBeGreaterThan(8 << 20);
  });

  it('hands a slow reader each piece as it was filled, never two joined, so that its pool can refill them', async () => {
    const size = 1 << 16;
    const pool = new PiecePool(size);
    const { pieces } = pipeFrom('head', ['-c', String(40 * size), '/dev/zero'], size, pool);
    const sizes: number[] = [];
    for await (const piece of pieces as AsyncIterable<Buffer>) {
      sizes.push(piece.length);
      const release = pool.hold(piece);
      await new Promise((r) => setTimeout(r, 2)); // the writer is faster: pieces wait in the stream meanwhile
      release();
    }
    expect(sizes).toEqual(Array.from({ length: 40 }, () => size));
    expect(pool.allocated).toBeLessThanOrEqual(5); // the two read ahead, the one being filled, the one held
  });
});

describe('the pool of pieces', () => {
  it('refills a piece only once it is released and a chunk of a later piece has arrived', () => {
    const pool = new PiecePool(16);
    const first = pool.take();
    const second = pool.take();
    const releaseFirst = pool.hold(first.subarray(0, 8));
    const releaseRest = pool.hold(first.subarray(8));
    releaseFirst();
    releaseRest();
    // Released, but more of the first piece could still come: not refilled yet.
    expect(pool.take()).not.toBe(first);
    const releaseSecond = pool.hold(second);
    // A chunk of a later piece came: the first is passed and released, and is refilled next.
    expect(pool.take()).toBe(first);
    releaseSecond();
    expect(pool.allocated).toBe(3);
  });

  it('keeps a passed piece while any chunk of it is still held, and ignores chunks that are not its own', () => {
    const pool = new PiecePool(16);
    const first = pool.take();
    const second = pool.take();
    const release = pool.hold(first);
    pool.hold(Buffer.alloc(16))(); // a copy (compactArchive's carry): not the pool's
    pool.hold(second);
    expect(pool.take()).not.toBe(first);
    release();
    release(); // twice is once
    expect(pool.take()).toBe(first);
  });
});
