import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchiveIndex } from '../../src/backup/archiveIndex.js';
import { sha256File } from '../../src/backup/checksum.js';
import { openRegularFile, removeRegularFile } from '../../src/util/fsutil.js';
import { readBackBackupFile } from '../../src/backup/pgRestore.js';
import { restoreDatabase } from '../../src/backup/restore.js';
import type { Config } from '../../src/config/index.js';
import type { Bucket } from '../../src/offsite/bucket.js';
import { uploadBackup } from '../../src/offsite/upload.js';
import type { BackupRow } from '../../src/store/index.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';
import { fakeDatabaseTarget } from '../fixtures/fakes.js';

/**
 * Every reader of a stored backup opens it through openRegularFile: a FIFO (or a directory, a
 * symlink, a socket) in place of a catalogued file is refused at once, with the path named. Before,
 * each of these opened a FIFO with a blocking open and never returned.
 */
describe('opening files of the backups folder', () => {
  let dir: string;
  let socket: net.Server;
  const at = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-fsutil-'));
    fs.writeFileSync(at('good.dump'), 'the dump');
    execFileSync('mkfifo', ['--', at('fifo.dump'), at('fifo.dump.zst')]); // nobody ever writes to them
    fs.mkdirSync(at('dir.dump'));
    fs.symlinkSync(at('good.dump'), at('link.dump'));
    socket = net.createServer();
    await new Promise<void>((resolve) => socket.listen(at('socket.dump'), resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => socket.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands back a readable handle for a regular file', async () => {
    const handle = await openRegularFile(at('good.dump'));
    try {
      expect((await handle.readFile()).toString()).toBe('the dump');
    } finally {
      await handle.close();
    }
  });

  it.each([
    ['fifo.dump', 'a FIFO'],
    ['dir.dump', 'a directory'],
    ['link.dump', 'a symbolic link'],
    ['socket.dump', 'a socket'],
  ])('refuses %s at once: it is %s', async (name, kind) => {
    const started = performance.now();
    await expect(openRegularFile(at(name))).rejects.toThrow(
      `${at(name)} is ${kind}, not a regular file; refusing to read it`,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('lets a missing file be told apart (ENOENT), for the callers that say "missing"', async () => {
    await expect(openRegularFile(at('gone.dump'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the checksum, the archive index and the read-back refuse a FIFO at once', { timeout: 5000 }, async () => {
    await expect(sha256File(at('fifo.dump'))).rejects.toThrow('is a FIFO');
    await expect(readArchiveIndex(at('fifo.dump.zst'))).rejects.toThrow('is a FIFO');
    await expect(readBackBackupFile(at('fifo.dump'))).rejects.toThrow('is a FIFO');
    expect(await sha256File(at('good.dump'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a restore refuses a FIFO, naming it, before it reaches the database', { timeout: 5000 }, async () => {
    const reached: string[] = [];
    const ports = {
      config: { backups: { dir } } as Config,
      database: () => fakeDatabaseTarget({ reach: async () => Promise.reject(new Error(String(reached.push('db')))) }),
      log: createLogger({ redactor: new Redactor(), level: 'error', write: () => {} }),
    };
    const backup = { id: 1, fileName: 'fifo.dump', sha256: 'f'.repeat(64) } as BackupRow;
    await expect(restoreDatabase(ports, backup)).rejects.toThrow(
      `backup fifo.dump cannot be read (${at('fifo.dump')} is a FIFO, not a regular file; refusing to read it); refusing to restore it`,
    );
    expect(reached).toEqual([]);
  });

  it('the off-site copy refuses a FIFO before anything reaches the bucket', { timeout: 5000 }, async () => {
    const calls: string[] = [];
    const bucket = {
      prefix: 'p/',
      upload: async (key: string) => {
        calls.push(`upload ${key}`);
        return { parts: 1 };
      },
      delete: async (key: string) => void calls.push(`delete ${key}`),
    } as unknown as Bucket;
    const backup = { id: 1, fileName: 'fifo.dump', sha256: 'f'.repeat(64) } as BackupRow;
    await expect(
      uploadBackup(
        bucket,
        { encrypt: { recipients: [] }, keep: { last: 1, days: 1 } } as never,
        dir,
        backup,
        null,
        () => new Date(),
      ),
    ).rejects.toThrow(`${at('fifo.dump')} is a FIFO, not a regular file`);
    expect(calls).toEqual([]);
  });

  it('removes only regular files: others are left in place and said to be', async () => {
    fs.writeFileSync(at('old.dump'), 'x');
    expect(await removeRegularFile(at('old.dump'))).toBe('removed');
    expect(fs.existsSync(at('old.dump'))).toBe(false);
    expect(await removeRegularFile(at('old.dump'))).toBe('absent');
    for (const name of ['fifo.dump', 'dir.dump', 'link.dump', 'socket.dump']) {
      expect(await removeRegularFile(at(name))).toBe('not-a-file');
      expect(fs.lstatSync(at(name))).toBeTruthy();
    }
  });
});
