import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArchiveIndex } from '../../src/backup/archiveIndex.js';
import { compactArchive } from '../../src/backup/compactArchive.js';
import { KEEP_FREE, restoreBackupFile } from '../../src/backup/pgRestore.js';
import { serviceTarget } from '../../src/database/serviceTarget.js';
import type { DatabaseTarget } from '../../src/database/index.js';
import { createDocker, findServiceContainer } from '../../src/docker/client.js';
import { containerRoot, containerTmp } from '../../src/docker/containerRoot.js';
import { scratchName } from '../../src/util/scratchDir.js';
import { collect } from '../../src/util/process.js';
import { startPgCompose, type ComposeSandbox } from '../fixtures/compose.js';
import { ALWAYS_SPLIT, SAMPLE_SCHEMA, tableDigest } from '../fixtures/data.js';
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
  const DB = {
    mode: 'service',
    service: 'db',
    user: 'postgres',
    name: 'app',
    passwordEnv: undefined,
    clientPrograms: 'auto',
  } as const;
  /** The container's own programs, through the engine's exec; bulk data through its /tmp. */
  let direct: DatabaseTarget;
  /** The same, when this host cannot see into the container: bulk data through the exec stream. */
  let streamed: DatabaseTarget;
  /** This host's programs, over the container's socket. */
  let hostClients: DatabaseTarget;

  beforeAll(() => {
    sandbox = startPgCompose({ dbName: 'app' });
    sandbox.psql('app', SAMPLE_SCHEMA);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-target-'));
    const project = async () => sandbox.project;
    direct = serviceTarget(recording, project, { ...DB, clientPrograms: 'container' });
    streamed = serviceTarget(recording, project, DB, async () => null); // as with an engine on another host
    hostClients = serviceTarget(recording, project, DB);
  });
  afterAll(() => {
    sandbox?.down();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A dump through `target`, into a file; returns the file and its table of contents (without the dated header). */
  async function dumpWith(target: DatabaseTarget, name: string) {
    const proc = await target.dump(['--format=custom', '--compress=0']);
    const file = path.join(work, name);
    const written = new Promise<void>((resolve, reject) =>
      proc.stdout.pipe(fs.createWriteStream(file)).once('finish', resolve).once('error', reject),
    );
    const [code] = await Promise.all([proc.exited, written]);
    expect(code).toBe(0);
    const toc = execFileSync('pg_restore', ['--list', file], { encoding: 'utf8' });
    return { file, via: proc.via, toc: toc.split('\n').filter((l) => l && !l.startsWith(';')) };
  }

  it('pg_dump writes through a pipe in the container’s /tmp, and its archive is the one the stream gives', async () => {
    const before = commands.length;
    const viaPipe = await dumpWith(direct, 'pipe.dump');
    const viaStream = await dumpWith(streamed, 'stream.dump');
    expect(viaPipe.via).toBe("a pipe in the container's /tmp");
    expect(viaStream.via).toBe("docker exec's stdout (slower)");
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
    const tmp = (await containerTmp((await containerRoot(docker, id))!))!;
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
    await restoreBackupFile(target(), database, file, [], { keepFree });
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
    const tmp = (await containerTmp((await containerRoot(docker, id))!))!;
    expect(fs.readdirSync(tmp.here).filter((n) => n.startsWith('switchyard-'))).toEqual([]);
    expect((await collect(await direct.spawn('psql', ['-c', 'SELECT 1']))).code).toBe(0);
  });

  it('reaches the server with this host’s client programs over the container’s socket: the same server, no exec', async () => {
    const reached = await hostClients.reach();
    expect(reached.description).toBe(
      `database "app" in compose service "db" (this host's client programs, over its socket)`,
    );
    expect(reached.readsHostFiles).toBe(true);
    const before = commands.length;
    const viaHost = await dumpWith(reached, 'host.dump');
    expect(viaHost.via).toBe(
      "a pipe in the temp dir, from this host's pg_dump over the container's socket, in 1 MiB writes",
    );
    expect(viaHost.toc).toEqual((await dumpWith(streamed, 'compare.dump')).toc);
    const session = await reached.session();
    try {
      const identity = 'SELECT system_identifier FROM pg_control_system()';
      expect(await session.query(identity)).toBe(sandbox.psql('app', identity));
    } finally {
      await session.close();
    }
    expect(commands.length - before).toBe(1); // streamed's pg_dump: the host's programs ran no exec
  });

  it('restores a .dump.zst over the socket in parallel streams from the file, running nothing in the container', async () => {
    const { file: dump } = await dumpWith(direct, 'streams.dump');
    const file = `${dump}.zst`;
    execFileSync('zstd', ['-q', '-f', '-o', file, dump]);
    const database = `restored_${Math.random().toString(36).slice(2, 8)}`;
    sandbox.psql('postgres', `CREATE DATABASE ${database}`);
    const before = commands.length;
    expect(await restoreBackupFile(hostClients, database, file)).toMatch(/^\d parallel streams from the file$/);
    expect(commands.length).toBe(before);
    for (const table of ['requests', 'comments']) {
      expect(sandbox.psql(database, tableDigest(table))).toBe(sandbox.psql('app', tableDigest(table)));
    }
  });

  it('deals the largest table’s rows over psql sessions on the socket too, running nothing in the container', async () => {
    // As a backup writes it: compacted, with the data sizes the split is planned by at the file's end.
    const { file: dump } = await dumpWith(direct, 'split.dump');
    const compactor = compactArchive();
    const compacted = Buffer.concat(await compactor.end(fs.readFileSync(dump)).toArray());
    const file = `${dump}.zst`;
    fs.writeFileSync(
      file,
      Buffer.concat([
        execFileSync('zstd', ['-q', '-c'], { input: compacted, maxBuffer: 1 << 26 }),
        encodeArchiveIndex(compactor.dataSizes()!),
      ]),
    );
    const database = `split_${Math.random().toString(36).slice(2, 8)}`;
    sandbox.psql('postgres', `CREATE DATABASE ${database}`);
    const before = commands.length;
    expect(await restoreBackupFile(hostClients, database, file, [], { split: ALWAYS_SPLIT })).toMatch(
      /^\d parallel streams from the file, \d of them sharing a large table's rows$/,
    );
    expect(commands.length).toBe(before);
    for (const table of ['requests', 'comments']) {
      expect(sandbox.psql(database, tableDigest(table))).toBe(sandbox.psql('app', tableDigest(table)));
    }
  });

  it.each([
    ['database.clientPrograms is "container"', () => direct, 'database.clientPrograms is "container"'],
    ['this host cannot see into the container', () => streamed, "this host cannot see into the container's filesystem"],
    [
      'the role cannot connect',
      () => serviceTarget(recording, async () => sandbox.project, { ...DB, user: 'ghost' }),
      'cannot connect to its socket: role "ghost" does not exist',
    ],
  ])('uses the container’s own programs when %s, and says why', async (_when, target, why) => {
    const reached = await target().reach();
    expect(reached.readsHostFiles).toBe(false);
    expect(reached.description).toContain(`(client programs in the container: ${why}`);
  });

  it('uses the container’s own programs when this host’s pg_dump is of another major version', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bin-'));
    const fake = path.join(bin, 'pg_dump');
    fs.writeFileSync(fake, '#!/bin/sh\necho "pg_dump (PostgreSQL) 99.1"\n', { mode: 0o755 });
    const pathBefore = process.env.PATH;
    process.env.PATH = `${bin}:${pathBefore}`;
    try {
      const reached = await hostClients.reach();
      expect(reached.description).toMatch(
        /client programs in the container: this host's pg_dump is 99, the server 1\d\)$/,
      );
      const before = commands.length;
      expect((await collect(await reached.spawn('pg_dump', ['--version']))).stdout).toMatch(
        /^pg_dump \(PostgreSQL\) 1\d/,
      );
      expect(commands.slice(before)).toEqual([['pg_dump', '--version']]);
    } finally {
      process.env.PATH = pathBefore;
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
