import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocker, execInContainer, findServiceContainer } from '../../src/docker/client.js';
import { containerRoot, containerTmp } from '../../src/docker/containerRoot.js';
import { openNamedPipe } from '../../src/util/namedPipe.js';
import { spawnHost } from '../../src/util/process.js';
import { PIECE_BYTES } from '../../src/util/readInPieces.js';
import type { ScratchDir } from '../../src/util/scratchDir.js';
import { startPgCompose, type ComposeSandbox } from '../fixtures/compose.js';
import { hasCompose, hasDocker, isRoot, need } from '../fixtures/env.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose()) && need('root', isRoot());

describe.runIf(ready)('a pipe in a container’s /tmp', () => {
  let sandbox: ComposeSandbox;
  let id: string;
  let tmp: ScratchDir;
  const docker = createDocker();

  beforeAll(async () => {
    sandbox = startPgCompose({ dbName: 'app' });
    id = await findServiceContainer(docker, sandbox.project, 'db');
    tmp = (await containerTmp((await containerRoot(docker, id))!))!;
  });
  afterAll(() => sandbox?.down());

  /** Runs `cmd` in the container (as its own user, not root) with the pipe's path appended. */
  async function throughPipe(cmd: string[]): Promise<{ bytes: number; code: number; left: string[] }> {
    const pipe = (await openNamedPipe(tmp, 0o622))!;
    expect(pipe.there).toMatch(/^\/tmp\/switchyard-\d+-[0-9a-f]{16}\.fifo$/);
    const proc = await execInContainer(docker, id, [...cmd, pipe.there]);
    proc.stdout.resume();
    proc.stderr.resume();
    void proc.exited.then(() => pipe.writerExited());
    let bytes = 0;
    for await (const chunk of pipe.output) bytes += (chunk as Buffer).length;
    return {
      bytes,
      code: await proc.exited,
      left: fs.readdirSync(tmp.here).filter((n) => n.startsWith('switchyard-')),
    };
  }

  it('carries what a program inside writes, to its end, and is gone afterwards', async () => {
    // The host's /usr is bind-mounted into the test image: the same file on both sides.
    const copied = await throughPipe(['cp', '/usr/lib/postgresql/15/bin/postgres']);
    expect(copied.code).toBe(0);
    expect(copied.bytes).toBe(fs.statSync('/usr/lib/postgresql/15/bin/postgres').size);
    expect(copied.left).toEqual([]);
  });

  it('ends, empty, when the program exits without opening it', async () => {
    const result = await throughPipe(['test', '-e']);
    expect(result).toEqual({ bytes: 0, code: 0, left: [] });
  });

  it('ends when the program is killed halfway, with what it wrote so far', async () => {
    const pipe = (await openNamedPipe(tmp, 0o622))!;
    const proc = await execInContainer(docker, id, ['cp', '/dev/zero', pipe.there]);
    proc.stdout.resume();
    void proc.exited.then(() => pipe.writerExited());
    let bytes = 0;
    for await (const chunk of pipe.output) {
      bytes += (chunk as Buffer).length;
      if (bytes > 16 << 20 && bytes - (chunk as Buffer).length <= 16 << 20) proc.kill();
    }
    expect(bytes).toBeGreaterThan(16 << 20);
    expect(await proc.exited).not.toBe(0);
    expect(await text(proc.stderr)).toBe('');
  });
});

describe('a pipe in a scratch dir on this host', () => {
  let dir: ScratchDir;
  beforeEach(() => {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-pipe-'));
    dir = { here: made, there: made };
  });
  afterEach(() => fs.rmSync(dir.here, { recursive: true, force: true }));

  it('is the owner’s alone, and carries a host program’s output in full pieces, the same bytes', async () => {
    const pipe = (await openNamedPipe(dir, 0o600))!;
    expect(fs.statSync(pipe.there).mode & 0o777).toBe(0o600);
    const source = '/usr/lib/postgresql/15/bin/postgres';
    const cp = spawnHost('cp', ['--', source, pipe.there]);
    void cp.exited.then(() => pipe.writerExited());
    const hash = createHash('sha256');
    const sizes: number[] = [];
    for await (const piece of pipe.output) {
      hash.update(piece as Buffer);
      sizes.push((piece as Buffer).length);
    }
    expect(await cp.exited).toBe(0);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(fs.readFileSync(source)).digest('hex'));
    expect(sizes.slice(0, -1).every((n) => n === PIECE_BYTES)).toBe(true);
    expect(sizes.at(-1)).toBeLessThanOrEqual(PIECE_BYTES);
    expect(fs.readdirSync(dir.here)).toEqual([]);
  });

  it('is a host child’s stdout through its write end, which is the child’s alone once it runs', async () => {
    const pipe = (await openNamedPipe(dir, 0o600))!;
    const source = '/usr/lib/postgresql/15/bin/postgres';
    const openBefore = fs.readdirSync('/proc/self/fd').length;
    const cat = spawnHost('cat', ['--', source], { stdout: pipe.writeEnd() });
    expect(fs.readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(openBefore + 2); // its stderr's pipe, no write end
    void cat.exited.then(() => pipe.writerExited());
    const hash = createHash('sha256');
    for await (const piece of pipe.output) hash.update(piece as Buffer);
    expect(await cat.exited).toBe(0);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(fs.readFileSync(source)).digest('hex'));
    let fromStdout = 0;
    for await (const chunk of cat.stdout) fromStdout += (chunk as Buffer).length;
    expect(fromStdout).toBe(0);
  });

  it('ends, empty, when the program fails before opening it', async () => {
    const pipe = (await openNamedPipe(dir, 0o600))!;
    const cp = spawnHost('cp', ['--', path.join(dir.here, 'no such file'), pipe.there]);
    void cp.exited.then(() => pipe.writerExited());
    let bytes = 0;
    for await (const piece of pipe.output) bytes += (piece as Buffer).length;
    expect({ bytes, code: await cp.exited }).toEqual({ bytes: 0, code: 1 });
  });

  it('is null where no pipe can be made', async () => {
    expect(await openNamedPipe({ here: path.join(dir.here, 'missing'), there: '/nowhere' }, 0o600)).toBeNull();
  });
});
