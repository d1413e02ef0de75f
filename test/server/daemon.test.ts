import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../fixtures/cli.js';
import { SAMPLE_SCHEMA } from '../fixtures/data.js';
import { freePort, need } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';

const TOKEN = 'daemon-test-token-0123456789';

/**
 * `switchyard serve` as systemd runs it: READY=1 on NOTIFY_SOCKET once it
 * listens (received here by a real unix datagram socket), SIGHUP reloads the
 * config, SIGTERM stops it cleanly.
 */
describe.runIf(need('PostgreSQL server binaries', hasPostgres()) && need('python3', fs.existsSync('/usr/bin/python3')))(
  'the daemon under systemd conventions',
  () => {
    let pg: PgCluster;
    let dir: string;
    let daemon: ChildProcess | undefined;
    let receiver: ChildProcess | undefined;

    beforeAll(async () => {
      pg = await startPgCluster();
      pg.createDatabase('app');
      pg.psql('app', SAMPLE_SCHEMA);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-daemon-'));
    });
    afterAll(async () => {
      daemon?.kill('SIGKILL');
      receiver?.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      await pg?.stop();
    });

    it('notifies READY=1, reloads on SIGHUP, and stops on SIGTERM', async () => {
      const socket = path.join(dir, 'notify.sock');
      // Node has no datagram unix sockets; a few lines of Python stand in for systemd's end.
      receiver = spawn('python3', [
        '-u',
        '-c',
        [
          'import socket, sys',
          's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
          `s.bind(${JSON.stringify(socket)})`,
          'print("bound", flush=True)',
          'while True: print(s.recv(4096).decode().replace("\\n", " "), flush=True)',
        ].join('\n'),
      ]);
      const notified: string[] = [];
      await new Promise<void>((resolve) =>
        receiver!.stdout!.on('data', (c: Buffer) => {
          notified.push(...c.toString().trim().split('\n'));
          if (notified.includes('bound')) resolve();
        }),
      );

      const port = await freePort();
      const config = path.join(dir, 'config.yaml');
      const write = (schedule: string) =>
        fs.writeFileSync(
          config,
          [
            `project: { dir: ${dir} }`,
            `database: { url: "${pg.url('app')}" }`,
            `stateDir: ${dir}/state`,
            `backups: { dir: ${dir}/backups${schedule} }`,
            `server: { listen: "127.0.0.1:${port}" }`,
          ].join('\n'),
        );
      write('');
      daemon = spawn(process.execPath, [CLI, 'serve', '--config', config], {
        env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN, NOTIFY_SOCKET: socket },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      daemon.stdout!.on('data', (c: Buffer) => (log += c));
      const until = async (what: () => boolean, label: string) => {
        const end = Date.now() + 20_000;
        while (!what()) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${label}; log: ${log.slice(-800)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };

      await until(() => notified.some((m) => m.includes('READY=1')), 'READY=1');
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
      expect(log).not.toContain(pg.password);

      write(', schedule: "0 4 * * *"');
      daemon.kill('SIGHUP');
      await until(() => log.includes('"msg":"config reloaded"'), 'reload');
      expect(log).toContain('"msg":"backup schedule active","schedule":"0 4 * * *"');

      const exited = new Promise<number | null>((r) => daemon!.once('exit', (code) => r(code)));
      daemon.kill('SIGTERM');
      expect(await exited).toBe(0);
      await until(() => notified.some((m) => m.includes('STOPPING=1')), 'STOPPING=1');
    });
  },
);
