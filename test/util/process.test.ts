import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { urlTarget } from '../../src/database/urlTarget.js';
import { childEnv, collect, processIsAlive, spawnHost } from '../../src/util/process.js';
import { need } from '../fixtures/env.js';
import { hasPostgres } from '../fixtures/postgres.js';

const ADMIN = 'admin-token-that-must-stay-home-0123';
const REGISTRY = 'registry-password-that-must-stay-home';

/** The environment of a live process, as the kernel holds it. */
function environOf(pid: number): Record<string, string> {
  const text = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    text
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** Our children named `comm`, found in /proc (ToolProcess hides pids on purpose). */
function childPids(comm: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        return (
          stat.slice(stat.indexOf('(') + 1, close) === comm &&
          Number(stat.slice(close + 2).split(' ')[1]) === process.pid
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('child environments', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['SWITCHYARD_ADMIN_TOKEN', 'GHCR_TOKEN', 'DOCKER_HOST']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('keeps PATH, HOME, locale and Docker variables, and adds only the child its own', () => {
    const env = childEnv(
      { PGPASSWORD: 'own' },
      {
        PATH: '/bin',
        HOME: '/root',
        LANG: 'C.UTF-8',
        LC_ALL: 'C',
        DOCKER_HOST: 'unix:///x',
        SWITCHYARD_ADMIN_TOKEN: ADMIN,
        GHCR_TOKEN: REGISTRY,
        AWS_SECRET_ACCESS_KEY: 'x',
      },
    );
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      DOCKER_HOST: 'unix:///x',
      PGPASSWORD: 'own',
    });
  });

  it('starts a child at the priority asked for, and at ours otherwise', async () => {
    const background = spawnHost('sleep', ['30'], { nice: 10 });
    const normal = spawnHost('sleep', ['30']);
    try {
      const pids = childPids('sleep');
      expect(pids).toHaveLength(2);
      const byNice = (a: number, b: number) => a - b;
      expect(pids.map((pid) => os.getPriority(pid)).sort(byNice)).toEqual([os.getPriority(), 10].sort(byNice));
    } finally {
      background.kill();
      normal.kill();
      await Promise.all([background.exited, normal.exited]);
    }
  });

  it('a real child sees neither the admin token nor a registry password in /proc/<pid>/environ', async () => {
    process.env.SWITCHYARD_ADMIN_TOKEN = ADMIN;
    process.env.GHCR_TOKEN = REGISTRY;
    const proc = spawnHost('sleep', ['30']);
    try {
      const [pid] = childPids('sleep');
      expect(pid).toBeDefined();
      const env = environOf(pid!);
      expect(env.PATH).toBe(process.env.PATH);
      expect(env).not.toHaveProperty('SWITCHYARD_ADMIN_TOKEN');
      expect(env).not.toHaveProperty('GHCR_TOKEN');
      expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toMatch(new RegExp(`${ADMIN}|${REGISTRY}`));
    } finally {
      proc.kill();
      await proc.exited;
    }
    const selfView = await collect(spawnHost('cat', ['/proc/self/environ'], { env: { PGUSER: 'me' } }));
    expect(selfView.stdout).toContain('PGUSER=me');
    expect(selfView.stdout).not.toContain(ADMIN);
  });

  it.runIf(need('PostgreSQL client binaries', hasPostgres()))(
    'a real pg_dump gets its own PG* variables and nothing secret of the daemon',
    async () => {
      process.env.SWITCHYARD_ADMIN_TOKEN = ADMIN;
      process.env.GHCR_TOKEN = REGISTRY;
      // A server that accepts and never answers: pg_dump waits in its startup, long enough to be read.
      const held: net.Socket[] = [];
      const server = net.createServer((s) => held.push(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;
      const proc = await urlTarget(`postgres://dumper:Own@Secret7@127.0.0.1:${port}/app`).dump(['--schema-only']);
      try {
        let pids: number[] = [];
        for (let i = 0; i < 50 && pids.length === 0; i++) {
          pids = childPids('pg_dump');
          if (pids.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        const env = environOf(pids[0]!);
        expect(env).toMatchObject({
          PGHOST: '127.0.0.1',
          PGPORT: String(port),
          PGUSER: 'dumper',
          PGPASSWORD: 'Own@Secret7',
          PGDATABASE: 'app',
        });
        expect(env).not.toHaveProperty('SWITCHYARD_ADMIN_TOKEN');
        expect(env).not.toHaveProperty('GHCR_TOKEN');
        // stdbuf, which runs pg_dump (largeWrites.ts), adds its own two, for its library to set the buffer.
        expect(env).toMatchObject({ _STDBUF_O: '1048576', LD_PRELOAD: expect.stringMatching(/\/libstdbuf\.so$/) });
        expect(
          Object.keys(env).every((k) =>
            /^(PATH|HOME|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|DOCKER_\w+|COMPOSE_\w+|PG\w+|_STDBUF_O|LD_PRELOAD)$/.test(k),
          ),
        ).toBe(true);
      } finally {
        proc.kill();
        await proc.exited;
        for (const s of held) s.destroy();
        server.close();
      }
    },
  );
});

describe('processIsAlive', () => {
  it('a live process is alive; a zombie (killed, not yet reaped by its parent) and a gone pid are not', async () => {
    // The inner sleep's parent becomes the outer sleep (exec), which never reaps it: a zombie once it ends.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((r) => parent.stdout!.once('data', (c: Buffer) => r(String(c)))));
      await new Promise((r) => setTimeout(r, 300));
      expect(fs.readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);
      expect(processIsAlive(zombie)).toBe(false);
      expect(processIsAlive(parent.pid!)).toBe(true);
      expect(processIsAlive(process.pid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
    await new Promise((r) => parent.once('exit', r));
    expect(processIsAlive(parent.pid!)).toBe(false);
  });
});
