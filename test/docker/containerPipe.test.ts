import fs from 'node:fs';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocker, execInContainer, findServiceContainer } from '../../src/docker/client.js';
import { openContainerPipe } from '../../src/docker/containerPipe.js';
import { containerTmp, type ContainerTmp } from '../../src/docker/containerTmp.js';
import { startPgCompose, type ComposeSandbox } from '../fixtures/compose.js';
import { hasCompose, hasDocker, isRoot, need } from '../fixtures/env.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose()) && need('root', isRoot());

describe.runIf(ready)('a pipe in a container’s /tmp', () => {
  let sandbox: ComposeSandbox;
  let id: string;
  let tmp: ContainerTmp;
  const docker = createDocker();

  beforeAll(async () => {
    sandbox = startPgCompose({ dbName: 'app' });
    id = await findServiceContainer(docker, sandbox.project, 'db');
    tmp = (await containerTmp(docker, id))!;
  });
  afterAll(() => sandbox?.down());

  /** Runs `cmd` in the container (as its own user, not root) with the pipe's path appended. */
  async function throughPipe(cmd: string[]): Promise<{ bytes: number; code: number; left: string[] }> {
    const pipe = (await openContainerPipe(tmp))!;
    expect(pipe.inside).toMatch(/^\/tmp\/switchyard-\d+-[0-9a-f]{16}\.fifo$/);
    const proc = await execInContainer(docker, id, [...cmd, pipe.inside]);
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
    const pipe = (await openContainerPipe(tmp))!;
    const proc = await execInContainer(docker, id, ['cp', '/dev/zero', pipe.inside]);
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
