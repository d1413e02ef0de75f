import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decompressWhileRoom } from '../../src/backup/pgRestore.js';

describe('decompressing an archive to stage it, while there is room', () => {
  let dir: string;
  let zst: string;
  const content = Buffer.from('an archive, as far as this test is concerned\n'.repeat(1000));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-stage-'));
    zst = path.join(dir, 'a.dump.zst');
    execFileSync('zstd', ['-q', '-o', zst], { input: content });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the whole archive while the room lasts', async () => {
    const to = path.join(dir, 'staged');
    expect(await decompressWhileRoom(zst, to, async () => true)).toBe('done');
    expect(fs.readFileSync(to)).toEqual(content);
  });

  it('does not start when there is no room to begin with', async () => {
    const to = path.join(dir, 'staged');
    expect(await decompressWhileRoom(zst, to, async () => false)).toBe('no room');
    expect(fs.existsSync(to)).toBe(false);
  });

  it('stops zstd as soon as the room runs out, mid-way', async () => {
    // zstd opens a pipe nobody reads and waits there: only the watch can end it.
    const to = path.join(dir, 'staged.fifo');
    execFileSync('mkfifo', [to]);
    let checks = 0;
    const started = Date.now();
    expect(await decompressWhileRoom(zst, to, async () => ++checks === 1)).toBe('no room');
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
