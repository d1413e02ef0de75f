import { describe, expect, it } from 'vitest';
import { backupFormat, contentTypeOf, formatFor } from '../../src/backup/format.js';
import { backupFileName, isTempFileName, tempFileName } from '../../src/backup/naming.js';
import { planDump } from '../../src/backup/writeDump.js';
import { parseConfig } from '../../src/config/index.js';

const date = new Date('2026-11-25T03:15:00.123Z');
const config = (backups: string) =>
  parseConfig(`project: { dir: /p }\ndatabase: { url: "postgres://u:p@127.0.0.1:5432/app" }\nbackups: ${backups}`);
const host = { pgRestore: 15, zstd: true } as const;

describe('backup file formats', () => {
  it('names new backups after the method that writes them, and reads the format back from the name', () => {
    expect(backupFileName(date, 'app', 'manual', 1, formatFor('zstd'))).toBe('20261125T031500Z_app_manual.dump.zst');
    expect(backupFileName(date, 'app', 'pre-deploy', 2, formatFor('gzip'))).toBe(
      '20261125T031500Z_app_pre-deploy-2.dump',
    );
    expect(backupFileName(date, 'app', 'manual', 1, formatFor('none'))).toBe('20261125T031500Z_app_manual.dump');
    expect(backupFormat('20261125T031500Z_app_manual.dump.zst')).toBe('zstd');
    expect(backupFormat('20251125T031500Z_app_manual.dump')).toBe('custom');
    expect(contentTypeOf('x_manual.dump.zst')).toBe('application/zstd');
    expect(contentTypeOf('x_manual.dump')).toBe('application/octet-stream');
  });

  it('recognises the temp files of both formats, and nothing else', () => {
    expect(tempFileName('a_manual.dump.zst')).toBe('.a_manual.dump.zst.partial');
    expect(isTempFileName('.a_manual.dump.zst.partial')).toBe(true);
    expect(isTempFileName('.a_manual.dump.partial')).toBe(true);
    for (const name of [
      'a_manual.dump.zst',
      'a_manual.dump',
      '.a_manual.zst.partial',
      'a_manual.dump.zst.partial',
      '.notes.partial',
    ]) {
      expect(isTempFileName(name), name).toBe(false);
    }
  });
});

describe('backups.compression config', () => {
  it("defaults to zstd level 3 on all cores; gzip defaults to pg_dump's level 6", () => {
    expect(config('{}').backups.compression).toEqual({ method: 'zstd', level: 3, threads: 0 });
    expect(config('{ compression: { method: gzip } }').backups.compression).toEqual({
      method: 'gzip',
      level: 6,
      threads: 0,
    });
    expect(config('{ compression: { method: zstd, level: 9, threads: 2 } }').backups.compression).toEqual({
      method: 'zstd',
      level: 9,
      threads: 2,
    });
  });

  it.each([
    ['{ compression: { method: lz4 } }', /backups\.compression\.method/],
    ['{ compression: { method: gzip, level: 12 } }', /backups\.compression\.level: gzip levels are 1-9/],
    ['{ compression: { method: zstd, level: 20 } }', /backups\.compression\.level/],
    ['{ compression: { method: none, level: 3 } }', /backups\.compression\.level: has no meaning with method none/],
    ['{ compression: { method: zstd, treads: 2 } }', /backups\.compression\.treads: unknown key/],
  ])('refuses %s with an error naming the key', (yaml, error) => {
    expect(() => config(yaml)).toThrow(error);
  });
});

describe('planDump', () => {
  it('zstd: pg_dump uncompressed, zstd at the configured level and threads', () => {
    expect(planDump(config('{}').backups.compression, host, 15)).toEqual({
      pgDumpCompress: 0,
      compactChunks: true,
      zstdArgs: ['-q', '-c', '-3', '-T0'],
      verifyOnHost: true,
    });
  });

  it("gzip is pg_dump's own compression; none is neither", () => {
    expect(planDump(config('{ compression: { method: gzip, level: 4 } }').backups.compression, host, 15)).toMatchObject(
      { pgDumpCompress: 4, compactChunks: false, zstdArgs: null },
    );
    expect(planDump(config('{ compression: { method: none } }').backups.compression, host, 15)).toMatchObject({
      pgDumpCompress: 0,
      compactChunks: true,
      zstdArgs: null,
    });
  });

  it('reads back where pg_dump ran when the host pg_restore is older than the server, or missing', () => {
    expect(planDump(config('{}').backups.compression, host, 16).verifyOnHost).toBe(false);
    expect(planDump(config('{}').backups.compression, { ...host, pgRestore: null }, 15).verifyOnHost).toBe(false);
  });

  it("reads back on the host when the host's pg_restore is the target's own, whatever the server", () => {
    expect(planDump(config('{}').backups.compression, { ...host, pgRestore: 'target' }, 17).verifyOnHost).toBe(true);
  });

  it('refuses zstd when the host has none, naming the fix', () => {
    expect(() => planDump(config('{}').backups.compression, { ...host, zstd: false }, 15)).toThrow(
      /zstd is not installed on this host .*install the zstd package/,
    );
    expect(
      planDump(config('{ compression: { method: gzip } }').backups.compression, { ...host, zstd: false }, 15).zstdArgs,
    ).toBeNull();
  });
});
