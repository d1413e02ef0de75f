import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_FREE, restoreBackupFile } from '../../src/backup/pgRestore.js';
import { serviceTarget } from '../../src/database/serviceTarget.js';
import type { DatabaseTarget } from '../../src/database/index.js';
import { createDocker, findServiceContainer } from '../../src/docker/client.js';
import { containerTmp } from '../../src/docker/containerTmp.js';
import { scratchName } from '../../src/util/scratchDir.js';
import { collect } from '../../src/util/process.js';
import { startPgCompose, type ComposeSandbox } from '../fixtures/compose.js';
import { SAMPLE_SCHEMA, tableDigest } from '../fixtures/data.js';
import { hasCompose, hasDocker, isRoot, need } from '../fixtures/env.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose()) && need('root', isRoot());

describe.runIf(ready)('service mode: bulk data between this host and the db container', () => {
  let sandbox: ComposeSandbox;
  let work: string;
  const docker = createDocker();
  /** Every command the targets below have run in the container, as the engine was asked. */
  const commands: string[][] = [];
  const recording = new Proxy(docker, {
    get(engine, key, receiver) {
      if (key !== 'getContainer') return Reflect.get(engine, key, receiver);
      return (id: string) => {
        const container = engine.getContainer(id);
        const exec = container.exec.bind(container);
        container.exec = ((options: { Cmd: string[] }) => {
          commands.push(options.Cmd);
          return exec(options);
        }) as typeof container.exec;
        return container;
      };
    },
  });
  let direct: DatabaseTarget;
  let streamed: DatabaseTarget;

  beforeAll(() => {
    sandbox = startPgCompose({ dbName: 'app' });
    sandbox.psql('app', SAMPLE_SCHEMA);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-target-'));
    const db = { mode: 'service', service: 'db', user: 'postgres', name: 'app', passwordEnv: undefined } as const;
    const project = async () => sandbox.project;
    direct = serviceTarget(recording, project, db);
    streamed = serviceTarget(recording, project, db, async () => null); // as with an engine on another host
  });
  afterAll(() => {
    sandbox?.down();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A dump through `target`, into a file; returns the file and its table of contents (without the dated header). */
  async function dumpWith(target: DatabaseTarget, name: string) {
    const proc = await target.dump(['--format=custom', '--compress=0']);
    expect(proc.via).toBe(target === direct ? "a pipe in the container's /tmp" : "docker exec's stdout (slower)");
    const file = path.join(work, name);
    const written = new Promise<void>((resolve, reject) =>
      proc.stdout.pipe(fs.createWriteStream(file)).once('finish', resolve).once('error', reject),
    );
    const [code] = await Promise.all([proc.exited, written]);
    expect(code).toBe(0);
    const toc = execFileSync('pg_restore', ['--list', file], { encoding: 'utf8' });
    return { file, toc: toc.split('\n').filter((l) => l && !l.startsWith(';')) };
  }

  it('pg_dump writes through a pipe in the container’s /tmp, and its archive is the one the stream gives', async () => {
    const before = commands.length;
    const viaPipe = await dumpWith(direct, 'pipe.dump');
    const viaStream = await dumpWith(streamed, 'stream.dump');
    const [pipeArgs, streamArgs] = commands.slice(before);
    expect(pipeArgs).toEqual([
      'pg_dump',
      '--format=custom',
      '--compress=0',
      expect.stringMatching(/^--file=\/tmp\/switchyard-\d+-[0-9a-f]{16}\.fifo$/),
      '--no-sync',
    ]);
    expect(streamArgs).toEqual(['pg_dump', '--format=custom', '--compress=0']);
    expect(viaPipe.toc.length).toBeGreaterThan(5);
    expect(viaPipe.toc).toEqual(viaStream.toc);
    expect(fs.statSync(viaPipe.file).size).toBe(fs.statSync(viaStream.file).size);
  });

  it('runs any other pg_dump as it is, its output on stdout', async () => {
    const before = commands.length;
    const version = await collect(await direct.spawn('pg_dump', ['--version']));
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^pg_dump \(PostgreSQL\) \d+/) });
    expect(commands.slice(before)).toEqual([['pg_dump', '--version']]);
  });

  it('stages a temp file in the container’s /tmp, readable by its user, after clearing what a dead process left', async () => {
    const id = await findServiceContainer(docker, sandbox.project, 'db');
    const tmp = (await containerTmp(docker, id))!;
    const orphan = scratchName('dump', 2 ** 22 + 7); // above pid_max's default: never a live process
    fs.writeFileSync(path.join(tmp.here, orphan), 'left by a crash');
    const temp = (await direct.tempFile())!;
    expect(temp.there).toMatch(new RegExp(`^/tmp/switchyard-${process.pid}-[0-9a-f]{16}\\.dump$`));
    expect(temp.here).toBe(path.join(tmp.here, path.basename(temp.there)));
    expect(temp.mode).toBe(0o644);
    expect(fs.existsSync(path.join(tmp.here, orphan))).toBe(false);
    expect(await streamed.tempFile()).toBeNull();
  });

  const STAGED = /--jobs=\d .*-- \/tmp\/switchyard-\d+-[0-9a-f]{16}\.dump$/;
  const STREAMED = /--single-transaction --exit-on-error$/;
  it.each([
    ['a .dump.zst staged in the container’s /tmp, for pg_restore -j', () => direct, KEEP_FREE, STAGED, '.zst'],
    ['an old .dump copied into the container’s /tmp, for pg_restore -j', () => direct, KEEP_FREE, STAGED, ''],
    [
      'a .dump.zst streamed into pg_restore when the container is out of reach',
      () => streamed,
      KEEP_FREE,
      STREAMED,
      '.zst',
    ],
    [
      'a .dump.zst streamed into pg_restore when staging would leave too little room',
      () => direct,
      Number.MAX_SAFE_INTEGER,
      STREAMED,
      '.zst',
    ],
  ])('restores %s, and leaves nothing in /tmp', async (_how, target, keepFree, restoreCommand, suffix) => {
    const { file: dump } = await dumpWith(direct, 'restore-me.dump');
    const file = `${dump}${suffix}`;
    if (suffix) execFileSync('zstd', ['-q', '-f', '-o', file, dump]);
    const database = `restored_${Math.random().toString(36).slice(2, 8)}`;
    sandbox.psql('postgres', `CREATE DATABASE ${database}`);
    const before = commands.length;
    await restoreBackupFile(target(), database, file, [], keepFree);
    expect(
      commands
        .slice(before)
        .find((c) => c[0] === 'pg_restore')
        ?.join(' '),
    ).toMatch(restoreCommand);
    for (const table of ['requests', 'comments']) {
      expect(sandbox.psql(database, tableDigest(table))).toBe(sandbox.psql('app', tableDigest(table)));
    }
    const id = await findServiceContainer(docker, sandbox.project, 'db');
    const tmp = (await containerTmp(docker, id))!;
    expect(fs.readdirSync(tmp.here).filter((n) => n.startsWith('switchyard-'))).toEqual([]);
    expect((await collect(await direct.spawn('psql', ['-c', 'SELECT 1']))).code).toBe(0);
  });
});
