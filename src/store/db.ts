import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { failed } from '../errors.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/** Opens (creating if needed) the state database in WAL mode and migrates it. */
export function openDb(stateDir: string): Db {
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw failed(`state dir ${stateDir} cannot be created: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const db = new Database(path.join(stateDir, 'switchyard.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL'); // the catalog must survive a power cut as well as the dumps do
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000'); // the CLI and the daemon share the file
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw failed(`state database is at schema version ${current}, newer than this switchyard (${migrations.length}); upgrade switchyard`);
  }
  // Foreign keys off while migrating (SQLite's documented way to rebuild a table others reference), checked after.
  db.pragma('foreign_keys = OFF');
  try {
    for (let version = current; version < migrations.length; version++) {
      db.transaction(() => {
        db.exec(migrations[version]!);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw failed(`migration ${version + 1} would break ${broken.length} foreign key(s)`);
        db.pragma(`user_version = ${version + 1}`);
      }).immediate();
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
