import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pinFilePath } from '../config/stateFiles.js';
import { failed } from '../errors.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/** Opens (creating if needed) the state database in WAL mode and migrates it. */
export function openDb(stateDir: string): Db {
  const file = path.join(stateDir, 'switchyard.db');
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600)); // SQLite gives -wal and -shm the mode of the db file
    restrictStateDir(stateDir);
  } catch (e) {
    throw failed(`state dir ${stateDir} cannot be prepared: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL'); // the catalog must survive a power cut as well as the dumps do
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000'); // the CLI and the daemon share the file
  migrate(db);
  return db;
}

/**
 * The state dir holds the audit log, user token hashes and the pin file: only the daemon's user
 * reads it. Applied at every start, so a dir made 0755 by hand (or by an older version) is fixed.
 */
export function restrictStateDir(stateDir: string): void {
  const base = path.join(stateDir, 'switchyard.db');
  const files = [base, `${base}-wal`, `${base}-shm`, pinFilePath(stateDir)];
  const wanted: Array<[string, number]> = [[stateDir, 0o700], ...files.map((f): [string, number] => [f, 0o600])];
  for (const [file, mode] of wanted) {
    try {
      // No chmod (and so no EPERM for a non-owner) when it is already right.
      if ((fs.statSync(file).mode & 0o777) !== mode) fs.chmodSync(file, mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw failed(
      `state database is at schema version ${current}, newer than this switchyard (${migrations.length}); upgrade switchyard`,
    );
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
