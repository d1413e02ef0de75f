import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostScratch, removeOrphans, scratchName, selectOrphans } from '../../src/util/scratchDir.js';

describe('scratch names', () => {
  it('carry the pid and 16 random hex digits, never the same twice', () => {
    expect(scratchName('fifo', 42)).toMatch(/^switchyard-42-[0-9a-f]{16}\.fifo$/);
    expect(scratchName('dump')).not.toBe(scratchName('dump'));
  });

  it('go, for the host’s own programs, into the host’s temp dir, seen alike from both sides', () => {
    expect(hostScratch()).toEqual({ here: os.tmpdir(), there: os.tmpdir() });
  });
});

describe('what a switchyard process that is gone left in a scratch dir', () => {
  const alive = new Set([100, 200]);
  const isAlive = (pid: number) => alive.has(pid);

  it('is its own named files only: not a live process’s, not this one’s, not anybody else’s', () => {
    const dead = scratchName('dump', 300);
    const deadPipe = scratchName('fifo', 301);
    const deadList = scratchName('list', 302);
    const names = [
      dead,
      deadPipe,
      deadList,
      scratchName('list', 200),
      scratchName('dump', 100),
      scratchName('fifo', 999),
      'switchyard-300-notrandom.dump',
      'switchyard-300-0123456789abcdef.dump.bak',
      'pgdata',
    ];
    expect(selectOrphans(names, isAlive, 999)).toEqual([dead, deadPipe, deadList]);
  });

  describe('removal', () => {
    let tmp: string;
    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-scratch-'));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('removes orphaned files and pipes, and leaves a directory that has such a name', async () => {
      const orphan = scratchName('dump', 300);
      execFileSync('mkfifo', ['--', path.join(tmp, scratchName('fifo', 302))]);
      const live = scratchName('dump', 100);
      const dirNamedLikeOne = scratchName('dump', 301);
      fs.writeFileSync(path.join(tmp, orphan), 'x');
      fs.writeFileSync(path.join(tmp, live), 'x');
      fs.mkdirSync(path.join(tmp, dirNamedLikeOne));
      await removeOrphans(tmp, isAlive);
      expect(fs.readdirSync(tmp).sort()).toEqual([dirNamedLikeOne, live].sort());
    });
  });
});
