import fs from 'node:fs/promises';
import path from 'node:path';
import type { RestorePorts } from './ports.js';
import {
  compareFacts,
  type DatabaseTarget,
  inspectDatabase,
  quoteIdent,
  quoteLiteral,
  type SqlSession,
} from '../database/index.js';
import { failed, oneLine } from '../errors.js';
import type { BackupRow } from '../store/index.js';
import { sha256File } from './checksum.js';
import { liftFence } from './fence.js';
import { restoreBackupFile } from './pgRestore.js';

/**
 * Puts the application database back to exactly a backup's content: schema and
 * data of the dump and nothing else (tables a later migration added are gone).
 *
 * The dump is restored into a fresh database first and verified there (row
 * counts and schema fingerprint against the catalog); only then are the names
 * swapped. A restore that fails leaves the live database untouched. The writers
 * (app services) must be stopped by the caller.
 */
export async function restoreDatabase(ports: RestorePorts, backup: BackupRow): Promise<void> {
  const { target, via } = await restoreBeside(ports, backup);
  const { incoming, outgoing } = swapNames(target.database);
  await withAdmin(target, async (admin) => {
    await swap(admin, target.database, incoming, outgoing);
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(outgoing)} WITH (FORCE)`);
  });
  ports.log.info('database restored', { backup: backup.id, file: backup.fileName, via, reached: target.description });
}

/**
 * The backup file checked (before the database is reached at all), then restored into the fresh
 * database `incoming` beside the live one and verified there (row counts and schema fingerprint against
 * the catalog); the live database is not touched, so the app may keep serving. A failure drops the copy.
 * Returns the target reached (its sessions and programs all go one way) and how pg_restore ran, for the log.
 */
export async function restoreBeside(
  ports: RestorePorts,
  backup: BackupRow,
): Promise<{ target: DatabaseTarget; via: string }> {
  const file = path.join(ports.config.backups.dir, backup.fileName);
  const actual = await sha256File(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw failed(`backup ${backup.fileName} cannot be read (${oneLine(e)}); refusing to restore it`);
  });
  if (actual !== backup.sha256)
    throw failed(`backup ${backup.fileName} does not match its recorded sha256; refusing to restore it`);
  const target = await ports.database().reach();
  const name = target.database;
  const { incoming } = swapNames(name);
  const via = await withAdmin(target, async (admin) => {
    const owner = await admin.query(
      `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${quoteLiteral(name)}`,
    );
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(incoming)} WITH (FORCE)`);
    await admin.query(
      `CREATE DATABASE ${quoteIdent(incoming)} TEMPLATE template0${owner ? ` OWNER ${quoteIdent(owner)}` : ''}`,
    );
    try {
      const via = await restoreBackupFile(target, incoming, file);
      const restored = await target.session(incoming);
      let issues: string[];
      try {
        issues = compareFacts(
          { rowCounts: backup.rowCounts ?? {}, schemaFingerprint: backup.schemaFingerprint ?? '' },
          await inspectDatabase(restored),
        );
      } finally {
        await restored.close();
      }
      if (issues.length)
        throw failed(`restored copy of ${backup.fileName} differs from the catalog: ${issues.slice(0, 3).join('; ')}`);
      return via;
    } catch (e) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(incoming)} WITH (FORCE)`).catch(() => undefined);
      throw e;
    }
  });
  return { target, via };
}

/** A session on the maintenance database `postgres`, for CREATE, ALTER and DROP DATABASE. */
export async function withAdmin<T>(target: DatabaseTarget, use: (admin: SqlSession) => Promise<T>): Promise<T> {
  const admin = await target.session('postgres');
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

/** live → outgoing, incoming → live. Sessions still on the live database are ended first. */
export async function swap(admin: SqlSession, live: string, incoming: string, outgoing: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(outgoing)} WITH (FORCE)`);
  for (let attempt = 1; ; attempt++) {
    await admin.query(
      `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ${quoteLiteral(live)} AND pid <> pg_backend_pid()`,
    );
    try {
      await admin.query(`ALTER DATABASE ${quoteIdent(live)} RENAME TO ${quoteIdent(outgoing)}`);
      break;
    } catch (e) {
      // A client reconnected between the two statements; try again a few times.
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await admin.query(`ALTER DATABASE ${quoteIdent(incoming)} RENAME TO ${quoteIdent(live)}`);
}

/** The restored copy waits as `incoming`; the replaced database leaves as `outgoing`. */
export function swapNames(database: string) {
  return { incoming: `${database}_sy_incoming`, outgoing: `${database}_sy_outgoing` };
}

/**
 * After a crash in the middle of a restore: finishes an interrupted name swap
 * (the incoming copy was verified before the swap began), or puts the old
 * database back under its name, then drops leftovers. Idempotent.
 */
export async function repairInterruptedSwap(ports: RestorePorts): Promise<string | null> {
  const target = ports.database();
  const name = target.database;
  const { incoming, outgoing } = swapNames(name);
  const admin = await target.session('postgres');
  try {
    const exists = async (db: string) =>
      (await admin.query(`SELECT count(*) FROM pg_database WHERE datname = ${quoteLiteral(db)}`)) === '1';
    let repaired: string | null = null;
    if (!(await exists(name))) {
      if (await exists(incoming)) {
        await admin.query(`ALTER DATABASE ${quoteIdent(incoming)} RENAME TO ${quoteIdent(name)}`);
        repaired = `finished an interrupted restore of database ${name}`;
      } else if (await exists(outgoing)) {
        await admin.query(`ALTER DATABASE ${quoteIdent(outgoing)} RENAME TO ${quoteIdent(name)}`);
        repaired = `put database ${name} back after an interrupted restore`;
      }
    }
    for (const leftover of [incoming, outgoing, `${name}_dr_test`]) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(leftover)} WITH (FORCE)`);
    }
    // An online restore that stopped between its fence and its swap left the live database closed.
    if (await liftFence(admin, name)) repaired = repaired ?? `lifted the fence on database ${name}`;
    await removeHalfWrittenLeftovers(ports.config.backups.dir);
    return repaired;
  } finally {
    await admin.close();
  }
}

/** A leftovers file the carry-over did not finish (its temp name; a finished one is renamed, so it is whole). */
async function removeHalfWrittenLeftovers(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.leftovers.sql.partial')))
    await fs.rm(path.join(dir, name), { force: true });
}
