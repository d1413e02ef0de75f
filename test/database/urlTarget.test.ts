import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DumpProcess } from '../../src/database/index.js';
import { urlTarget } from '../../src/database/urlTarget.js';
import { SAMPLE_SCHEMA } from '../fixtures/data.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';

describe.runIf(need('PostgreSQL binaries', hasPostgres()))('URL mode: pg_dump on this host', () => {
  let cluster: PgCluster;
  let work: string;
  const tmpdir = process.env.TMPDIR;
  const tmp = os.tmpdir();

  beforeAll(async () => {
    cluster = await startPgCluster();
    cluster.createDatabase('app');
    cluster.psql('app', SAMPLE_SCHEMA);
    work = fs.mkdtempSync(path.join(tmp, 'sy-url-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
  afterEach(() => {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  });

  /** The dump's archive, in a file; its exit code and table of contents (without the dated header). */
  async function archiveOf(proc: DumpProcess, name: string) {
    const file = path.join(work, name);
    const written = new Promise<void>((resolve, reject) =>
      proc.stdout.pipe(fs.createWriteStream(file)).once('finish', resolve).once('error', reject),
    );
    const [code] = await Promise.all([proc.exited, written]);
    const toc = code === 0 ? execFileSync('pg_restore', ['--list', file], { encoding: 'utf8' }) : '';
    return { code, file, toc: toc.split('\n').filter((l) => l && !l.startsWith(';')) };
  }

  const ours = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith(`switchyard-${process.pid}-`));

  it('reads the archive from a pipe in the temp dir, the same archive as on stdout, and leaves no pipe behind', async () => {
    const target = urlTarget(cluster.url('app'));
    const piped = await target.dump(['--format=custom', '--compress=0']);
    expect(piped.via).toBe('a pipe in the temp dir, in 1 MiB writes');
    const viaPipe = await archiveOf(piped, 'pipe.dump');

    process.env.TMPDIR = path.join(work, 'missing'); // no pipe can be made there
    const streamed = await target.dump(['--format=custom', '--compress=0']);
    expect(streamed.via).toBe("the host pg_dump's stdout, in 1 MiB writes");
    const viaStdout = await archiveOf(streamed, 'stdout.dump');

    expect(viaPipe.code).toBe(0);
    expect(viaPipe.toc.length).toBeGreaterThan(5);
    expect(viaPipe.toc).toEqual(viaStdout.toc);
    expect(fs.statSync(viaPipe.file).size).toBe(fs.statSync(viaStdout.file).size);
    expect(ours(tmp)).toEqual([]);
  });

  async function outputOf(proc: DumpProcess): Promise<string> {
    const chunks: Buffer[] = [];
    proc.stdout.on('data', (c: Buffer) => chunks.push(c));
    const [code] = await Promise.all([proc.exited, new Promise((resolve) => proc.stdout.once('end', resolve))]);
    expect(code).toBe(0);
    return Buffer.concat(chunks).toString();
  }

  /** A directory on PATH's front holding `pg_dump`: a script that writes `body`'s output as its archive. */
  function fakePgDump(body: string): string {
    const dir = fs.mkdtempSync(path.join(work, 'bin-'));
    fs.writeFileSync(path.join(dir, 'pg_dump'), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return dir;
  }

  it('runs pg_dump under stdbuf, its stdout buffered in 1 MiB, and as it is where PATH has no stdbuf', async () => {
    // stdbuf tells the program it wraps the buffer size in _STDBUF_O (and sets it through LD_PRELOAD).
    const bin = fakePgDump('printf "buffer=%s" "${_STDBUF_O:-none}"');
    const target = urlTarget(cluster.url('app'));
    const pathWas = process.env.PATH;
    try {
      process.env.PATH = `${bin}${path.delimiter}${pathWas}`;
      const wrapped = await target.dump(['--format=custom']);
      expect(wrapped.via).toBe('a pipe in the temp dir, in 1 MiB writes');
      expect(await outputOf(wrapped)).toBe('buffer=1048576');

      fs.symlinkSync(
        execFileSync('sh', ['-c', 'command -v mkfifo'], { encoding: 'utf8' }).trim(),
        path.join(bin, 'mkfifo'),
      );
      process.env.PATH = bin; // a PATH without stdbuf (and with mkfifo, for the pipe)
      const plain = await target.dump(['--format=custom']);
      expect(plain.via).toBe('a pipe in the temp dir, in 4 KiB writes (no stdbuf on this host)');
      expect(await outputOf(plain)).toBe('buffer=none');
    } finally {
      process.env.PATH = pathWas;
    }
  });

  it("hands a URL's ?password= to its children as PGPASSWORD alone, never in argv or another variable", async () => {
    const url = `postgres://postgres@127.0.0.1:${cluster.port}/app?password=${encodeURIComponent(cluster.password)}`;
    const target = urlTarget(url);
    expect(target.description).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/app?password=***`);
    const session = await target.session(); // node-postgres connects with it
    expect(await session.query('SELECT count(*) FROM requests')).toBe('250');
    await session.close();

    const bin = fakePgDump('printf "arg %s\\n" "$@"; env');
    const pathWas = process.env.PATH;
    try {
      process.env.PATH = `${bin}${path.delimiter}${pathWas}`;
      const seen = (await outputOf(await target.dump(['--format=custom']))).split('\n');
      expect(seen).toContain('arg --format=custom');
      expect(seen.filter((line) => line.includes(cluster.password))).toEqual([`PGPASSWORD=${cluster.password}`]);
    } finally {
      process.env.PATH = pathWas;
    }
  });

  it('ends the archive, empty, when pg_dump fails before it opens the pipe', async () => {
    const proc = await urlTarget(cluster.url('no_such_database')).dump(['--format=custom']);
    const result = await archiveOf(proc, 'failed.dump');
    expect(result.code).not.toBe(0);
    expect(fs.statSync(result.file).size).toBe(0);
    expect(ours(tmp)).toEqual([]);
  });
});
