import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverInterruptedBackups } from '../../src/backup/recover.js';
import { isTempFileName } from '../../src/backup/naming.js';
import { recoverInterruptedOperations } from '../../src/app/ports/deploy.js';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';

describe('recovery of backup temp files', () => {
  let ctx: TestContext;
  beforeEach(() => {
    ctx = testContext({ database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }' });
    fs.mkdirSync(ctx.config.backups.dir, { recursive: true });
  });
  afterEach(() => ctx.cleanup());

  it('knows both temp names: .dump.partial and .dump.zst.partial', () => {
    expect(isTempFileName('.20260101T000000Z_app_manual.dump.partial')).toBe(true);
    expect(isTempFileName('.20260101T000000Z_app_manual.dump.zst.partial')).toBe(true);
    expect(isTempFileName('20260101T000000Z_app_manual.dump')).toBe(false);
    expect(isTempFileName('.notes.partial')).toBe(false);
  });

  it('removes stray temp files, leaves directories and symlinks in place, and says what it skipped', async () => {
    const dir = ctx.config.backups.dir;
    fs.writeFileSync(path.join(dir, '.a.dump.partial'), 'half');
    fs.writeFileSync(path.join(dir, '.b.dump.zst.partial'), 'half');
    fs.mkdirSync(path.join(dir, '.x.dump.partial'));
    fs.mkdirSync(path.join(dir, '.y.dump.zst.partial'));
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'not ours');
    fs.symlinkSync(path.join(dir, 'keep.txt'), path.join(dir, '.link.dump.partial'));

    const result = await recoverInterruptedBackups(ctx);
    expect(result.skipped.sort()).toEqual(['.link.dump.partial', '.x.dump.partial', '.y.dump.zst.partial']);
    expect(fs.readdirSync(dir).sort()).toEqual([
      '.link.dump.partial',
      '.x.dump.partial',
      '.y.dump.zst.partial',
      'keep.txt',
    ]);
    expect(ctx.logLines.filter((l) => l.includes('not a regular file')).join('\n')).toContain('.x.dump.partial');
  });

  it('a journaled backup whose temp name is a directory is marked failed; the directory stays', async () => {
    const dir = ctx.config.backups.dir;
    fs.mkdirSync(path.join(dir, '.x.dump.partial'));
    // Journaled as running by this process, which (as far as recovery knows) crashed.
    const id = ctx.store.backups.begin({
      fileName: 'x.dump',
      tempName: '.x.dump.partial',
      reason: 'manual',
      note: null,
      actor: 'test',
      databaseName: 'app',
      deploymentId: null,
      createdAt: new Date().toISOString(),
    });
    await expect(recoverInterruptedBackups(ctx)).resolves.toEqual({ recovered: 1, skipped: ['.x.dump.partial'] });
    expect(ctx.store.backups.get(id)?.status).toBe('failed');
    expect(fs.statSync(path.join(dir, '.x.dump.partial')).isDirectory()).toBe(true);
  });

  it('a stray directory no longer stops the start-up recovery, nor `switchyard recover`', async () => {
    fs.mkdirSync(path.join(ctx.config.backups.dir, '.x.dump.partial'));
    await expect(recoverInterruptedOperations(ctx)).resolves.toEqual({ operations: [], cleanedUp: [], busy: null });
    const cli = await switchyard(['recover', '--config', ctx.configFile]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim()).toBe('nothing to recover');
  });
});
