import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocker, findServiceContainer } from '../../src/docker/client.js';
import { containerRoot, containerTmp, resolveInRoot } from '../../src/docker/containerRoot.js';
import { scratchName } from '../../src/util/scratchDir.js';
import { startPgCompose, type ComposeSandbox } from '../fixtures/compose.js';
import { hasCompose, hasDocker, isRoot, need } from '../fixtures/env.js';

const ID = 'c0ffee'.padEnd(64, '0');

/** An engine that knows one container, and a /proc with its pid in it. */
function fakeHost(state: { running: boolean; pid: number; cgroup: string; tmp: 'dir' | 'file' | 'none' }) {
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-proc-'));
  const dir = path.join(proc, String(state.pid));
  fs.mkdirSync(path.join(dir, 'root'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'cgroup'), state.cgroup);
  if (state.tmp === 'dir') fs.mkdirSync(path.join(dir, 'root', 'tmp'));
  if (state.tmp === 'file') fs.writeFileSync(path.join(dir, 'root', 'tmp'), '');
  const docker = {
    getContainer: (id: string) => ({
      inspect: async () => {
        if (id !== ID) throw new Error('no such container');
        return { Id: ID, State: { Running: state.running, Pid: state.running ? state.pid : 0 } };
      },
    }),
  } as unknown as Parameters<typeof containerRoot>[0];
  return { proc, docker, remove: () => fs.rmSync(proc, { recursive: true, force: true }) };
}

/** A container's /tmp as found from this host: its root, then /tmp under it. */
async function tmpOf(docker: Parameters<typeof containerRoot>[0], id: string, proc: string) {
  const root = await containerRoot(docker, id, proc);
  return root ? containerTmp(root) : null;
}

describe("a container's /tmp, as this host sees it", () => {
  const good = { running: true, pid: 4242, cgroup: `0::/system.slice/docker-${ID}.scope\n`, tmp: 'dir' } as const;

  it('is /proc/<pid>/root/tmp when the pid is the running container’s', async () => {
    const host = fakeHost(good);
    try {
      expect(await tmpOf(host.docker, ID, host.proc)).toEqual({
        here: path.join(host.proc, '4242', 'root', 'tmp'),
        there: '/tmp',
      });
    } finally {
      host.remove();
    }
  });

  it.each([
    [
      'a pid whose cgroup names another container (an engine on another host)',
      { cgroup: `0::/docker/${'a'.repeat(64)}` },
    ],
    ['a stopped container', { running: false }],
    ['no /tmp in the container', { tmp: 'none' as const }],
    ['a /tmp that is not a directory', { tmp: 'file' as const }],
  ])('is null for %s', async (_what, change) => {
    const host = fakeHost({ ...good, ...change });
    try {
      expect(await tmpOf(host.docker, ID, host.proc)).toBeNull();
    } finally {
      host.remove();
    }
  });

  it('is null for a container the engine does not know', async () => {
    const host = fakeHost(good);
    try {
      expect(await tmpOf(host.docker, 'f'.repeat(64), host.proc)).toBeNull();
    } finally {
      host.remove();
    }
  });
});

describe('a path inside a container, resolved under its root from this host', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-root-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-outside-'));
    fs.mkdirSync(path.join(root, 'run', 'postgresql'), { recursive: true });
    fs.mkdirSync(path.join(root, 'var'));
    fs.mkdirSync(path.join(outside, 'postgresql'));
    // As in Debian images: /var/run -> /run, absolute. Read from the host, it would lead to the host's /run.
    fs.symlinkSync('/run', path.join(root, 'var', 'run'));
    fs.symlinkSync('../run/postgresql', path.join(root, 'var', 'pg'));
    fs.symlinkSync('/../../..', path.join(root, 'up'));
    fs.symlinkSync(outside, path.join(root, 'escape'));
    fs.symlinkSync('/loop', path.join(root, 'loop'));
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it.each([
    ['an absolute link, from the container’s root', '/var/run/postgresql', 'run/postgresql'],
    ['a relative link, from the link’s own dir', '/var/pg', 'run/postgresql'],
    ['.. above the root, as the root', '/up/run', 'run'],
    ['a plain path', '/run/postgresql', 'run/postgresql'],
    ['the root itself', '/', ''],
  ])('follows %s', async (_what, inside, expected) => {
    expect(await resolveInRoot(root, inside)).toBe(path.join(root, expected));
  });

  it.each([
    ['a link to a host path, which inside the container does not exist', '/escape/postgresql'],
    ['a missing part', '/var/run/mysqld'],
    ['a loop of links', '/loop/x'],
  ])('is null for %s', async (_what, inside) => {
    expect(await resolveInRoot(root, inside)).toBeNull();
  });
});

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose()) && need('root', isRoot());

describe.runIf(ready)("a real container's /tmp", () => {
  let sandbox: ComposeSandbox;
  beforeAll(() => {
    sandbox = startPgCompose({ dbName: 'app' });
  });
  afterAll(() => sandbox?.down());

  it('is where a file written from this host is read inside the container', async () => {
    const docker = createDocker();
    const id = await findServiceContainer(docker, sandbox.project, 'db');
    const tmp = await containerTmp((await containerRoot(docker, id))!);
    expect(tmp?.there).toBe('/tmp');
    const name = scratchName('dump');
    fs.writeFileSync(path.join(tmp!.here, name), 'written from the host\n');
    try {
      expect(sandbox.compose(['exec', '-T', 'db', 'cat', `/tmp/${name}`])).toBe('written from the host\n');
    } finally {
      fs.rmSync(path.join(tmp!.here, name));
    }
  });
});
