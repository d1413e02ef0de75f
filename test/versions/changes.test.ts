import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATION_PATHS } from '../../src/config/schema.js';
import { versionChanges } from '../../src/versions/changes.js';
import { Redactor } from '../../src/util/redact.js';
import { git } from './gitRepo.js';

describe('what changes between two versions (a real git repo)', () => {
  let dir: string;
  const shas: Record<string, string> = {};
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  const commitAll = (message: string, date: string) => {
    git(dir, ['add', '-A']);
    git(dir, ['commit', '--quiet', '-m', message], date);
    return git(dir, ['rev-parse', 'HEAD']);
  };
  const paths = [...DEFAULT_MIGRATION_PATHS];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-changes-'));
    git(dir, ['init', '--quiet', '--initial-branch=main']);
    write('app/main.py', 'v1\n');
    write('db/migrations/001_init.sql', 'create table a();\n');
    shas.v1 = commitAll('feat: first release', '2026-03-01T10:00:00Z');
    git(dir, ['tag', '-a', 'v1.0.0', '-m', 'Release 1.0.0\n\nThe first one.'], '2026-03-01T10:00:00Z');
    write('app/main.py', 'v2\n');
    shas.fix = commitAll('fix(api): handle empty body', '2026-03-02T10:00:00Z');
    write('migrations/002_add.sql', 'alter table a add b int;\n');
    write('backend/alembic/versions/3f2a_add_index.py', 'def upgrade(): pass\n');
    fs.rmSync(path.join(dir, 'db/migrations/001_init.sql'));
    write('db/schema/notes.txt', 'not a migration\n');
    shas.v2 = commitAll('feat(db)!: new columns', '2026-03-03T10:00:00Z');
    git(dir, ['tag', 'v2.0.0']); // lightweight: no message of its own
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the commits a deploy adds, newest first, and the migration files that change', async () => {
    const c = await versionChanges(
      dir,
      { from: shas.v1!, to: shas.v2!, tag: 'v2.0.0', migrationPaths: paths },
      new Redactor(),
    );
    expect(c.error).toBeNull();
    expect(c.direction).toBe('forward');
    expect(c.added).toEqual([
      { sha: shas.v2, subject: 'feat(db)!: new columns', author: 'Ada Lovelace', date: '2026-03-03T10:00:00.000Z' },
      {
        sha: shas.fix,
        subject: 'fix(api): handle empty body',
        author: 'Ada Lovelace',
        date: '2026-03-02T10:00:00.000Z',
      },
    ]);
    expect(c.removed).toEqual([]);
    expect(c.migrations).toEqual([
      { status: 'A', path: 'backend/alembic/versions/3f2a_add_index.py' },
      { status: 'D', path: 'db/migrations/001_init.sql' },
      { status: 'A', path: 'migrations/002_add.sql' },
    ]);
    expect(c.tagMessage).toBeNull(); // lightweight tag
  });

  it("says which commits a step back takes away, and gives the annotated tag's message as release notes", async () => {
    const c = await versionChanges(
      dir,
      { from: shas.v2!, to: shas.v1!, tag: 'v1.0.0', migrationPaths: paths },
      new Redactor(),
    );
    expect(c.direction).toBe('backward');
    expect(c.added).toEqual([]);
    expect(c.removed.map((x) => x.subject)).toEqual(['feat(db)!: new columns', 'fix(api): handle empty body']);
    expect(c.migrations.map((m) => m.path)).toContain('migrations/002_add.sql');
    expect(c.tagMessage).toBe('Release 1.0.0\n\nThe first one.');
  });

  it('takes the configured globs only', async () => {
    const c = await versionChanges(
      dir,
      { from: shas.v1!, to: shas.v2!, tag: null, migrationPaths: ['db/**'] },
      new Redactor(),
    );
    expect(c.migrations).toEqual([
      { status: 'D', path: 'db/migrations/001_init.sql' },
      { status: 'A', path: 'db/schema/notes.txt' },
    ]);
  });

  it('has nothing to list for the same commit or an unknown running commit, and says why git failed', async () => {
    expect(
      await versionChanges(dir, { from: shas.v2!, to: shas.v2!, tag: null, migrationPaths: paths }, new Redactor()),
    ).toMatchObject({ direction: 'same', added: [], migrations: [] });
    expect(
      await versionChanges(dir, { from: null, to: shas.v2!, tag: null, migrationPaths: paths }, new Redactor()),
    ).toMatchObject({
      direction: 'unknown',
      error: null,
    });
    const missing = 'f'.repeat(40);
    const c = await versionChanges(
      dir,
      { from: missing, to: shas.v2!, tag: null, migrationPaths: paths },
      new Redactor(),
    );
    expect(c.direction).toBe('unknown');
    expect(c.error).toMatch(/f{40}|bad revision|unknown revision/i);
  });
});
