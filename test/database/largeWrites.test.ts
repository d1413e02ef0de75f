import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LARGE_WRITE_BYTES, onPath, withLargeWrites } from '../../src/database/largeWrites.js';

describe('withLargeWrites', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-largewrites-'));
  const bin = path.join(dir, 'bin');
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(bin);
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(bin, 'stdbuf'), '', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'notexec'), '', { mode: 0o644 });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('wraps the command in stdbuf with 1 MiB output buffering when stdbuf is on PATH', () => {
    expect(LARGE_WRITE_BYTES).toBe(1 << 20);
    expect(withLargeWrites(['pg_dump', '--format=custom'], `${empty}:${bin}`)).toEqual({
      command: ['stdbuf', '--output=1048576', 'pg_dump', '--format=custom'],
      note: 'in 1 MiB writes',
    });
  });

  it('leaves the command as it is, and says so, without stdbuf', () => {
    expect(withLargeWrites(['pg_dump'], empty)).toEqual({
      command: ['pg_dump'],
      note: 'in 4 KiB writes (no stdbuf on this host)',
    });
    expect(withLargeWrites(['pg_dump'], '')).toEqual(withLargeWrites(['pg_dump'], empty));
  });

  it('finds only executables, in PATH directories', () => {
    expect(onPath('stdbuf', `::${bin}`)).toBe(true);
    expect(onPath('notexec', bin)).toBe(false);
    expect(onPath('stdbuf', empty)).toBe(false);
    expect(onPath('stdbuf', '')).toBe(false);
  });
});
